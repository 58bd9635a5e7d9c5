import type { DeclineReason } from '../../contracts';

/** The test cards of the contract; any other valid number settles. */
const declinedCards: Record<string, DeclineReason> = {
  '4000000000000002': 'card_declined',
  '4000000000009995': 'insufficient_funds',
};

export type ChargeOutcome = { settled: true } | { settled: false; reason: DeclineReason };

/** The card processor, deterministic so every scenario has one known outcome. */
export function charge(cardNumber: string): ChargeOutcome {
  const reason = declinedCards[cardNumber];
  return reason ? { settled: false, reason } : { settled: true };
}

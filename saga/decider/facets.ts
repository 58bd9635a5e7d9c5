import type { CancelReason, PricedLine } from '../../contracts';
import { isTerminal, pendingSteps, type SagaState } from './state';

/**
 * What a saga is about, read off its state alone: whose order it is, what it came to, why it
 * failed, which steps it awaits and whether it has ended. What the saga list shows beside the
 * state and what a search finds sagas by; the store keeps each as a column as it saves a saga.
 */
export interface SagaFacets {
  customerId: string;
  /** Σ quantity × unit price of the priced lines, once a step answered with them (the stock reserved); null before. */
  totalCents: number | null;
  reason: CancelReason | null;
  /** The steps whose answer the saga waits for. */
  awaiting: string[];
  ended: boolean;
}

export function facetsOf(state: SagaState): SagaFacets {
  const priced = Object.values(state.results).find(hasPricedLines);
  return {
    customerId: state.userId,
    totalCents: priced ? priced.lines.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0) : null,
    reason: state.failure?.reason ?? null,
    awaiting: pendingSteps(state),
    ended: isTerminal(state),
  };
}

/** The products of the order, each once: what never changes, so it is read when the saga starts. */
export const productsOf = (state: SagaState): string[] => [...new Set(state.items.map((item) => item.productId))];

/**
 * Whether a step's answer prices the order's lines: found by its shape, so the total is read
 * whichever step of whichever table priced the order (today reserveStock's StockReserved).
 */
function hasPricedLines(answer: unknown): answer is { lines: Pick<PricedLine, 'quantity' | 'unitPriceCents'>[] } {
  const lines = (answer as { lines?: unknown } | null)?.lines;
  return (
    Array.isArray(lines) &&
    lines.every(
      (line: Partial<PricedLine>) => typeof line.quantity === 'number' && typeof line.unitPriceCents === 'number',
    )
  );
}

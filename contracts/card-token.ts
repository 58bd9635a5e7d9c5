import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { lastFour } from './card';
import type { SealedCard } from './messages';

/**
 * How the `card` field of OrderRequested and SettlePayment is encoded: the card number sealed
 * with AES-256-GCM under a key only the orders and payments services hold, so messages, outbox
 * rows and saga state never carry it in the clear. A real deployment would hand it to a card
 * vault instead; the message shape would not change.
 */
const keyOf = (secret: string) => createHash('sha256').update(secret).digest();

export function sealCard(cardNumber: string, secret: string): SealedCard {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(secret), iv);
  const sealed = Buffer.concat([cipher.update(cardNumber, 'utf8'), cipher.final()]);
  return {
    sealed: Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url'),
    last4: lastFour(cardNumber),
  };
}

/** Throws when the card was sealed under another key or tampered with. */
export function unsealCard(card: SealedCard, secret: string): string {
  const bytes = Buffer.from(card.sealed, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', keyOf(secret), bytes.subarray(0, 12));
  decipher.setAuthTag(bytes.subarray(12, 28));
  return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
}

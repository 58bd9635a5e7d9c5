import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { lastFour } from './card';
import type { SealedCard } from './messages';

/**
 * How the `card` field of OrderRequested and SettlePayment is encoded: the card number sealed
 * with AES-256-GCM under a key only the orders and payments services hold, so messages, outbox
 * rows and saga state never carry it in the clear. A real deployment would hand it to a card
 * vault instead; the message shape would not change.
 *
 * `sealed` is `k1.<key id>.<iv, tag and ciphertext in base64url>`, so keys can rotate: a card is
 * sealed under the newest key and opened under the key its id names, while the keys that sealed
 * what is still in flight stay listed. What was sealed before key ids (base64url alone, which has
 * no `.`) opens under the oldest key: the one key there was.
 */

/** The card-sealing keys, newest first (CARD_TOKEN_KEYS). */
export type CardKeys = readonly [string, ...string[]];

const FORMAT = 'k1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const aesKey = (secret: string) => createHash('sha256').update(secret).digest();

/**
 * A key's public name: 8 hex digits of a hash apart from the one that makes the AES key (its
 * own prefix), so the id says nothing of the key.
 */
export function cardKeyId(secret: string): string {
  return createHash('sha256').update(`saga-shop card key id\0${secret}`).digest('hex').slice(0, 8);
}

export function sealCard(cardNumber: string, keys: CardKeys): SealedCard {
  const [newest] = keys;
  const header = `${FORMAT}.${cardKeyId(newest)}`;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', aesKey(newest), iv);
  // The header is authenticated too: a card cannot be passed off as sealed under another key.
  cipher.setAAD(Buffer.from(header));
  const sealed = Buffer.concat([cipher.update(cardNumber, 'utf8'), cipher.final()]);
  return {
    sealed: `${header}.${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url')}`,
    last4: lastFour(cardNumber),
  };
}

/** Throws when no key has the card's key id, or the card was tampered with. */
export function unsealCard(card: SealedCard, keys: CardKeys): string {
  const parts = card.sealed.split('.');
  if (parts.length === 1) return open(card.sealed, keys.at(-1)!);
  const [format, keyId, body] = parts;
  if (parts.length !== 3 || format !== FORMAT || !/^[0-9a-f]{8}$/.test(keyId!)) {
    throw new Error(`a sealed card in no known format: expected ${FORMAT}.<key id>.<data>`);
  }
  const key = keys.find((secret) => cardKeyId(secret) === keyId);
  if (!key) {
    throw new Error(
      `a card sealed under key id ${keyId}, which no card key has (they have ${keys.map(cardKeyId).join(', ')})`,
    );
  }
  return open(body!, key, `${format}.${keyId}`);
}

function open(body: string, secret: string, header?: string): string {
  const bytes = Buffer.from(body, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', aesKey(secret), bytes.subarray(0, IV_BYTES));
  if (header !== undefined) decipher.setAAD(Buffer.from(header));
  decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
}

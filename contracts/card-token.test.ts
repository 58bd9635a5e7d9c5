import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cardKeyId, sealCard, unsealCard, type CardKeys } from './card-token';

const CARD = '4242424242424242';
const OLD_KEY = 'the-old-card-sealing-key-of-32-characters';
const NEW_KEY = 'the-new-card-sealing-key-of-32-characters';

/** A card as the shop sealed it before key ids: iv, tag and ciphertext in base64url, nothing more. */
function sealedBeforeKeyIds(cardNumber: string, secret: string) {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', createHash('sha256').update(secret).digest(), iv);
  const sealed = Buffer.concat([cipher.update(cardNumber, 'utf8'), cipher.final()]);
  return { sealed: Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url'), last4: '4242' };
}

describe('sealing card numbers under rotating keys', () => {
  it('given one key, when a card is sealed, then it carries that key’s id, not the number, and opens again', () => {
    const card = sealCard(CARD, [OLD_KEY]);
    expect(card.last4).toBe('4242');
    expect(card.sealed).toMatch(new RegExp(`^k1\\.${cardKeyId(OLD_KEY)}\\.[\\w-]+$`));
    expect(card.sealed).not.toContain(CARD);
    expect(unsealCard(card, [OLD_KEY])).toBe(CARD);
  });

  it('given a new key added in front, when cards are sealed and opened, then the old ones open and new ones use the new id', () => {
    const before = sealCard(CARD, [OLD_KEY]);
    const rotated: CardKeys = [NEW_KEY, OLD_KEY];
    const after = sealCard(CARD, rotated);
    expect(after.sealed.split('.')[1]).toBe(cardKeyId(NEW_KEY));
    expect(unsealCard(before, rotated)).toBe(CARD);
    expect(unsealCard(after, rotated)).toBe(CARD);
    expect(() => unsealCard(after, [OLD_KEY]), 'the old key alone cannot open what the new one sealed').toThrow(
      `key id ${cardKeyId(NEW_KEY)}`,
    );
  });

  it('given a card sealed before key ids, when opened, then the oldest key opens it', () => {
    const legacy = sealedBeforeKeyIds(CARD, OLD_KEY);
    expect(unsealCard(legacy, [NEW_KEY, 'a-key-in-between-of-32-characters!', OLD_KEY])).toBe(CARD);
    expect(() => unsealCard(legacy, [OLD_KEY, NEW_KEY]), 'the newest key is not the one it was sealed under').toThrow();
  });

  it('given a key id no key has, when opened, then the error names the id and never a key', () => {
    const card = sealCard(CARD, [OLD_KEY]);
    let message = '';
    try {
      unsealCard(card, [NEW_KEY]);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(
      `a card sealed under key id ${cardKeyId(OLD_KEY)}, which no card key has (they have ${cardKeyId(NEW_KEY)})`,
    );
    const THIRD_KEY = 'a-third-card-sealing-key-of-32-characters';
    expect(() => unsealCard(card, [NEW_KEY, THIRD_KEY]), 'every key’s id, in the keys’ order').toThrow(
      `(they have ${cardKeyId(NEW_KEY)}, ${cardKeyId(THIRD_KEY)})`,
    );
    expect(message).not.toContain(OLD_KEY);
    expect(message).not.toContain(NEW_KEY);
  });

  it('given a sealed card tampered with, when opened, then it throws', () => {
    const keys: CardKeys = [NEW_KEY, OLD_KEY];
    const { sealed, last4 } = sealCard(CARD, keys);
    const [format, , body] = sealed.split('.');
    const bytes = Buffer.from(body!, 'base64url');
    bytes[bytes.length - 1]! ^= 1;
    const flipped = `${format}.${cardKeyId(NEW_KEY)}.${bytes.toString('base64url')}`;
    expect(() => unsealCard({ sealed: flipped, last4 }, keys), 'a changed ciphertext').toThrow(/authenticate/);
    const relabelled = `${format}.${cardKeyId(OLD_KEY)}.${body}`;
    expect(() => unsealCard({ sealed: relabelled, last4 }, keys), 'another key’s id').toThrow(/authenticate/);
    expect(() => unsealCard({ sealed: `k2.${cardKeyId(NEW_KEY)}.${body}`, last4 }, keys)).toThrow(
      'a sealed card in no known format',
    );
  });

  it('given a sealed string of the new form with a part too many or a key id that is not 8 hex digits, when opened, then it is refused as malformed', () => {
    const keys: CardKeys = [NEW_KEY];
    const [format, keyId, body] = sealCard(CARD, keys).sealed.split('.');
    for (const sealed of [
      `${format}.${keyId}.${body}.${body}`,
      `${format}.x${keyId}.${body}`,
      `${format}.${keyId}x.${body}`,
    ]) {
      expect(() => unsealCard({ sealed, last4: '4242' }, keys), sealed).toThrow(
        'a sealed card in no known format: expected k1.<key id>.<data>',
      );
    }
  });

  it('given the same key, then the same id; given another, another, and never the key’s own text', () => {
    expect(cardKeyId(OLD_KEY)).toBe(cardKeyId(OLD_KEY));
    expect(cardKeyId(OLD_KEY)).not.toBe(cardKeyId(NEW_KEY));
    expect(cardKeyId(OLD_KEY)).toMatch(/^[0-9a-f]{8}$/);
    // Not a prefix of the AES key either: that is SHA-256 of the key alone.
    expect(createHash('sha256').update(OLD_KEY).digest('hex')).not.toMatch(new RegExp(`^${cardKeyId(OLD_KEY)}`));
  });
});

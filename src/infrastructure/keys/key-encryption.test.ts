import { randomBytes } from 'node:crypto';
import { KeyEncryption, keyEncryptionKeyId, parseKeyEncryptionKey } from './key-encryption.js';

describe('KeyEncryption', () => {
  const current = randomBytes(32);
  const previous = randomBytes(32);

  it('opens what it sealed, and the sealed text shows nothing of it', () => {
    const kek = new KeyEncryption(current);
    const { sealed, kekId } = kek.seal('{"d":"private-part"}', 'kid-1');
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain('private-part');
    expect(kekId).toBe(keyEncryptionKeyId(current));
    expect(kek.open(sealed, 'kid-1', kekId)).toBe('{"d":"private-part"}');
  });

  it('refuses a value moved to another key id, altered, or sealed under an unknown key', () => {
    const kek = new KeyEncryption(current);
    const { sealed, kekId } = kek.seal('secret', 'kid-1');
    expect(() => kek.open(sealed, 'kid-2', kekId)).toThrow(/does not open/);
    const altered = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'BB' : 'AA');
    expect(() => kek.open(altered, 'kid-1', kekId)).toThrow(/does not open/);
    expect(() => new KeyEncryption(randomBytes(32)).open(sealed, 'kid-1', kekId)).toThrow(/neither KEY_ENCRYPTION_KEY nor KEY_ENCRYPTION_KEY_PREVIOUS/);
  });

  it('opens with the previous key what it sealed, and seals with the current one', () => {
    const old = new KeyEncryption(previous).seal('secret', 'kid-1');
    const both = new KeyEncryption(current, previous);
    expect(both.open(old.sealed, 'kid-1', old.kekId)).toBe('secret');
    expect(both.seal('secret', 'kid-1').kekId).toBe(keyEncryptionKeyId(current));
  });

  it('reads a 32-byte key as base64, base64url or hex, and nothing else', () => {
    const key = randomBytes(32);
    expect(parseKeyEncryptionKey(key.toString('base64'))).toEqual(key);
    expect(parseKeyEncryptionKey(key.toString('base64url'))).toEqual(key);
    expect(parseKeyEncryptionKey(key.toString('hex'))).toEqual(key);
    expect(parseKeyEncryptionKey(randomBytes(16).toString('base64'))).toBeUndefined();
    expect(parseKeyEncryptionKey('not a key')).toBeUndefined();
  });
});

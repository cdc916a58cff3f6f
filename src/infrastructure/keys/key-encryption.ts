import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** A key-encryption key: 32 bytes, given as base64, base64url or hex. */
export function parseKeyEncryptionKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : /^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed) ? Buffer.from(trimmed, 'base64') : undefined;
  return bytes?.length === 32 ? bytes : undefined;
}

/** A short public name of a key-encryption key: which one sealed a row, without revealing it. */
export function keyEncryptionKeyId(key: Buffer): string {
  return createHash('sha256').update('gatehouse/kek-id/v1').update(key).digest('hex').slice(0, 16);
}

/**
 * Seals private key material with AES-256-GCM under the key-encryption key from the
 * environment (KEY_ENCRYPTION_KEY): the database alone never yields a signing or cookie key. The
 * key's id is bound as associated data, so a sealed value moved to another row does not open.
 * A previous key-encryption key (KEY_ENCRYPTION_KEY_PREVIOUS) still opens what it sealed, while
 * `keys reencrypt` moves everything to the current one.
 */
export class KeyEncryption {
  readonly currentId: string;
  private readonly keys: Map<string, Buffer>;

  constructor(current: Buffer, previous?: Buffer) {
    this.currentId = keyEncryptionKeyId(current);
    this.keys = new Map([[this.currentId, current]]);
    if (previous) this.keys.set(keyEncryptionKeyId(previous), previous);
  }

  seal(plaintext: string, associated: string): { sealed: string; kekId: string } {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentId)!, iv);
    cipher.setAAD(Buffer.from(associated, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return { sealed: `v1.${iv.toString('base64url')}.${body.toString('base64url')}`, kekId: this.currentId };
  }

  /** Throws when the key-encryption key is not at hand or the value was altered. */
  open(sealed: string, associated: string, kekId: string): string {
    const key = this.keys.get(kekId);
    if (!key) throw new Error(`key ${associated} was sealed with key-encryption key ${kekId}, which is neither KEY_ENCRYPTION_KEY nor KEY_ENCRYPTION_KEY_PREVIOUS`);
    const [version, iv, body] = sealed.split('.');
    if (version !== 'v1' || !iv || !body) throw new Error(`key ${associated} is not in a known sealed form`);
    const bytes = Buffer.from(body, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(associated, 'utf8'));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    try {
      return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]).toString('utf8');
    } catch {
      throw new Error(`key ${associated} does not open with key-encryption key ${kekId}: altered, or sealed for another key`);
    }
  }
}

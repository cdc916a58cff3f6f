import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Seals small secrets that Gatehouse must read back (an authenticator app's shared secret) with
 * AES-256-GCM under keys derived from the cookie keys: sealed with the newest, opened with any,
 * so a key rotation never locks anyone out (the next use re-seals with the newest key).
 */
export class SecretBox {
  private readonly keys: Buffer[];

  constructor(secrets: string[], purpose: string) {
    if (secrets.length === 0) throw new Error('a secret box needs at least one key');
    this.keys = secrets.map((secret) => Buffer.from(hkdfSync('sha256', secret, 'gatehouse', `secret-box/${purpose}`, 32)));
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys[0]!, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  /** The plaintext, and whether it was sealed with an older key (worth re-sealing). */
  open(sealed: string): { plaintext: string; stale: boolean } {
    const [version, iv, body, tag] = sealed.split('.');
    if (version !== 'v1' || !iv || !body || !tag) throw new Error('not a sealed secret');
    for (const [index, key] of this.keys.entries()) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        const plaintext = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
        return { plaintext, stale: index > 0 };
      } catch {
        // Sealed under another key: try the next.
      }
    }
    throw new Error('no configured key opens this secret');
  }
}

import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The signatures of signed cookies (Koa's and oidc-provider's `<name>.sig`), as the `keygrip`
 * package makes them, so cookies signed before and by other replicas keep verifying: HMAC-SHA1
 * of `name=value` with the first key, base64url; any key of the list verifies.
 *
 * keygrip compares a signature by hashing both sides again under a random key (two more HMACs
 * and 32 random bytes, for every key tried): a sign-in reads about ten signed cookies, and that
 * comparison was most of their cost. A signature's length is public, so comparing equal-length
 * bytes with `timingSafeEqual` is just as constant-time.
 */
export class CookieSignatures {
  // Raw bytes, not KeyObjects: an HMAC made from a KeyObject costs half as much again.
  private readonly keys: Buffer[];

  constructor(keys: readonly string[]) {
    if (keys.length === 0) throw new Error('signed cookies need at least one key');
    this.keys = keys.map((key) => Buffer.from(key, 'utf8'));
  }

  sign(data: string): string {
    return signature(data, this.keys[0]!);
  }

  verify(data: string, digest: string): boolean {
    return this.index(data, digest) > -1;
  }

  /** Which key made `digest` (-1: none). */
  index(data: string, digest: string): number {
    const given = Buffer.from(String(digest), 'utf8');
    for (let i = 0; i < this.keys.length; i++) {
      const expected = Buffer.from(signature(data, this.keys[i]!), 'utf8');
      if (given.length === expected.length && timingSafeEqual(given, expected)) return i;
    }
    return -1;
  }
}

function signature(data: string, key: Buffer): string {
  return createHmac('sha1', key).update(data).digest('base64url');
}

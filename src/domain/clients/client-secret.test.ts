import { generateClientSecret, hashClientSecret, secretMatchesHash } from './client-secret.js';

describe('client secrets', () => {
  it('are 256-bit base64url strings, safe in HTTP Basic authentication', () => {
    const secret = generateClientSecret();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateClientSecret()).not.toBe(secret);
  });

  it('are stored as SHA-256 digests and compared against them', () => {
    const secret = generateClientSecret();
    const hash = hashClientSecret(secret);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(secret);
    expect(secretMatchesHash(secret, hash)).toBe(true);
    expect(secretMatchesHash(`${secret}x`, hash)).toBe(false);
    expect(secretMatchesHash(secret, 'not-a-digest')).toBe(false);
  });
});

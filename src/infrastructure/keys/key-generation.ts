import { generateKeyPairSync, randomUUID } from 'node:crypto';

export const SIGNING_ALGS = ['RS256', 'ES256', 'EdDSA'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

/** A new private signing key as a JWK: RSA 2048 (RS256), P-256 (ES256) or Ed25519 (EdDSA). */
export function generateSigningKey(alg: SigningAlg = 'RS256'): Record<string, unknown> {
  const { privateKey } =
    alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : alg === 'EdDSA' ? generateKeyPairSync('ed25519') : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg };
}

import { randomBytes } from 'node:crypto';
import { generateSigningKey } from '../keys/key-generation.js';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { GatehouseConfig } from './config.js';

export interface ProviderSecrets {
  jwks: { keys: Record<string, unknown>[] };
  cookieKeys: string[];
}

/**
 * Signing keys and cookie keys. Production takes them from `JWKS`/`COOKIE_KEYS`; development
 * generates them once into `DATA_DIR`, so a restart keeps everyone signed in.
 */
export function loadProviderSecrets(config: GatehouseConfig): ProviderSecrets {
  return {
    jwks: config.jwks ?? readOrCreate(config.dataDir, 'jwks.json', () => ({ keys: [generateSigningKey()] })),
    cookieKeys: config.cookieKeys ?? readOrCreate(config.dataDir, 'cookie-keys.json', () => [randomBytes(32).toString('base64url')]),
  };
}

export { generateSigningKey, SIGNING_ALGS, type SigningAlg } from '../keys/key-generation.js';

function readOrCreate<T>(dir: string, file: string, create: () => T): T {
  const location = path.join(dir, file);
  if (existsSync(location)) return JSON.parse(readFileSync(location, 'utf8')) as T;
  mkdirSync(dir, { recursive: true });
  const value = create();
  writeFileSync(location, JSON.stringify(value), { mode: 0o600 });
  return value;
}

/**
 * The keys that sign, one per algorithm, chosen as the provider chooses: among the keys of the
 * algorithm's type, those that state `alg` and `use: "sig"` come first, then JWKS order. The
 * others only verify (kept for tokens they signed before a rotation).
 */
export function signingKeysOf(jwks: ProviderSecrets['jwks']): { kid: string; alg: string }[] {
  const algs = new Set(jwks.keys.map((key) => (typeof key.alg === 'string' ? key.alg : defaultAlg(key))).filter((alg): alg is string => Boolean(alg)));
  return [...algs].flatMap((alg) => {
    const score = (key: Record<string, unknown>) => Number(key.alg === alg) + Number(key.use === 'sig');
    const candidates = jwks.keys.filter((key) => typeof key.kid === 'string' && key.use !== 'enc' && (key.alg === undefined ? defaultAlg(key) === alg : key.alg === alg));
    const chosen = candidates.reduce<Record<string, unknown> | undefined>((best, key) => (best === undefined || score(key) > score(best) ? key : best), undefined);
    return chosen ? [{ kid: chosen.kid as string, alg }] : [];
  });
}

function defaultAlg(key: Record<string, unknown>): string | undefined {
  if (key.kty === 'RSA') return 'RS256';
  if (key.kty === 'EC') return key.crv === 'P-384' ? 'ES384' : key.crv === 'P-521' ? 'ES512' : 'ES256';
  if (key.kty === 'OKP') return 'EdDSA';
  return undefined;
}

/** The algorithms ID tokens may be signed with: Gatehouse offers RS256, PS256, ES256 and EdDSA, as its keys allow. */
export function idTokenSigningAlgorithms(jwks: ProviderSecrets['jwks']): string[] {
  const offered = ['RS256', 'PS256', 'ES256', 'EdDSA'];
  const algs = new Set<string>();
  for (const key of jwks.keys) {
    if (key.use !== undefined && key.use !== 'sig') continue;
    const possible = key.kty === 'RSA' ? ['RS256', 'PS256'] : key.kty === 'EC' && key.crv === 'P-256' ? ['ES256'] : key.kty === 'OKP' ? ['EdDSA'] : [];
    for (const alg of possible) if (key.alg === undefined || key.alg === alg) algs.add(alg);
  }
  return offered.filter((alg) => algs.has(alg));
}

import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
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

export function generateSigningKey(): Record<string, unknown> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' };
}

function readOrCreate<T>(dir: string, file: string, create: () => T): T {
  const location = path.join(dir, file);
  if (existsSync(location)) return JSON.parse(readFileSync(location, 'utf8')) as T;
  mkdirSync(dir, { recursive: true });
  const value = create();
  writeFileSync(location, JSON.stringify(value), { mode: 0o600 });
  return value;
}

/** The algorithms ID tokens may be signed with: Gatehouse offers RS256, PS256 and ES256, as its keys allow. */
export function idTokenSigningAlgorithms(jwks: ProviderSecrets['jwks']): string[] {
  const offered = ['RS256', 'PS256', 'ES256'];
  const algs = new Set<string>();
  for (const key of jwks.keys) {
    if (key.use !== undefined && key.use !== 'sig') continue;
    const possible = key.kty === 'RSA' ? ['RS256', 'PS256'] : key.kty === 'EC' && key.crv === 'P-256' ? ['ES256'] : [];
    for (const alg of possible) if (key.alg === undefined || key.alg === alg) algs.add(alg);
  }
  return offered.filter((alg) => algs.has(alg));
}

import { z } from 'zod';
import { SIGNING_ALGS } from '../../../infrastructure/keys/key-generation.js';

export const keySchema = z
  .object({
    kid: z.string(),
    use: z.enum(['signing', 'cookie']),
    alg: z.string().openapi({ description: 'RS256, ES256 or EdDSA for signing keys; cookie for cookie keys' }),
    state: z.enum(['scheduled', 'published', 'active', 'verifying', 'retired']).openapi({
      description: 'published: in JWKS (or accepted in cookies), not signing yet; active: signs; verifying: replaced, kept for what it signed; retired: gone',
    }),
    published_at: z.string(),
    active_at: z.string(),
    retire_at: z.string().nullable(),
  })
  .openapi('Key');

export const keyListSchema = z.object({ items: z.array(keySchema) }).openapi('KeyList');

export const rotateKeySchema = z
  .object({
    use: z.enum(['signing', 'cookie']),
    alg: z.enum(SIGNING_ALGS).optional().openapi({ description: 'Signing keys only; SIGNING_KEY_ALG by default. A key of another algorithm is added beside the current one.' }),
  })
  .strict()
  .openapi('RotateKey');

export const rotationSchema = z
  .object({
    kid: z.string(),
    use: z.enum(['signing', 'cookie']),
    alg: z.string(),
    published_at: z.string(),
    active_at: z.string().openapi({ description: 'When the new key starts signing' }),
    retiring: z.array(z.object({ kid: z.string(), retire_at: z.string() })).openapi({ description: 'The keys it replaces and when they go' }),
  })
  .openapi('KeyRotation');

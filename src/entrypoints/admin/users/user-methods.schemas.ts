import { z } from 'zod';
import { BYPASS_LIMITS } from '../../../domain/second-factor/second-factor-admin.service.js';

export const methodListSchema = z
  .object({
    items: z.array(
      z.object({
        id: z.string().openapi({ description: '`sms`, `recovery-codes`, or the id of an authenticator app or passkey' }),
        kind: z.enum(['sms', 'totp', 'passkey', 'recovery_codes']),
        name: z.string(),
        detail: z.string().nullable().openapi({ description: 'The masked number, or how many recovery codes are left' }),
        created_at: z.string().nullable(),
        last_used_at: z.string().nullable(),
      }),
    ),
  })
  .openapi('SecondFactorMethods');

export const bypassBodySchema = z
  .object({
    minutes: z.number().int().min(5).max(BYPASS_LIMITS.maxMinutes).default(BYPASS_LIMITS.defaultMinutes).openapi({ description: 'How long the pass stays usable' }),
  })
  .strict()
  .openapi('SecondFactorBypassRequest');

export const bypassResultSchema = z.object({ expires_at: z.string() }).openapi('SecondFactorBypass');

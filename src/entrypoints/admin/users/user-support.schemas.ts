import { z } from 'zod';
import { BLOCKER_CODES } from '../../../domain/diagnosis/diagnose.js';

export const diagnosisSchema = z
  .object({
    can_sign_in: z.boolean().openapi({ description: 'false when a blocker stops the right password from working (disabled, locked, expired temporary password, SMS budget used up)' }),
    blockers: z.array(
      z.object({
        code: z.enum(BLOCKER_CODES),
        message: z.string().openapi({ example: 'locked until 10:42 UTC after 7 failed passwords from the mobile app at 203.0.113.7' }),
        since: z.string().nullable(),
        until: z.string().optional(),
      }),
    ),
    clients: z.array(
      z.object({
        client_id: z.string(),
        kind: z.string().nullable(),
        last_success_at: z.string().nullable(),
        last_failure: z.object({ at: z.string(), reason: z.string() }).nullable(),
        active_refresh_tokens: z.number().int(),
      }),
    ),
  })
  .openapi('Diagnosis');

export const unlockResultSchema = z
  .object({
    unlocked: z.array(
      z.object({
        scope: z.enum(['username_ip', 'username', 'second_factor', 'ip']).openapi({
          description: 'username_ip: this user from one address; username: from every address; second_factor: after SMS codes ran out of tries. (An address locked across usernames is not lifted by unlocking one user.)',
        }),
        until: z.string(),
        failures: z.number().int(),
        ip: z.string().optional(),
      }),
    ),
  })
  .openapi('UnlockResult');

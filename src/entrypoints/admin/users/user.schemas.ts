import '../zod-openapi.js';
import { z } from 'zod';
import { isTimeZone } from '../../../infrastructure/formatting/human-time.js';
import { pageQuerySchema } from '../pagination.js';
import { emailBounceSchema, messageSchema } from '../messages/message.schemas.js';

const role = z.enum(['admin', 'staff', 'member']);

const isLanguageTag = (tag: string) => {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
};

/** Standard profile claims (OpenID Connect Core §5.1), released to apps with the profile scope. */
const profileClaims = {
  given_name: z.string().trim().min(1).max(100).nullable().optional(),
  family_name: z.string().trim().min(1).max(100).nullable().optional(),
  locale: z.string().trim().max(35).refine(isLanguageTag, 'must be a BCP 47 language tag such as "en-US"').nullable().optional(),
  zoneinfo: z.string().trim().max(64).refine(isTimeZone, 'must be an IANA time zone such as "Europe/Berlin"').nullable().optional(),
};

export const userSchema = z
  .object({
    id: z.string().uuid(),
    tenant: z.string().uuid(),
    username: z.string(),
    email: z.string().nullable(),
    name: z.string().nullable(),
    given_name: z.string().nullable(),
    family_name: z.string().nullable(),
    locale: z.string().nullable(),
    zoneinfo: z.string().nullable(),
    phone: z.string().nullable().openapi({ description: 'E.164' }),
    phone_verified: z.boolean(),
    role,
    is_operator: z.boolean().openapi({ description: 'An operator: sees and manages every tenant (set only by an operator)' }),
    status: z.enum(['active', 'disabled', 'locked', 'password_change_required', 'temporary_password_expired']),
    locked_until: z.string().nullable().openapi({ description: 'Until when sign-in is locked (status locked); an address locked across usernames is not counted' }),
    disabled: z.boolean(),
    created_at: z.string(),
    last_login_at: z.string().nullable(),
    email_bounced: emailBounceSchema.nullable().optional().openapi({ description: 'Reading one user: the address bounced or drew a complaint (null: it did not)' }),
  })
  .openapi('User');

export const createdUserSchema = userSchema.extend({ invitation: messageSchema.optional().openapi({ description: 'The email with the temporary password: sent, failed (with the reason), or queued while it is retried' }) }).openapi('CreatedUser');

export const createUserSchema = z
  .object({
    username: z
      .string()
      .trim()
      .min(3)
      .max(64)
      .regex(/^[\p{L}\p{N}._@+-]+$/u, 'letters, digits and . _ @ + - only'),
    email: z.string().trim().email().max(254),
    name: z.string().trim().min(1).max(200).optional(),
    ...profileClaims,
    phone: z.string().trim().min(3).max(32).optional().openapi({ description: 'E.164 or a national number of the tenant\'s country' }),
    role: role.optional(),
    password: z.string().min(1).max(1024).optional().openapi({ description: 'Without it the user is emailed a temporary password and must change it at first sign-in' }),
  })
  .strict()
  .openapi('CreateUser');

export const updateUserSchema = z
  .object({
    email: z.string().trim().email().max(254).optional(),
    name: z.string().trim().min(1).max(200).nullable().optional(),
    ...profileClaims,
    phone: z.string().trim().min(3).max(32).nullable().optional(),
    role: role.optional(),
    disabled: z.boolean().optional(),
    is_operator: z.boolean().optional().openapi({ description: 'Make the person an operator (every tenant) or no longer one: operators only, 403 otherwise' }),
  })
  .strict()
  .openapi('UpdateUser');

export const setPasswordSchema = z
  .object({ password: z.string().min(1).max(1024), temporary: z.boolean().optional() })
  .strict()
  .openapi('SetPassword');

export const userSearchQuerySchema = pageQuerySchema.extend({ q: z.string().trim().max(200).optional() });

export const userListSchema = z.object({ items: z.array(userSchema), next_cursor: z.string().nullable() }).openapi('UserList');

export const signOutReportSchema = z
  .object({
    sessions_ended: z.number().int(),
    grants_revoked: z.array(z.object({ client_id: z.string(), client_kind: z.string().nullable(), client_name: z.string().nullable(), refresh_tokens_revoked: z.number().int() })),
    logout_notices: z
      .array(
        z.object({
          client_id: z.string(),
          client_name: z.string().nullable(),
          status: z.enum(['delivered', 'queued', 'retrying', 'failed']),
          reason: z.string().optional().openapi({ description: 'Why the last attempt failed (retrying, failed)' }),
        }),
      )
      .openapi({
        description:
          'Web apps with a backchannel_logout_uri, sent a logout token: delivered (the app took it), queued, retrying (the app did not answer; retried for about an hour) or failed (it refused the token, or every attempt failed)',
      }),
  })
  .openapi('SignOutReport');

export const userUpdateResultSchema = userSchema.extend({ signed_out: signOutReportSchema.optional() }).openapi('UserUpdateResult');

export const activeGrantsSchema = z
  .object({
    items: z.array(
      z.object({ client_id: z.string(), client_kind: z.string().nullable(), client_name: z.string().nullable(), created_at: z.string(), last_used_at: z.string(), active_refresh_tokens: z.number().int() }),
    ),
  })
  .openapi('UserSessions');

export const appSignOutSchema = z
  .object({ client_id: z.string(), grants: z.number().int(), refresh_tokens: z.number().int() })
  .openapi('AppSignOut');

export const emailSentSchema = z
  .object({ sent_to: z.string().openapi({ description: 'The address, masked' }), expires_at: z.string(), message: messageSchema.optional() })
  .openapi('EmailSent');

export const forgottenDevicesSchema = z.object({ forgotten: z.number().int() }).openapi('ForgottenDevices');

import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import type { UserRepository } from '../../domain/users/user.repository.js';
import { readDeviceHash } from '../../infrastructure/http/device-cookie.js';
import { clientTenant } from '../../domain/clients/client-tenancy.js';

const { base, Check, Prompt } = interactionPolicy;

/**
 * The prompts every authorization request passes through: the provider's `login` and `consent`
 * with Gatehouse's own checks added. Later flows (second factor, forced password change) add
 * their checks here, one named check each.
 */
/** Decides whether the signed-in user still owes the SMS step (see second-factor/). */
export type SecondFactorCheck = (input: { accountId: string; amr?: string[]; deviceHash?: string; warningAcknowledged: boolean }) => Promise<boolean>;

export function createInteractionPolicy(users: UserRepository, secondFactorDue: SecondFactorCheck) {
  const policy = base();
  const login = policy.get('login')!;

  // One tenant's browser session is never silently reused for another tenant's client.
  login.checks.add(
    new Check('tenant_mismatch', 'the signed-in user belongs to another organisation', async (ctx: KoaContextWithOIDC) => {
      const tenant = clientTenant(ctx.oidc.client);
      const accountId = ctx.oidc.session?.accountId;
      if (!tenant || !accountId) return Check.NO_NEED_TO_PROMPT;
      const user = await users.findById(accountId);
      return user?.tenant_id === tenant ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
    }),
  );

  // A temporary password must be replaced before any token is issued.
  policy.add(
    new Prompt(
      { name: 'password_change', requestable: false },
      new Check('temporary_password', 'the password is temporary and must be changed', async (ctx: KoaContextWithOIDC) => {
        const accountId = ctx.oidc.session?.accountId;
        if (!accountId) return Check.NO_NEED_TO_PROMPT;
        const user = await users.findById(accountId);
        return user?.password_temporary ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
      }),
    ),
    1,
  );

  // The tenant's second factor: after the password, before any token. Existing password-only
  // sessions are asked too when the tenant turns it on.
  policy.add(
    new Prompt(
      { name: 'second_factor', requestable: false },
      new Check('sms_code', 'the organisation requires a code by text message', async (ctx: KoaContextWithOIDC) => {
        const accountId = ctx.oidc.session?.accountId;
        if (!accountId) return Check.NO_NEED_TO_PROMPT;
        const due = await secondFactorDue({
          accountId,
          amr: ctx.oidc.session?.amr,
          deviceHash: readDeviceHash(ctx),
          warningAcknowledged: (ctx.oidc.result as { second_factor?: { acknowledged?: boolean } } | undefined)?.second_factor?.acknowledged === true,
        });
        return due ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
      }),
    ),
    1,
  );
  return policy;
}

import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import { clientTenant } from '../../domain/clients/client-tenancy.js';
import type { SignInFacts, SignInFactsLoader } from '../../domain/sign-in/sign-in-facts.js';
import type { PendingSteps, SignInFlow } from '../../domain/sign-in/sign-in-flow.js';
import { signInProgress } from './sign-in-progress.js';

const { base, Check, Prompt } = interactionPolicy;

export interface SignInPolicyDependencies {
  facts: SignInFactsLoader;
  flow: SignInFlow;
}

/**
 * The prompts every authorization request passes through: the provider's `login` and `consent`
 * with Gatehouse's checks added, and two prompts of its own (second factor, forced password
 * change). What is still due is decided once per request by the sign-in flow, from facts read
 * once, and the decision travels to the page in the prompt's details.
 */
export function createInteractionPolicy(deps: SignInPolicyDependencies) {
  const policy = base();
  const login = policy.get('login')!;
  const decided = new WeakMap<object, Promise<{ facts: SignInFacts; steps: PendingSteps } | undefined>>();

  const pendingFor = (ctx: KoaContextWithOIDC) => {
    let pending = decided.get(ctx);
    if (!pending) {
      const accountId = ctx.oidc.session?.accountId;
      pending = accountId
        ? deps.facts.forAccount(ctx, accountId).then(async (facts) => (facts ? { facts, steps: await deps.flow.pending(facts, signInProgress(ctx)) } : undefined))
        : Promise.resolve(undefined);
      decided.set(ctx, pending);
    }
    return pending;
  };

  // One tenant's browser session is never silently reused for another tenant's client.
  login.checks.add(
    new Check('tenant_mismatch', 'the signed-in user belongs to another organisation', async (ctx: KoaContextWithOIDC) => {
      const tenant = clientTenant(ctx.oidc.client);
      const accountId = ctx.oidc.session?.accountId;
      if (!tenant || !accountId) return Check.NO_NEED_TO_PROMPT;
      const facts = await deps.facts.forAccount(ctx, accountId);
      return facts?.user.tenant_id === tenant ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
    }),
  );

  // A temporary password must be replaced before any token is issued.
  policy.add(
    new Prompt(
      { name: 'password_change', requestable: false },
      new Check('temporary_password', 'the password is temporary and must be changed', async (ctx: KoaContextWithOIDC) =>
        (await pendingFor(ctx))?.steps.passwordChange ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT,
      ),
    ),
    1,
  );

  // The tenant's second factor: after the password, before any token. Existing password-only
  // sessions are asked too when the tenant turns it on.
  policy.add(
    new Prompt(
      { name: 'second_factor', requestable: false },
      new Check(
        'second_factor',
        "the organisation's second factor is due",
        async (ctx: KoaContextWithOIDC) => ((await pendingFor(ctx))?.steps.secondFactor ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT),
        async (ctx: KoaContextWithOIDC) => ({ secondFactor: (await pendingFor(ctx))?.steps.secondFactor }),
      ),
    ),
    1,
  );
  return policy;
}

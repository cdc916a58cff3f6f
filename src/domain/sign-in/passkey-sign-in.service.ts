import { createHash } from 'node:crypto';
import type { SignInSource, SignInEvents } from '../events/sign-in-events.js';
import type { OneTimeCodeStore } from '../one-time-codes/one-time-code.store.js';
import type { PasskeyMethod } from '../second-factor/passkey/passkey.method.js';
import type { TenantRepository } from '../tenants/tenant.repository.js';
import type { TenantRecord } from '../tenants/tenant.js';
import type { UserRepository } from '../users/user.repository.js';
import type { UserRecord } from '../users/user.js';

const OPTIONS_TTL_MS = 5 * 60_000;

export type PasskeySignInOutcome = { ok: true; user: UserRecord; tenant: TenantRecord; amr: string } | { ok: false; reason: 'not_recognised' | 'not_allowed' | 'disabled' };

/**
 * Signing in with a passkey instead of a password (where the user's tenant allows it): the
 * browser offers its passkeys for Gatehouse (conditional UI in the username field, or a
 * button); the one it signs with names the user. The person must be verified on the device
 * (PIN or biometric), so a passkey sign-in is two factors in one.
 */
export class PasskeySignIn {
  constructor(
    private readonly deps: { passkey: PasskeyMethod; codes: OneTimeCodeStore; users: UserRepository; tenants: TenantRepository; signInEvents: SignInEvents },
  ) {}

  /** Fresh options for this sign-in; only the newest challenge of a sign-in is accepted, once. */
  async options(interactionUid: string): Promise<object> {
    const options = await this.deps.passkey.firstFactorOptions();
    await this.deps.codes.issueValue(slotOf(interactionUid), 'passkey_sign_in', options.challenge, OPTIONS_TTL_MS);
    return options;
  }

  async verify(interactionUid: string, response: string, source: SignInSource): Promise<PasskeySignInOutcome> {
    const verified = await this.deps.passkey.verifyFirstFactor(response, (challenge) => this.deps.codes.checkValue(slotOf(interactionUid), challenge));
    const user = verified && (await this.deps.users.findById(verified.userId));
    if (!verified || !user) {
      this.deps.signInEvents.failed(undefined, source, 'passkey_not_recognised');
      return { ok: false, reason: 'not_recognised' };
    }
    const tenant = (await this.deps.tenants.findById(user.tenant_id))!;
    if (user.disabled) {
      this.deps.signInEvents.failed(user, source, 'disabled');
      return { ok: false, reason: 'disabled' };
    }
    if (!tenant.settings.mfa.passwordless || !tenant.settings.mfa.methods.includes('passkey')) {
      this.deps.signInEvents.failed(user, source, 'passwordless_not_allowed');
      return { ok: false, reason: 'not_allowed' };
    }
    return { ok: true, user, tenant, amr: verified.amr };
  }
}

/** The one-time-code slot of a sign-in's passkey challenge (slots are keyed by uuid). */
function slotOf(interactionUid: string): string {
  const hex = createHash('sha256').update(`passkey-sign-in:${interactionUid}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

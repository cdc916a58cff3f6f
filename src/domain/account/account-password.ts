import type { PasswordProblem } from '../passwords/password-policy.js';
import type { SignInEvents } from '../events/sign-in-events.js';
import { lockoutSettingsOf } from '../lockout/lockout-policy.js';
import type { LockoutService } from '../lockout/lockout.service.js';
import type { PasswordChangeService } from '../passwords/password-change.service.js';
import type { SignInService } from '../sign-in/sign-in.service.js';
import { selfActor, type AccountSubject } from './account-subject.js';

export type AccountPasswordOutcome =
  | { changed: true; signedOutApps: number }
  | { changed: false; reason: 'wrong_current' | 'mismatch' | 'same_as_current' | 'weak'; problems?: PasswordProblem[] }
  | { changed: false; reason: 'locked'; until: Date };

/**
 * A person changes their own password: the current one first (a session left open on a shared
 * computer must not be enough), with the same lockout as the login form, then the tenant's
 * policy; PasswordChangeService does the rest (every other session and app signed out, the
 * `password.changed` event, the notice email).
 */
export class AccountPassword {
  constructor(private readonly deps: { signIn: SignInService; lockout: LockoutService; passwords: PasswordChangeService; signInEvents: SignInEvents }) {}

  async change(subject: AccountSubject, input: { current: string; next: string; repeat: string }): Promise<AccountPasswordOutcome> {
    const { user, tenant, source } = subject;
    const settings = lockoutSettingsOf(tenant);
    // The person is signed in on this browser: the username-wide lock spares them, as a known browser.
    const lock = await this.deps.lockout.lockFor({ username: user.username, source, settings, spareUsernameLock: true });
    if (lock) return { changed: false, reason: 'locked', until: lock.until };
    if (!(await this.deps.signIn.confirmPassword(user, input.current))) {
      this.deps.signInEvents.failed(user, source, 'wrong_password', { step: 'account_password_change' });
      const started = await this.deps.lockout.recordFailure({ user, username: user.username, source, settings });
      const refusing = started.find((l) => l.scope !== 'username');
      if (refusing) return { changed: false, reason: 'locked', until: refusing.until };
      return { changed: false, reason: 'wrong_current' };
    }
    await this.deps.lockout.recordSuccess(user.username, source);
    if (input.next !== input.repeat) return { changed: false, reason: 'mismatch' };
    if (input.next === input.current) return { changed: false, reason: 'same_as_current' };
    const problems = this.deps.passwords.problems(tenant, user.username, input.next);
    if (problems.length) return { changed: false, reason: 'weak', problems };
    const report = await this.deps.passwords.change(tenant, user, { password: input.next, signOutReason: 'password_changed', how: 'by you on your account page', actor: selfActor(user) });
    return { changed: true, signedOutApps: report?.grants_revoked.length ?? 0 };
  }
}

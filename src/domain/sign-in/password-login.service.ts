import type { UserDevice } from '../devices/device.repository.js';
import type { TenantRecord } from '../tenants/tenant.js';
import type { SignInEvents, SignInSource } from '../events/sign-in-events.js';
import { passwordFingerprint, type LastFailedPasswords } from '../lockout/last-failed-password.js';
import { lockoutSettingsOf, type LockoutSettings } from '../lockout/lockout-policy.js';
import type { ActiveLock, LockoutService } from '../lockout/lockout.service.js';
import type { Logger } from '../../infrastructure/observability/logger.js';
import type { PreviousPasswords } from '../passwords/previous-passwords.js';
import type { SignInService } from './sign-in.service.js';
import type { SignInRecords, SignInRecordsRepository } from './sign-in-records.repository.js';
import type { UserRecord } from '../users/user.js';

export interface PasswordLoginDependencies {
  records: Pick<SignInRecordsRepository, 'byUsername'>;
  signIn: SignInService;
  lockout: LockoutService;
  lastFailed: LastFailedPasswords;
  previousPasswords: PreviousPasswords;
  signInEvents: SignInEvents;
  logger: Logger;
  /** Key of the fingerprints of failed passwords (derived from the cookie secret). */
  fingerprintKey: Buffer;
}

export interface PasswordLoginAttempt {
  username: string;
  password: string;
  /** The browser's device cookie digest, when it has one. */
  deviceHash?: string;
  source: SignInSource;
  /**
   * What `find` read for this username and browser, when the request already asked (home-realm
   * discovery does, before the password): the step then reads nothing again.
   */
  found?: SignInRecords | null;
}

export type PasswordLoginOutcome =
  /** With what the step read on the way, so the rest of the request need not read it again. */
  | { ok: true; user: UserRecord; tenant: TenantRecord; device: UserDevice | null }
  /** `lockedUntil`: this failure started a lock that now refuses this browser. */
  | { ok: false; reason: 'invalid_credentials'; lockedUntil?: Date }
  /** Only ever told to a browser that has signed in as this user before (DESIGN §4). */
  | { ok: false; reason: 'previous_password'; changedAt: Date; lockedUntil?: Date }
  | { ok: false; reason: 'locked'; until: Date }
  | { ok: false; reason: 'disabled' | 'temporary_password_expired' };

// Looked up for an unknown username so both cost the same queries (no user has it).
const NO_ID = '00000000-0000-0000-0000-000000000000';
/**
 * Previous-password look-ups for strangers run after the answer, on the bounded bcrypt pool.
 * Past this many waiting, a failure is recorded without one instead of growing a backlog that a
 * flood of wrong passwords would feed.
 */
const MAX_PENDING_LOOKUPS = 16;

/**
 * The password step of the login form, guarded: lockout first (no password is checked while
 * locked), then the password, then the bookkeeping of a failure: counted toward lockout unless
 * it is the same wrong password as last time, and recognised when it is one of the user's
 * previous passwords. Unknown usernames go through the same steps and cost the same.
 */
export class PasswordLoginService {
  private pendingLookups = 0;

  constructor(private readonly deps: PasswordLoginDependencies) {}

  /**
   * The user a typed username names, with their tenant and this browser's record, in one
   * statement; null for a username nobody has (which costs the same statement).
   */
  async find(username: string, deviceHash?: string): Promise<SignInRecords | null> {
    return (await this.deps.records.byUsername(username, deviceHash)) ?? null;
  }

  async attempt(input: PasswordLoginAttempt): Promise<PasswordLoginOutcome> {
    const { lockout, signInEvents } = this.deps;
    const found = input.found !== undefined ? input.found : await this.find(input.username, input.deviceHash);
    const user = found?.user;
    const tenant = found?.tenant;
    const device = found?.device ?? null;
    const knownBrowser = device !== null;
    const settings = lockoutSettingsOf(tenant);

    const checked = await lockout.checkAttempt({ username: input.username, source: input.source, settings, spareUsernameLock: knownBrowser });
    const lock = checked.lock;
    if (lock) {
      signInEvents.failed(user, input.source, 'locked', { scope: lock.scope, until: lock.until.toISOString() });
      return { ok: false, reason: 'locked', until: lock.until };
    }

    const result = await this.deps.signIn.verifyFor(user, input.password);
    if (result.ok) {
      await lockout.recordSuccess(input.username, input.source, checked);
      return { ok: true, user: result.user, tenant: tenant!, device };
    }
    if (result.reason !== 'invalid_credentials') {
      // The right password for a blocked account: no guess to count, nothing to reset.
      signInEvents.failed(user, input.source, result.reason);
      return { ok: false, reason: result.reason };
    }
    return this.wrongPassword(user, input, settings, knownBrowser, checked.failuresToForget);
  }

  /** `failuresCounted`: the username has failures counted now (see `AttemptCheck.failuresToForget`). */
  private async wrongPassword(user: UserRecord | undefined, input: PasswordLoginAttempt, settings: LockoutSettings, knownBrowser: boolean, failuresCounted: boolean): Promise<PasswordLoginOutcome> {
    const { lockout, lastFailed } = this.deps;
    const fingerprint = passwordFingerprint(this.deps.fingerprintKey, input.username, input.password);
    // The last wrong password matters only while its failure still counts: a success (which
    // then need not forget it) or the counts' expiry ends its run.
    const last = failuresCounted ? await lastFailed.get(input.username) : undefined;
    // The same wrong password again guesses nothing new (a saved old password, retried): it
    // counts once toward lockout.
    const repeated = last?.fingerprint === fingerprint;
    let lockedUntil: Date | undefined;
    if (!repeated) {
      const started = await lockout.recordFailure({ user, username: input.username, source: input.source, settings });
      lockedUntil = refusing(started, knownBrowser);
      await lastFailed.set(input.username, { fingerprint });
    }
    const counted = { repeated };

    if (!user) {
      this.deps.signInEvents.failed(undefined, input.source, 'unknown_user', counted);
      // The same work after the answer as for a real user's previous passwords: the next
      // request must not be faster because this username does not exist.
      this.lookUpAfterAnswering(undefined, input, fingerprint, counted);
      return { ok: false, reason: 'invalid_credentials', lockedUntil };
    }
    const answer = (changedAt: Date | undefined): PasswordLoginOutcome =>
      knownBrowser && changedAt ? { ok: false, reason: 'previous_password', changedAt, lockedUntil } : { ok: false, reason: 'invalid_credentials', lockedUntil };

    if (repeated && last?.previousChangedAt !== undefined) {
      // Looked up when this password was first typed.
      const changedAt = last.previousChangedAt ? new Date(last.previousChangedAt) : undefined;
      this.recordWrongPassword(user, input.source, changedAt, counted);
      return answer(changedAt);
    }
    if (knownBrowser) {
      // This browser has signed in as the user: it learns nothing new from the wait, and being
      // told spares the person from retrying an old password for ever.
      const changedAt = await this.deps.previousPasswords.changedAwayFrom(user.id, input.password);
      await lastFailed.set(input.username, { fingerprint, previousChangedAt: changedAt?.toISOString() ?? null });
      this.recordWrongPassword(user, input.source, changedAt, counted);
      return answer(changedAt);
    }
    // Anyone else is answered first and the look-up runs afterwards, so the time of the answer
    // does not depend on whether the username exists or how many passwords it had before.
    this.lookUpAfterAnswering(user, input, fingerprint, counted);
    return answer(undefined);
  }

  /**
   * Looks the password up among the user's previous ones after answering, spending the same
   * work whatever the history holds (an unknown username included), so neither this answer nor
   * the next one is timed by it.
   */
  private lookUpAfterAnswering(user: UserRecord | undefined, input: PasswordLoginAttempt, fingerprint: string, counted: { repeated: boolean }): void {
    if (this.pendingLookups >= MAX_PENDING_LOOKUPS) {
      if (user) this.recordWrongPassword(user, input.source, undefined, { ...counted, previous_passwords_checked: false });
      return;
    }
    this.pendingLookups++;
    void this.deps.previousPasswords
      .changedAwayFromInConstantWork(user?.id ?? NO_ID, input.password)
      .then(async (changedAt) => {
        if (!user) return;
        this.recordWrongPassword(user, input.source, changedAt, counted);
        await this.deps.lastFailed.set(input.username, { fingerprint, previousChangedAt: changedAt?.toISOString() ?? null });
      })
      .catch((err: unknown) => {
        this.deps.logger.warn({ err, userId: user?.id }, 'could not look up previous passwords');
        if (user) this.recordWrongPassword(user, input.source, undefined, { ...counted, previous_passwords_checked: false });
      })
      .finally(() => {
        this.pendingLookups--;
      });
  }

  private recordWrongPassword(user: UserRecord, source: SignInSource, changedAt: Date | undefined, details: Record<string, unknown>): void {
    if (changedAt) this.deps.signInEvents.failed(user, source, 'previous_password', { ...details, password_changed_at: changedAt.toISOString() });
    else this.deps.signInEvents.failed(user, source, 'wrong_password', details);
  }
}

/** The latest lock among those just started that refuses this browser now. */
function refusing(started: ActiveLock[], knownBrowser: boolean): Date | undefined {
  return started
    .filter((lock) => !(lock.scope === 'username' && knownBrowser))
    .reduce<Date | undefined>((max, lock) => (!max || lock.until > max ? lock.until : max), undefined);
}

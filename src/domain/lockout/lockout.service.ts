import type { UserRecord } from '../users/user.js';
import type { EventLog } from '../events/event-log.js';
import type { Actor } from '../events/event-types.js';
import { sourceFields, type SignInSource } from '../events/sign-in-events.js';
import type { TenantRepository } from '../tenants/tenant.repository.js';
import type { ActiveLock, AttemptCheck, LockoutCounters } from './lockout-counters.js';
import { lockoutSettingsOf, type LockoutSettings } from './lockout-policy.js';
import type { LastFailedPasswords } from './last-failed-password.js';

export type { ActiveLock } from './lockout-counters.js';

/** A sign-in (or password change) about to have its password checked. */
export interface AttemptInput {
  username: string;
  source: SignInSource;
  settings: LockoutSettings;
  /** The browser has signed in as this user before (see LockoutCounters.checkAttempt). */
  spareUsernameLock: boolean;
}

export interface LockoutDependencies {
  counters: LockoutCounters;
  lastFailed: LastFailedPasswords;
  tenants: TenantRepository;
  events: EventLog;
  /** Addresses the user failed from lately (the event log knows; the counter store cannot list them). */
  recentFailureIps: (userId: string) => Promise<string[]>;
  /** The same for many users at once (one read for a page of users). */
  recentFailureIpsOfMany: (userIds: readonly string[]) => Promise<Map<string, string[]>>;
  /** A lock of a known user began (the security notice of DESIGN §8). */
  onLocked?: (user: UserRecord, until: Date) => void;
}


/**
 * Brute-force protection of sign-in (DESIGN §7), in terms of users and events: the counters live
 * in `LockoutCounters`; this decides which settings apply, records `account.locked` and
 * `account.unlocked`, and is what the password step, the SMS step and administrators call.
 */
export class LockoutService {
  constructor(private readonly deps: LockoutDependencies) {}

  /** The lock refusing a sign-in of `username` from `source` now, if any. */
  async lockFor(input: AttemptInput): Promise<ActiveLock | undefined> {
    return (await this.checkAttempt(input)).lock;
  }

  /** `lockFor`, and whether a success must forget failures (pass it on to `recordSuccess`). */
  async checkAttempt(input: AttemptInput): Promise<AttemptCheck> {
    return this.deps.counters.checkAttempt({ username: input.username, ip: input.source.ip, settings: input.settings, spareUsernameLock: input.spareUsernameLock });
  }

  /**
   * Counts one failure of `username` (user: when it names one) and records each lock it starts.
   * Returns those locks.
   */
  async recordFailure(input: { user?: UserRecord; username: string; source: SignInSource; settings: LockoutSettings }): Promise<ActiveLock[]> {
    const started = await this.deps.counters.recordFailure({ username: input.username, ip: input.source.ip, settings: input.settings });
    for (const lock of started) {
      this.deps.events.record({
        type: 'account.locked',
        tenant_id: input.user?.tenant_id ?? null,
        user_id: input.user?.id ?? null,
        ...sourceFields(input.source),
        reason: lock.scope,
        details: { until: lock.until.toISOString(), failures: lock.failures, cause: 'password' },
      });
      if (input.user) this.deps.onLocked?.(input.user, lock.until);
    }
    return started;
  }

  /** The right password: the username's run of failures is over. `checked`: see `checkAttempt`. */
  async recordSuccess(username: string, source: SignInSource, checked?: AttemptCheck): Promise<void> {
    // Nothing counted: nothing to reset, and the last wrong password, should one be remembered,
    // no longer matters (it is only compared while failures count).
    if (checked && !checked.failuresToForget) return;
    await Promise.all([this.deps.counters.recordSuccess(username, source.ip, checked), this.deps.lastFailed.forget(username)]);
  }

  /**
   * For the SMS step: a second-factor challenge ran out of tries ("too many wrong codes counts
   * toward lockout"). Counted per username apart from passwords (the password before it was a
   * success); from `max_failures` of them the user is locked, doubling like passwords, on every
   * browser that has not signed in as them before. Returns until when, if this started a lock.
   */
  async recordSecondFactorFailure(user: UserRecord, source: SignInSource): Promise<{ lockedUntil?: Date }> {
    const settings = lockoutSettingsOf(await this.deps.tenants.findById(user.tenant_id));
    const lock = await this.deps.counters.recordSecondFactorFailure(user.username, settings);
    if (lock) {
      this.deps.events.record({
        type: 'account.locked',
        tenant_id: user.tenant_id,
        user_id: user.id,
        ...sourceFields(source),
        reason: lock.scope,
        details: { until: lock.until.toISOString(), failures: lock.failures, cause: 'second_factor' },
      });
      this.deps.onLocked?.(user, lock.until);
    }
    return { lockedUntil: lock?.until };
  }

  /** For the SMS step: until when the user's second-factor lock holds, on every browser. */
  async secondFactorLockedUntil(user: UserRecord): Promise<Date | undefined> {
    return (await this.deps.counters.secondFactorLock(user.username))?.until;
  }

  /** For the SMS step: the sign-in is complete, the second-factor failures are forgotten. */
  async recordSecondFactorSuccess(user: UserRecord): Promise<void> {
    await this.deps.counters.recordSecondFactorSuccess(user.username);
  }

  /**
   * For the SMS step: until when this user's sign-in from `source` is locked, if it is.
   * `knownBrowser`: the browser holds the user's device cookie (spared the username-wide lock).
   */
  async lockedUntil(user: UserRecord, source: SignInSource, knownBrowser: boolean): Promise<Date | undefined> {
    const settings = lockoutSettingsOf(await this.deps.tenants.findById(user.tenant_id));
    return (await this.lockFor({ username: user.username, source, settings, spareUsernameLock: knownBrowser }))?.until;
  }

  /** The user's locks in force: username-wide, and from the addresses they failed from lately. */
  async activeLocks(user: UserRecord): Promise<ActiveLock[]> {
    const settings = lockoutSettingsOf(await this.deps.tenants.findById(user.tenant_id));
    return this.deps.counters.activeLocks(user.username, await this.deps.recentFailureIps(user.id), settings);
  }

  /**
   * `activeLocks` of a page of users: each tenant's settings and every user's recent addresses
   * read once for the page, then the counters of all users in two statements, instead of a few
   * reads per user.
   */
  async activeLocksOfMany(users: readonly UserRecord[]): Promise<Map<string, ActiveLock[]>> {
    const tenantIds = [...new Set(users.map((user) => user.tenant_id))];
    const [tenants, ips] = await Promise.all([Promise.all(tenantIds.map((id) => this.deps.tenants.findById(id))), this.deps.recentFailureIpsOfMany(users.map((user) => user.id))]);
    const settings = new Map(tenantIds.map((id, index) => [id, lockoutSettingsOf(tenants[index])]));
    const locks = await this.deps.counters.activeLocksOfMany(users.map((user) => ({ username: user.username, ips: ips.get(user.id) ?? [], settings: settings.get(user.tenant_id)! })));
    return new Map(users.map((user, index) => [user.id, locks[index]!]));
  }

  /**
   * Lifts the user's locks and forgets their failures, from every address (an administrator's
   * unlock, a completed password reset). A lock of an address across usernames is not this
   * user's to lift and stays. Returns the locks that were lifted.
   */
  async unlock(user: UserRecord, how: { reason: 'unlocked_by_admin' | 'password_reset'; actor?: Actor }): Promise<ActiveLock[]> {
    const lifted = (await this.activeLocks(user)).filter((lock) => lock.scope !== 'ip');
    await Promise.all([this.deps.counters.clear(user.username), this.deps.lastFailed.forget(user.username)]);
    if (lifted.length) {
      const event = { type: 'account.unlocked', tenant_id: user.tenant_id, user_id: user.id, actor: how.actor ?? null, reason: how.reason, details: { locks: lifted.map(describeLock) } } as const;
      // An administrator's act is written before the answer, never dropped with the queue.
      if (how.actor) await this.deps.events.write(event);
      else this.deps.events.record(event);
    }
    return lifted;
  }

  /** The administrator's unlock: an `admin.user_unlocked` event whether or not a lock was in force. */
  async unlockByAdmin(user: UserRecord, actor: Actor): Promise<ActiveLock[]> {
    const lifted = await this.unlock(user, { reason: 'unlocked_by_admin', actor });
    await this.deps.events.write({ type: 'admin.user_unlocked', tenant_id: user.tenant_id, user_id: user.id, actor, details: { locks_lifted: lifted.length } });
    return lifted;
  }
}

export function describeLock(lock: ActiveLock) {
  return { scope: lock.scope, until: lock.until.toISOString(), failures: lock.failures, ...(lock.ip ? { ip: lock.ip } : {}) };
}

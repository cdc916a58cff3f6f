import type { DurableKey, RateLimit, RateLimiters } from '../../infrastructure/rate-limits/rate-limiters.js';
import { FAILURE_MEMORY_SECONDS, IP_WINDOW_SECONDS, lockSecondsAfter, lockoutSubject, type LockScope, type LockoutSettings } from './lockout-policy.js';

export interface ActiveLock {
  scope: LockScope;
  until: Date;
  /** Failures counted in that scope when looked at. */
  failures: number;
  /** The address, for `username_ip` and `ip` locks. */
  ip?: string;
}

// Counters are compared against each tenant's own thresholds, so the limiter itself never refuses.
const UNCAPPED = 1_000_000_000;
/**
 * A username's generation outlives every counter keyed by it (a day) by far, so when it expires
 * and starts again from 0 no counter of an older generation is still alive to be revived.
 */
const GENERATION_SECONDS = 30 * 24 * 60 * 60;

/**
 * The lockout's counters and locks, in rate-limiter-flexible on PostgreSQL (never only in Redis:
 * they must survive a Redis outage or restart), so every replica sees the same counts. Scopes (DESIGN §7):
 * - a username from one address: consecutive failures, locks doubling from `max_failures`;
 * - a username from every address: the same from `username_max_failures`;
 * - an address across usernames: `ip_failures_per_hour`, locked until the hour is over;
 * - a username's second factor: challenges that ran out of tries, locks doubling from
 *   `max_failures`. Counted apart because the password that leads to the second factor is a
 *   success: it would otherwise wipe the count each time, and never let it add up.
 * Usernames enter only as `lockoutSubject` digests, so every spelling of one name is one key and
 * unknown names are keyed and counted exactly like real ones.
 *
 * Per-address counters of a username carry the username's generation: clearing a username
 * (unlock, completed reset) moves it to a new generation, which forgets its counters and locks
 * from every address at once without having to know the addresses.
 */
export class LockoutCounters {
  private readonly byUsernameAndIp: RateLimit;
  private readonly byUsername: RateLimit;
  private readonly byIp: RateLimit;
  private readonly bySecondFactor: RateLimit;
  private readonly locks: RateLimit;
  private readonly generations: RateLimit;

  constructor(private readonly limiters: RateLimiters) {
    // Durable: a lock must outlive a Redis restart, and counts made while Redis was away must
    // still count once it is back.
    const durable = { durable: true };
    this.byUsernameAndIp = limiters.create('lockout-user-ip', UNCAPPED, FAILURE_MEMORY_SECONDS, durable);
    this.byUsername = limiters.create('lockout-user', UNCAPPED, FAILURE_MEMORY_SECONDS, durable);
    this.byIp = limiters.create('lockout-ip', UNCAPPED, IP_WINDOW_SECONDS, durable);
    this.bySecondFactor = limiters.create('lockout-second-factor', UNCAPPED, FAILURE_MEMORY_SECONDS, durable);
    this.locks = limiters.create('lockout-lock', 1, FAILURE_MEMORY_SECONDS, durable);
    this.generations = limiters.create('lockout-generation', UNCAPPED, GENERATION_SECONDS, durable);
  }

  /** The lock that refuses an attempt now, if any (see `checkAttempt`). */
  async lockFor(attempt: AttemptToCheck): Promise<ActiveLock | undefined> {
    return (await this.checkAttempt(attempt)).lock;
  }

  /**
   * What an attempt meets before its password is checked: the lock that refuses it now, if any,
   * and whether a success would have failures or locks of the username to forget. Every sign-in
   * asks this: seven counters and locks, and the username's generation they are keyed by, in
   * one statement.
   * `spareUsernameLock`: the browser has signed in as this user before, so an attacker's
   * failures elsewhere do not lock the person out of it.
   */
  async checkAttempt(attempt: AttemptToCheck): Promise<AttemptCheck> {
    const subject = lockoutSubject(attempt.username);
    const { states } = await this.limiters.readDurableOfGeneration({ limit: this.generations, key: subject }, (generation) => {
      const keys = counterKeys(subject, generation, attempt.ip);
      return [
        { limit: this.locks, key: keys.usernameIpLock },
        { limit: this.locks, key: keys.usernameLock },
        { limit: this.locks, key: keys.secondFactorLock },
        { limit: this.byIp, key: keys.ip },
        { limit: this.byUsernameAndIp, key: keys.usernameIp },
        { limit: this.byUsername, key: keys.username },
        { limit: this.bySecondFactor, key: keys.secondFactor },
      ];
    });
    const [fromHereLock, everywhereLock, secondFactorLock, address, fromHereFailures, everywhereFailures, secondFactorFailures] = states;
    // What `recordSuccess` resets; when none of it is there, a success has nothing to write.
    const failuresToForget = [fromHereLock, everywhereLock, fromHereFailures, everywhereFailures].some((state) => state!.total > 0);
    const fromHere = fromHereLock!.blockedForMs;
    // The username-wide password lock spares a known browser: an attacker must not lock a person
    // out of their own computer. The second-factor lock spares nobody: whoever hit it already
    // had the password.
    const everywhere = attempt.spareUsernameLock ? 0 : everywhereLock!.blockedForMs;
    const secondFactor = secondFactorLock!.blockedForMs;
    const now = Date.now();
    let lock: ActiveLock | undefined;
    if (fromHere > 0) lock = { scope: 'username_ip', until: new Date(now + fromHere), failures: fromHereFailures!.total, ip: attempt.ip };
    else if (everywhere > 0) lock = { scope: 'username', until: new Date(now + everywhere), failures: everywhereFailures!.total };
    else if (secondFactor > 0) lock = { scope: 'second_factor', until: new Date(now + secondFactor), failures: secondFactorFailures!.total };
    else if (address!.total >= attempt.settings.ip_failures_per_hour) lock = { scope: 'ip', until: new Date(now + address!.resetsInMs), failures: address!.total, ip: attempt.ip };
    return { lock, failuresToForget };
  }

  /** Counts one wrong password in the three password scopes; returns the locks it started. */
  async recordFailure(attempt: { username: string; ip: string; settings: LockoutSettings }): Promise<ActiveLock[]> {
    const { settings } = attempt;
    const keys = await this.keys(attempt.username, attempt.ip);
    const [fromHere, everywhere, address] = await Promise.all([this.byUsernameAndIp.add(keys.usernameIp), this.byUsername.add(keys.username), this.byIp.add(keys.ip)]);
    const now = Date.now();
    const started: ActiveLock[] = [];

    const fromHereSeconds = lockSecondsAfter(fromHere.total, settings.max_failures, settings);
    if (fromHereSeconds > 0) {
      await this.locks.block(keys.usernameIpLock, fromHereSeconds);
      started.push({ scope: 'username_ip', until: new Date(now + fromHereSeconds * 1000), failures: fromHere.total, ip: attempt.ip });
    }
    const everywhereSeconds = lockSecondsAfter(everywhere.total, settings.username_max_failures, settings);
    if (everywhereSeconds > 0) {
      await this.locks.block(keys.usernameLock, everywhereSeconds);
      started.push({ scope: 'username', until: new Date(now + everywhereSeconds * 1000), failures: everywhere.total });
    }
    // Reported once, when the hour's count reaches the limit; it lasts until the hour is over.
    if (address.total === settings.ip_failures_per_hour) started.push({ scope: 'ip', until: new Date(now + address.resetsInMs), failures: address.total, ip: attempt.ip });
    return started;
  }

  /**
   * A second-factor challenge of the username ran out of tries. Returns the lock it started, if
   * any. Only a completed sign-in (`recordSecondFactorSuccess`), an unlock or a reset forgets it.
   */
  async recordSecondFactorFailure(username: string, settings: LockoutSettings): Promise<ActiveLock | undefined> {
    const keys = await this.keys(username, '');
    const { total } = await this.bySecondFactor.add(keys.secondFactor);
    const seconds = lockSecondsAfter(total, settings.max_failures, settings);
    if (!seconds) return undefined;
    await this.locks.block(keys.secondFactorLock, seconds);
    return { scope: 'second_factor', until: new Date(Date.now() + seconds * 1000), failures: total };
  }

  /** The second-factor lock of a username, if one is in force. */
  async secondFactorLock(username: string): Promise<ActiveLock | undefined> {
    const keys = await this.keys(username, '');
    const ms = await this.locks.blockedForMs(keys.secondFactorLock);
    return ms > 0 ? { scope: 'second_factor', until: new Date(Date.now() + ms), failures: (await this.bySecondFactor.peek(keys.secondFactor)).total } : undefined;
  }

  async recordSecondFactorSuccess(username: string): Promise<void> {
    const keys = await this.keys(username, '');
    await Promise.all([this.bySecondFactor.reset(keys.secondFactor), this.locks.reset(keys.secondFactorLock)]);
  }

  /**
   * The right password: the username's consecutive failures start again, from this address and
   * from everywhere. The per-address count across usernames stays: an attacker signing in to an
   * account of their own must not wipe the count of their guesses at others. `checked`: what
   * the attempt met before its password was checked; with nothing to forget then (the usual
   * sign-in), nothing is written. Failures counted meanwhile (during the password check) are
   * not this success's to forget.
   */
  async recordSuccess(username: string, ip: string, checked?: AttemptCheck): Promise<void> {
    if (checked && !checked.failuresToForget) return;
    const keys = await this.keys(username, ip);
    await this.limiters.resetDurable([
      { limit: this.byUsernameAndIp, key: keys.usernameIp },
      { limit: this.locks, key: keys.usernameIpLock },
      { limit: this.byUsername, key: keys.username },
      { limit: this.locks, key: keys.usernameLock },
    ]);
  }

  /** Forgets every count and lock of a username, from every address (unlock, completed reset). */
  async clear(username: string): Promise<void> {
    const subject = lockoutSubject(username);
    await this.generations.add(subject);
    await Promise.all([this.byUsername.reset(subject), this.locks.reset(`u:${subject}`)]);
  }

  /**
   * The locks in force for a username: username-wide, and from each of `ips` (the addresses it
   * failed from recently: the store cannot list them), by username or across usernames.
   */
  async activeLocks(username: string, ips: readonly string[], settings: LockoutSettings): Promise<ActiveLock[]> {
    return (await this.activeLocksOfMany([{ username, ips, settings }]))[0]!;
  }

  /**
   * `activeLocks` of many usernames (a page of the admin search) in two statements: their
   * generations, then every lock and count that could show. One by one, a page of 50 was some
   * 150 statements.
   */
  async activeLocksOfMany(people: readonly LockoutPerson[]): Promise<ActiveLock[][]> {
    if (!people.length) return [];
    const subjects = people.map((person) => lockoutSubject(person.username));
    const generations = await this.generationsOf(subjects);
    const reads: DurableKey[] = [];
    const read = (limit: RateLimit, key: string) => reads.push({ limit, key }) - 1;
    const plans = people.map((person, index) => {
      const base = counterKeys(subjects[index]!, generations[index]!, '');
      return {
        usernameLock: read(this.locks, base.usernameLock),
        username: read(this.byUsername, base.username),
        secondFactorLock: read(this.locks, base.secondFactorLock),
        secondFactor: read(this.bySecondFactor, base.secondFactor),
        addresses: [...new Set(person.ips)].map((ip) => {
          const keys = counterKeys(subjects[index]!, generations[index]!, ip);
          return { ip, lock: read(this.locks, keys.usernameIpLock), failures: read(this.byUsernameAndIp, keys.usernameIp), acrossUsernames: read(this.byIp, keys.ip) };
        }),
      };
    });
    const states = await this.limiters.readDurable(reads);
    const now = Date.now();
    return plans.map((plan, index) => {
      const locks: ActiveLock[] = [];
      const lockedFor = (at: number) => states[at]!.blockedForMs;
      if (lockedFor(plan.usernameLock) > 0) locks.push({ scope: 'username', until: new Date(now + lockedFor(plan.usernameLock)), failures: states[plan.username]!.total });
      if (lockedFor(plan.secondFactorLock) > 0) locks.push({ scope: 'second_factor', until: new Date(now + lockedFor(plan.secondFactorLock)), failures: states[plan.secondFactor]!.total });
      for (const address of plan.addresses) {
        if (lockedFor(address.lock) > 0) locks.push({ scope: 'username_ip', until: new Date(now + lockedFor(address.lock)), failures: states[address.failures]!.total, ip: address.ip });
        const across = states[address.acrossUsernames]!;
        if (across.total >= people[index]!.settings.ip_failures_per_hour) locks.push({ scope: 'ip', until: new Date(now + across.resetsInMs), failures: across.total, ip: address.ip });
      }
      return locks;
    });
  }

  private async keys(username: string, ip: string) {
    const subject = lockoutSubject(username);
    const [generation] = await this.generationsOf([subject]);
    return counterKeys(subject, generation!, ip);
  }

  /** The current generation of each lockout subject, in one statement. */
  private async generationsOf(subjects: readonly string[]): Promise<number[]> {
    return (await this.limiters.readDurable(subjects.map((subject) => ({ limit: this.generations, key: subject })))).map((state) => state.total);
  }
}

/** A sign-in attempt about to have its password checked. */
export interface AttemptToCheck {
  username: string;
  ip: string;
  settings: LockoutSettings;
  spareUsernameLock: boolean;
}

/** What `checkAttempt` found. */
export interface AttemptCheck {
  /** The lock that refuses the attempt now, if any. */
  lock?: ActiveLock;
  /** Whether the username has failures or a lock that a success must forget. */
  failuresToForget: boolean;
}

/** A username whose locks are asked for, the addresses it failed from lately, its tenant's settings. */
export interface LockoutPerson {
  username: string;
  ips: readonly string[];
  settings: LockoutSettings;
}

/** The keys of a username's counters and locks in its current generation, from address `ip`. */
function counterKeys(subject: string, generation: number | string, ip: string) {
  const usernameIp = `${subject}:${generation}:${ip}`;
  const secondFactor = `${subject}:${generation}`;
  return { username: subject, usernameLock: `u:${subject}`, usernameIp, usernameIpLock: `uip:${usernameIp}`, secondFactor, secondFactorLock: `sf:${secondFactor}`, ip };
}

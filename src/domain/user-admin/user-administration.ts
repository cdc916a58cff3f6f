import type { MessageRecord } from '../delivery/message.js';
import type { Actor } from '../events/event-types.js';
import type { SsoConnectionRepository } from '../federation/sso-connection.repository.js';
import { assertPasswordsInUse, passwordsNotInUse } from '../federation/password-sign-in-rule.js';
import type { ActiveLock, LockoutService } from '../lockout/lockout.service.js';
import type { RecoveryService } from '../recovery/recovery.service.js';
import type { SignOutReport } from '../sessions/sign-out.service.js';
import type { TenantRecord } from '../tenants/tenant.js';
import type { UserRecord } from '../users/user.js';
import { maskEmail } from '../users/contact-masking.js';
import type { RateLimit } from '../../infrastructure/rate-limits/rate-limiters.js';
import { GatehouseError } from '../../infrastructure/http/gatehouse-error.js';
import type { NewUserInput, UserAdminService } from './user-admin.service.js';

export interface UserAdministrationDependencies {
  userAdmin: UserAdminService;
  lockout: LockoutService;
  recovery: RecoveryService;
  ssoConnections: SsoConnectionRepository;
  /** Emails administrators' calls may send one person in an hour. */
  adminMessages: RateLimit;
}

/**
 * The administrator's actions on one user as the admin API and the console both offer them,
 * once: which rules apply before the user service acts (a tenant that signs in only through its
 * own provider has no Gatehouse passwords; emails to one person are limited per hour) and what
 * the answer says (the lock in force). Authorization happens before, in the caller's entry
 * point, through the one access policy.
 */
export class UserAdministration {
  constructor(private readonly deps: UserAdministrationDependencies) {}

  /** The end of the user's longest sign-in lock in force (an address locked across usernames aside). */
  async lockedUntil(user: UserRecord): Promise<Date | undefined> {
    return latestPersonalLock(await this.deps.lockout.activeLocks(user));
  }

  /** `lockedUntil` of a page of users, read together (the search, the console's list). */
  async lockedUntilOfMany(users: readonly UserRecord[]): Promise<Map<string, Date | undefined>> {
    const locks = await this.deps.lockout.activeLocksOfMany(users);
    return new Map(users.map((user) => [user.id, latestPersonalLock(locks.get(user.id) ?? [])]));
  }

  /** Creates a user; without a password the address is emailed a temporary one (limited per address). */
  async create(tenant: TenantRecord, input: NewUserInput, actor: Actor): Promise<{ user: UserRecord; invitation?: MessageRecord }> {
    // Where the tenant requires its own provider, people get no Gatehouse password: they sign
    // in there and are linked by their address in the tenant's domains.
    const connection = await this.deps.ssoConnections.ofTenant(tenant.id);
    const ssoOnly = connection?.required ?? false;
    if (connection && ssoOnly && input.password !== undefined) throw passwordsNotInUse(connection);
    const create = () => this.deps.userAdmin.create(tenant, input, actor, { withoutPassword: ssoOnly });
    return input.password === undefined && !ssoOnly ? this.withMessageLimit(`email:${input.email.toLowerCase()}`, create) : create();
  }

  /** Sets a password and signs the user out of every app and device: what was cut off. */
  async setPassword(tenant: TenantRecord, user: UserRecord, input: { password: string; temporary?: boolean }, actor: Actor): Promise<SignOutReport> {
    await assertPasswordsInUse(this.deps.ssoConnections, tenant.id);
    return this.deps.userAdmin.setPassword(tenant, user, input, actor);
  }

  /**
   * The "Reset" button: emails a code and a link. A user who never used their temporary password
   * gets a 409 naming `temporary-password` (offer that instead).
   */
  async sendReset(user: UserRecord, actor: Actor): Promise<{ sent_to: string; codeExpiresAt: Date; message: MessageRecord }> {
    await assertPasswordsInUse(this.deps.ssoConnections, user.tenant_id);
    // The reset's own limit (codes per username an hour) speaks first: its words say when.
    await this.deps.recovery.refuseIfCodeLimitReached(user);
    const { codeExpiresAt, message } = await this.withMessageLimit(`user:${user.id}`, () => this.deps.recovery.startForUser(user, actor));
    return { sent_to: maskEmail(user.email!), codeExpiresAt, message };
  }

  /** Emails a new temporary password (forced change at the next sign-in), signing the user out everywhere. */
  async sendTemporaryPassword(tenant: TenantRecord, user: UserRecord, actor: Actor): Promise<{ sent_to: string; expires_at: string; message?: MessageRecord }> {
    await assertPasswordsInUse(this.deps.ssoConnections, tenant.id);
    return this.withMessageLimit(`user:${user.id}`, () => this.deps.userAdmin.sendNewTemporaryPassword(tenant, user, actor));
  }

  /**
   * A call that emails a person takes one of the person's messages of the hour first (atomic in
   * the shared store: a script firing in parallel gets no more), and gives it back when the call
   * fails before sending. Past the limit: 429 saying when to try again.
   */
  private async withMessageLimit<T>(key: string, send: () => Promise<T>): Promise<T> {
    const decision = await this.deps.adminMessages.consume(key);
    if (!decision.allowed) {
      const retryAt = new Date(Date.now() + decision.retryAfterSeconds * 1000).toISOString();
      throw new GatehouseError('rate_limited', `Too many emails to this person from administrators: try again after ${retryAt}.`, {
        retry_after: decision.retryAfterSeconds,
        retry_after_seconds: decision.retryAfterSeconds,
        retry_at: retryAt,
      });
    }
    try {
      return await send();
    } catch (err) {
      await this.deps.adminMessages.refund(key);
      throw err;
    }
  }
}

/** The end of the longest lock of the person (a lock of an address across usernames is not theirs). */
function latestPersonalLock(locks: readonly ActiveLock[]): Date | undefined {
  return locks.filter((lock) => lock.scope !== 'ip').reduce<Date | undefined>((latest, lock) => (!latest || lock.until > latest ? lock.until : latest), undefined);
}

import type { Knex } from 'knex';
import type { UserRepository } from '../users/user.repository.js';
import type { UserRecord } from '../users/user.js';
import type { UserMail } from '../notifications/user-mail.js';
import type { EventLog } from '../events/event-log.js';
import type { Actor, GatehouseEvent } from '../events/event-types.js';
import { GatehouseError } from '../../infrastructure/http/gatehouse-error.js';
import type { RevocationReason } from '../sessions/revocation-reasons.js';
import type { SignOutReport, SignOutService } from '../sessions/sign-out.service.js';
import type { TenantRecord } from '../tenants/tenant.js';
import type { PasswordHasher } from './password-hasher.js';
import type { PasswordHistoryRepository } from './password-history.repository.js';
import { describePasswordProblem, passwordProblems, type PasswordProblem } from './password-policy.js';

export interface PasswordChangeDependencies {
  /** The change, the sign-out it causes and its audit events commit in one transaction. */
  knex: Knex;
  users: UserRepository;
  hasher: PasswordHasher;
  signOut: SignOutService;
  mail: UserMail;
  events: EventLog;
  /** Called after a change that must lift a lockout (a completed reset). */
  onPasswordReset?: (user: UserRecord) => Promise<void>;
  /** Keeps the replaced hash, so a previous password typed again is recognised (DESIGN §4). */
  history?: PasswordHistoryRepository;
  /**
   * Ends the person's open password resets in the change's transaction: a code emailed before
   * the change (an administrator's new password, the person's own) sets no password after it.
   */
  closeResets?: (trx: Knex.Transaction, userId: string) => Promise<void>;
}

export interface PasswordChange {
  password: string;
  /** A temporary password must be changed at the next sign-in. */
  temporary?: boolean;
  /** Why every session and token is cut off; omitted when the user keeps the current sign-in (forced change). */
  signOutReason?: RevocationReason;
  /** For the notice email: "by an administrator", "with a code sent to your email". */
  how: string;
  actor?: Actor;
  /** Send the "your password was changed" notice (off when another email already tells). */
  notify?: boolean;
  /** More audit events of the change (the administrator's), committed with it. */
  audit?: GatehouseEvent[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The one way a password is set, whoever sets it (administrator, reset, forced change): the
 * same policy, the same hashing, sign-out everywhere when access changes hands, a
 * `password.changed` event, all committed together, and a notice to the user.
 */
export class PasswordChangeService {
  constructor(private readonly deps: PasswordChangeDependencies) {}

  /** What is wrong with a proposed password; a 400 naming `field` when `throwAs` is given. */
  problems(tenant: TenantRecord, username: string, password: string): PasswordProblem[] {
    return passwordProblems({ password, username, minLength: tenant.settings.password.min_length });
  }

  assertAcceptable(tenant: TenantRecord, username: string, password: string, field = 'password'): void {
    // The admin API speaks English to integrations; pages word the problems in their own language.
    const problems = this.problems(tenant, username, password).map((problem) => describePasswordProblem(problem));
    if (problems.length) throw new GatehouseError('invalid_request', `The password does not meet the policy: ${problems.join(' ')}`, { errors: problems.map((message) => ({ field, message })) });
  }

  async change(tenant: TenantRecord, user: UserRecord, change: PasswordChange): Promise<SignOutReport | undefined> {
    this.assertAcceptable(tenant, user.username, change.password);
    const temporary = change.temporary === true;
    const changedAt = new Date();
    // Hashed before the transaction: it holds no row lock while bcrypt runs.
    const passwordHash = await this.deps.hasher.hash(change.password);
    const cut = await this.deps.knex.transaction(async (trx) => {
      if (user.password_hash) await this.deps.history?.within(trx).remember(user.id, user.password_hash, changedAt);
      await this.deps.users.within(trx).update(user.id, {
        password_hash: passwordHash,
        password_changed_at: changedAt,
        password_temporary: temporary,
        password_expires_at: temporary ? new Date(Date.now() + tenant.settings.password.temporary_ttl_days * DAY_MS) : null,
      });
      await this.deps.closeResets?.(trx, user.id);
      const signedOut = change.signOutReason ? await this.deps.signOut.cutOff(trx, user.id, change.signOutReason) : undefined;
      await this.deps.events.writeWithin(trx, [
        { type: 'password.changed', tenant_id: tenant.id, user_id: user.id, actor: change.actor, reason: change.signOutReason ?? 'password_changed', details: { temporary, ...(signedOut?.report ?? {}) } },
        ...(change.audit ?? []),
      ]);
      return signedOut;
    });
    if (cut) await this.deps.signOut.sweep(cut);
    if (change.signOutReason === 'password_reset') await this.deps.onPasswordReset?.(user);
    if (change.notify !== false) await this.notify(tenant, user, change.how);
    return cut?.report;
  }

  /** Security notice (DESIGN §8). */
  private async notify(tenant: TenantRecord, user: UserRecord, how: string): Promise<void> {
    await this.deps.mail.send('password-changed', user, tenant, { how, when: new Date() });
  }
}

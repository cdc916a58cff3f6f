import type { Knex } from 'knex';
import type { UserMail } from '../notifications/user-mail.js';
import type { MessageRecord } from '../delivery/message.js';
import type { DeviceRepository } from '../devices/device.repository.js';
import type { EventLog } from '../events/event-log.js';
import type { Actor } from '../events/event-types.js';
import { GatehouseError } from '../../infrastructure/http/gatehouse-error.js';
import type { PasswordHasher } from '../passwords/password-hasher.js';
import type { PasswordChangeService } from '../passwords/password-change.service.js';
import { generateTemporaryPassword } from '../passwords/temporary-password.js';
import type { SignOutReport, SignOutService } from '../sessions/sign-out.service.js';
import type { TenantRecord } from '../tenants/tenant.js';
import { takeSeat } from '../tenants/seats.js';
import { maskEmail } from '../users/contact-masking.js';
import { toE164 } from '../users/phone-number.js';
import type { UserRepository } from '../users/user.repository.js';
import { normalizeUsername, type Role, type UserRecord } from '../users/user.js';

/** Standard profile claims an administrator may set (released with the profile scope). */
export interface ProfileClaimsInput {
  given_name?: string | null;
  family_name?: string | null;
  locale?: string | null;
  zoneinfo?: string | null;
}
const PROFILE_CLAIMS = ['given_name', 'family_name', 'locale', 'zoneinfo'] as const;

export interface NewUserInput extends ProfileClaimsInput {
  username: string;
  email: string;
  name?: string;
  phone?: string;
  role?: Role;
  password?: string;
}

export interface UserChanges extends ProfileClaimsInput {
  email?: string;
  name?: string | null;
  phone?: string | null;
  role?: Role;
  disabled?: boolean;
  /** Authorized before (operators only). */
  is_operator?: boolean;
}

export interface UserAdminDependencies {
  knex: Knex;
  users: UserRepository;
  hasher: PasswordHasher;
  signOut: SignOutService;
  passwords: PasswordChangeService;
  devices: DeviceRepository;
  mail: UserMail;
  events: EventLog;
  /** Ends the person's open password resets within a transaction (a disabled account's codes set no password). */
  closeResets?: (trx: Knex.Transaction, userId: string) => Promise<void>;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** How long an administrator's call waits for an email's fate before answering. */
const ADMIN_WAIT_MS = 5_000;
/** How long it waits for the apps' logout tokens to be taken (or refused) before answering. */
const LOGOUT_NOTICE_WAIT_MS = 3_000;

/**
 * What administrators do to a tenant's users. Authorization happens before (admin routes);
 * this enforces the rules that hold whoever asks: password policy, unique usernames, E.164
 * phones, and that taking access away (password set, disable, delete) signs the user out
 * everywhere at once. Each change and its `admin.*` event are written in one transaction: no
 * change without its record, no record of a change that did not happen.
 */
export class UserAdminService {
  constructor(private readonly deps: UserAdminDependencies) {}

  /** `invitation`: the email with the temporary password, once sent or failed (or still retrying). */
  async create(tenant: TenantRecord, input: NewUserInput, actor: Actor, options: { withoutPassword?: boolean } = {}): Promise<{ user: UserRecord; invitation?: MessageRecord }> {
    const settings = tenant.settings;
    const phone = input.phone ? this.phoneOrThrow(input.phone, settings.country) : null;
    let password = input.password;
    // Without a password (single sign-on only): nothing to hash, nothing to email.
    const temporary = password === undefined && !options.withoutPassword;
    if (password !== undefined) this.deps.passwords.assertAcceptable(tenant, input.username, password);
    else password = generateTemporaryPassword(settings.password.min_length);

    await this.assertUsernameFree(input.username);
    const passwordHash = options.withoutPassword ? null : await this.deps.hasher.hash(password);
    const user = await this.deps.knex.transaction(async (trx) => {
      const inserted = await this.deps.users.insert(
        {
          tenant_id: tenant.id,
          username: input.username,
          email: input.email,
          name: input.name ?? null,
          ...Object.fromEntries(PROFILE_CLAIMS.map((claim) => [claim, input[claim] ?? null])),
          phone,
          role: input.role ?? 'member',
          password_hash: passwordHash,
          password_temporary: temporary,
          password_expires_at: temporary ? new Date(Date.now() + settings.password.temporary_ttl_days * DAY_MS) : null,
        },
        trx,
      );
      if (inserted) await this.deps.events.writeIn(trx, { type: 'admin.user_created', tenant_id: tenant.id, user_id: inserted.id, actor, details: { role: inserted.role, temporary_password: temporary } });
      // Last, so the tenant's row is locked only until the commit right after.
      if (inserted) await takeSeat(trx, tenant, { counted: true });
      return inserted;
    });
    // A parallel creation won the race for the name or a look-alike of it: the indexes decided.
    if (!user) {
      await this.assertUsernameFree(input.username);
      throw new GatehouseError('conflict', `The username "${input.username}" is already taken.`);
    }
    if (!temporary) return { user };
    return { user, invitation: await this.sendTemporaryPassword(tenant, user, password) };
  }

  async update(tenant: TenantRecord, user: UserRecord, changes: UserChanges, actor: Actor): Promise<{ user: UserRecord; signed_out?: SignOutReport }> {
    const settings = tenant.settings;
    const update: Partial<UserRecord> = {};
    if (changes.email !== undefined) update.email = changes.email;
    if (changes.name !== undefined) update.name = changes.name;
    if (changes.role !== undefined) update.role = changes.role;
    for (const claim of PROFILE_CLAIMS) if (changes[claim] !== undefined) update[claim] = changes[claim];
    if (changes.disabled !== undefined) update.disabled = changes.disabled;
    if (changes.is_operator !== undefined) update.is_operator = changes.is_operator;
    if (changes.phone !== undefined) {
      update.phone = changes.phone === null ? null : this.phoneOrThrow(changes.phone, settings.country);
      // A number set by someone else is trusted for the second factor only once its code is entered.
      if (update.phone !== user.phone) update.phone_verified = false;
    }
    const phoneChanged = update.phone !== undefined && update.phone !== user.phone;
    let updated!: UserRecord;
    const write = async (trx: Knex.Transaction) => {
      // Enabling a disabled user takes a seat again.
      if (update.disabled === false && user.disabled) await takeSeat(trx, tenant);
      updated = await this.deps.users.update(user.id, update, trx);
      const roleChange = update.role !== undefined && update.role !== user.role ? { role: { from: user.role, to: update.role } } : {};
      const operatorChange = update.is_operator !== undefined && update.is_operator !== user.is_operator ? { is_operator: update.is_operator } : {};
      await this.deps.events.writeIn(trx, { type: 'admin.user_updated', tenant_id: tenant.id, user_id: user.id, actor, details: { changed: Object.keys(update), ...roleChange, ...operatorChange } });
    };
    let signedOut: SignOutReport | undefined;
    if (changes.disabled === true && !user.disabled) {
      signedOut = await this.deps.signOut.signOutEverywhere(user.id, 'account_disabled', async (trx, report) => {
        await write(trx);
        await this.deps.closeResets?.(trx, user.id);
        await this.deps.events.writeIn(trx, { type: 'user.signed_out', tenant_id: tenant.id, user_id: user.id, actor, reason: 'account_disabled', details: { ...report } });
      });
    } else {
      await this.deps.knex.transaction(write);
    }
    if (phoneChanged) {
      // Browsers remembered for the old number must pass the step again; the user is told.
      await this.deps.devices.forgetSecondFactor(user.id);
      await this.notifyPhoneChange(tenant, updated!);
    }
    return signedOut ? { user: updated, signed_out: await this.deps.signOut.withNoticeOutcomes(signedOut, LOGOUT_NOTICE_WAIT_MS) } : { user: updated };
  }

  async delete(tenant: TenantRecord, user: UserRecord, actor: Actor): Promise<void> {
    await this.deps.signOut.signOutEverywhere(user.id, 'user_deleted', async (trx) => {
      await this.deps.users.delete(user.id, trx);
      await this.deps.events.writeIn(trx, { type: 'admin.user_deleted', tenant_id: tenant.id, user_id: user.id, actor, details: { username: user.username } });
    });
  }

  /** Sets a password (optionally temporary) and signs the user out of every app and device. */
  async setPassword(tenant: TenantRecord, user: UserRecord, input: { password: string; temporary?: boolean }, actor: Actor): Promise<SignOutReport> {
    const audit = [{ type: 'admin.password_set', tenant_id: tenant.id, user_id: user.id, actor, details: { temporary: input.temporary === true } } as const];
    const report = await this.deps.passwords.change(tenant, user, { password: input.password, temporary: input.temporary, signOutReason: 'password_changed_by_admin', how: 'by an administrator', actor, audit });
    return this.deps.signOut.withNoticeOutcomes(report!, LOGOUT_NOTICE_WAIT_MS);
  }

  /**
   * Emails a new temporary password (forced change at the next sign-in) and signs the user out
   * everywhere: the answer to a user who cannot reset in their current state.
   */
  async sendNewTemporaryPassword(tenant: TenantRecord, user: UserRecord, actor: Actor): Promise<{ sent_to: string; expires_at: string; message?: MessageRecord }> {
    if (!user.email) throw new GatehouseError('conflict', 'The user has no email address to send a temporary password to. Add one first.');
    if (user.disabled) throw new GatehouseError('conflict', 'The account is disabled: enable it before sending a temporary password.');
    const password = generateTemporaryPassword(tenant.settings.password.min_length);
    const audit = [{ type: 'admin.password_set', tenant_id: tenant.id, user_id: user.id, actor, details: { temporary: true, emailed: true } } as const];
    await this.deps.passwords.change(tenant, user, { password, temporary: true, signOutReason: 'password_changed_by_admin', how: 'by an administrator', actor, notify: false, audit });
    const updated = (await this.deps.users.findById(user.id))!;
    const message = await this.sendTemporaryPassword(tenant, updated, password);
    if (message?.status === 'failed' || message?.status === 'suppressed') {
      throw new GatehouseError('delivery_failed', `The temporary password was set, but the email to ${message.destination_masked} could not be sent: ${message.reason ?? 'unknown reason'}. Correct the address, then send a new one.`, { message_id: message.id, reason: message.reason });
    }
    return { sent_to: maskEmail(user.email), expires_at: updated.password_expires_at!.toISOString(), message };
  }

  /** Forgets every remembered browser: each must pass the SMS step again. */
  async forgetDevices(tenant: TenantRecord, user: UserRecord, actor: Actor): Promise<number> {
    return this.deps.knex.transaction(async (trx) => {
      const forgotten = await this.deps.devices.forgetAll(user.id, trx);
      await this.deps.events.writeIn(trx, { type: 'admin.devices_forgotten', tenant_id: tenant.id, user_id: user.id, actor, details: { forgotten } });
      return forgotten;
    });
  }

  async signOutEverywhere(tenant: TenantRecord, user: UserRecord, actor: Actor): Promise<SignOutReport> {
    const report = await this.deps.signOut.signOutEverywhere(user.id, 'signed_out_by_admin', (trx, report) =>
      this.deps.events.writeWithin(trx, [
        { type: 'admin.user_signed_out', tenant_id: tenant.id, user_id: user.id, actor },
        { type: 'user.signed_out', tenant_id: tenant.id, user_id: user.id, actor, reason: 'signed_out_by_admin', details: { ...report } },
      ]),
    );
    return this.deps.signOut.withNoticeOutcomes(report, LOGOUT_NOTICE_WAIT_MS);
  }

  /**
   * Signs the user out of one app: its grants and refresh tokens on every device go (its next
   * refresh is refused, saying why), other apps stay. The same `admin.user_signed_out` event as
   * signing out everywhere, naming the app; false when the user was not signed in to it.
   */
  async signOutOfApp(tenant: TenantRecord, user: UserRecord, clientId: string, actor: Actor): Promise<{ grants: number; refresh_tokens: number } | undefined> {
    const revoked = await this.deps.signOut.signOutOfApp(user.id, clientId, 'signed_out_by_admin', async (trx, counts) => {
      if (!counts.grants) return;
      await this.deps.events.writeWithin(trx, [
        { type: 'admin.user_signed_out', tenant_id: tenant.id, user_id: user.id, client_id: clientId, actor, details: { app: clientId, ...counts } },
        { type: 'user.signed_out', tenant_id: tenant.id, user_id: user.id, client_id: clientId, actor, reason: 'signed_out_by_admin', details: { app: clientId, ...counts } },
      ]);
    });
    return revoked.grants ? revoked : undefined;
  }

  /** 409 for a username taken, or one that could be mistaken for a taken one (Unicode TS #39). */
  private async assertUsernameFree(username: string): Promise<void> {
    const other = await this.deps.users.findLookAlike(username);
    if (!other) return;
    if (other.username_normalized === normalizeUsername(username)) throw new GatehouseError('conflict', `The username "${username}" is already taken.`);
    throw new GatehouseError('conflict', `The username "${username}" looks too much like an existing username (characters from another alphabet, or ones that look alike such as "rn" and "m"). Choose another.`, {
      errors: [{ field: 'username', message: 'looks like an existing username' }],
    });
  }

  private phoneOrThrow(phone: string, country: string): string {
    const parsed = toE164(phone, country);
    if (!parsed) throw new GatehouseError('invalid_request', `"${phone}" is not a valid phone number.`, { errors: [{ field: 'phone', message: 'not a valid phone number (E.164 such as +14155550123, or a national number of the tenant\'s country)' }] });
    return parsed.e164;
  }

  private async notifyPhoneChange(tenant: TenantRecord, user: UserRecord): Promise<void> {
    await this.deps.mail.send('phone-changed', user, tenant, { how: user.phone ? 'changed by an administrator' : 'removed by an administrator', when: new Date(), last4: user.phone?.slice(-4) ?? '—' });
  }

  /** Queues the email and waits briefly for its fate, so the administrator is told what happened. */
  private async sendTemporaryPassword(tenant: TenantRecord, user: UserRecord, password: string): Promise<MessageRecord | undefined> {
    const queued = await this.deps.mail.send('temporary-password', user, tenant, { password, expires: user.password_expires_at ?? '' });
    return queued && this.deps.mail.outcome(queued, ADMIN_WAIT_MS);
  }
}


import type { DeviceRepository } from '../devices/device.repository.js';
import type { EventLog } from '../events/event-log.js';
import type { Actor } from '../events/event-types.js';
import type { UserMail } from '../notifications/user-mail.js';
import type { TenantRecord } from '../tenants/tenant.js';
import { maskPhone } from '../users/contact-masking.js';
import type { UserRepository } from '../users/user.repository.js';
import type { UserRecord } from '../users/user.js';
import type { BypassRepository } from './bypass.repository.js';
import type { FactorRepository } from './factor.repository.js';
import type { RecoveryCodesMethod } from './recovery-codes/recovery-codes.method.js';
import type { RecoveryCodeRepository } from './recovery-codes/recovery-code.repository.js';

/** One way a user proves it's them, as an administrator sees it (never a secret). */
export interface MethodView {
  /** `sms`, `recovery-codes`, or the id of an app or passkey. */
  id: string;
  kind: 'sms' | 'totp' | 'passkey' | 'recovery_codes';
  name: string;
  /** The masked number, or how many recovery codes are left. */
  detail: string | null;
  created_at: string | null;
  last_used_at: string | null;
}

export const BYPASS_LIMITS = { defaultMinutes: 60, maxMinutes: 72 * 60 };

export interface SecondFactorAdminDependencies {
  factors: FactorRepository;
  recoveryCodes: RecoveryCodesMethod;
  recoveryCodeStore: RecoveryCodeRepository;
  bypasses: BypassRepository;
  users: UserRepository;
  devices: DeviceRepository;
  mail: UserMail;
  events: EventLog;
  now: () => Date;
}

/** What administrators see and do about a user's second-factor methods. */
export class SecondFactorAdminService {
  constructor(private readonly deps: SecondFactorAdminDependencies) {}

  async list(user: UserRecord): Promise<MethodView[]> {
    const [factors, codesLeft] = await Promise.all([this.deps.factors.ofUser(user.id), this.deps.recoveryCodes.remaining(user.id)]);
    const views: MethodView[] = [];
    if (user.phone) views.push({ id: 'sms', kind: 'sms', name: 'Text message', detail: maskPhone(user.phone), created_at: null, last_used_at: null });
    for (const factor of factors.filter((f) => f.confirmed_at)) {
      views.push({ id: factor.id, kind: factor.kind, name: factor.name, detail: null, created_at: factor.created_at.toISOString(), last_used_at: factor.last_used_at?.toISOString() ?? null });
    }
    if (codesLeft > 0) views.push({ id: 'recovery-codes', kind: 'recovery_codes', name: 'Recovery codes', detail: `${codesLeft} left`, created_at: null, last_used_at: null });
    return views;
  }

  /** Removes one method; browsers remembered for the second step must pass it again. */
  async remove(tenant: TenantRecord, user: UserRecord, methodId: string, actor: Actor): Promise<boolean> {
    let removed: string | undefined;
    if (methodId === 'sms' && user.phone) {
      await this.deps.users.update(user.id, { phone: null, phone_verified: false });
      removed = 'sms';
    } else if (methodId === 'recovery-codes') {
      removed = (await this.deps.recoveryCodeStore.removeAll(user.id)) > 0 ? 'recovery_codes' : undefined;
    } else {
      const factor = await this.deps.factors.findById(methodId);
      if (factor?.user_id === user.id && (await this.deps.factors.remove(factor.id, user.id))) removed = factor.kind;
    }
    if (!removed) return false;
    await this.deps.devices.forgetSecondFactor(user.id);
    this.deps.events.record({ type: 'admin.second_factor_removed', tenant_id: tenant.id, user_id: user.id, actor, details: { method: removed } });
    return true;
  }

  /**
   * A one-time pass around the second step for a person who lost every method: it expires, it
   * is an event, and the person is told by email.
   */
  async issueBypass(tenant: TenantRecord, user: UserRecord, minutes: number, actor: Actor): Promise<{ expires_at: string }> {
    const expiresAt = new Date(this.deps.now().getTime() + minutes * 60_000);
    await this.deps.bypasses.issue(user.id, actor, expiresAt);
    this.deps.events.record({ type: 'admin.second_factor_bypass_issued', tenant_id: tenant.id, user_id: user.id, actor, details: { expires_at: expiresAt.toISOString() } });
    await this.deps.mail.send('second-factor-bypass', user, tenant, { until: expiresAt });
    return { expires_at: expiresAt.toISOString() };
  }
}

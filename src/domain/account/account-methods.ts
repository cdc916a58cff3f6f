import type { DeviceRepository } from '../devices/device.repository.js';
import type { EventLog } from '../events/event-log.js';
import type { FactorRepository } from '../second-factor/factor.repository.js';
import type { RecoveryCodeRepository } from '../second-factor/recovery-codes/recovery-code.repository.js';
import type { MethodView, SecondFactorAdminService } from '../second-factor/second-factor-admin.service.js';
import type { UserRepository } from '../users/user.repository.js';
import { accountEventFields, type AccountSubject } from './account-subject.js';
import type { FreshProof, FreshSecondFactor } from './fresh-second-factor.js';

export const METHOD_NAME_MAX = 60;

export interface AccountMethodsDependencies {
  /** Lists methods exactly as administrators see them (never a secret). */
  listing: Pick<SecondFactorAdminService, 'list'>;
  factors: FactorRepository;
  recoveryCodeStore: RecoveryCodeRepository;
  users: UserRepository;
  devices: DeviceRepository;
  fresh: FreshSecondFactor;
  events: EventLog;
}

export type RemoveOutcome = { removed: true; method: string } | { removed: false; reason: 'needs_fresh_second_factor' | 'not_found' };

/**
 * A person's own second-factor methods: listed, named (apps and passkeys carry a name; "Work
 * phone" tells two apart), and removed, which needs a second factor of another method entered
 * within the last few minutes: a stolen session alone must not strip the account's protection.
 */
export class AccountMethods {
  constructor(private readonly deps: AccountMethodsDependencies) {}

  list(subject: AccountSubject): Promise<MethodView[]> {
    return this.deps.listing.list(subject.user);
  }

  /** Only apps and passkeys have a name of their own; the text is trimmed and capped. */
  async rename(subject: AccountSubject, methodId: string, name: string): Promise<boolean> {
    const clean = name.replace(/\s+/g, ' ').trim().slice(0, METHOD_NAME_MAX);
    if (!clean) return false;
    const factor = await this.deps.factors.findById(methodId);
    if (factor?.user_id !== subject.user.id || !factor.confirmed_at) return false;
    if (!(await this.deps.factors.rename(factor.id, subject.user.id, clean))) return false;
    this.deps.events.record({ type: 'account.method_renamed', ...accountEventFields(subject), details: { method: factor.kind, factor_id: factor.id } });
    return true;
  }

  async remove(subject: AccountSubject, methodId: string, proof: FreshProof | undefined): Promise<RemoveOutcome> {
    const { user } = subject;
    const factor = methodId === 'sms' || methodId === 'recovery-codes' ? undefined : await this.deps.factors.findById(methodId);
    const kind = methodId === 'sms' ? (user.phone ? 'sms' : undefined) : methodId === 'recovery-codes' ? 'recovery_codes' : factor?.user_id === user.id ? factor.kind : undefined;
    if (!kind) return { removed: false, reason: 'not_found' };
    if (!this.deps.fresh.isFreshFor(proof, kind)) return { removed: false, reason: 'needs_fresh_second_factor' };
    let removed = false;
    if (kind === 'sms') {
      await this.deps.users.update(user.id, { phone: null, phone_verified: false });
      removed = true;
    } else if (kind === 'recovery_codes') removed = (await this.deps.recoveryCodeStore.removeAll(user.id)) > 0;
    else removed = await this.deps.factors.remove(methodId, user.id);
    if (!removed) return { removed: false, reason: 'not_found' };
    // Browsers remembered for the second step must pass it again with what is left.
    await this.deps.devices.forgetSecondFactor(user.id);
    this.deps.events.record({ type: 'account.method_removed', ...accountEventFields(subject), details: { method: kind, confirmed_with: proof?.method } });
    return { removed: true, method: kind };
  }
}

import { clientAdmitsTenant } from '../clients/client-tenancy.js';
import type { DeviceRepository } from '../devices/device.repository.js';
import type { SignInEvents, SignInSource } from '../events/sign-in-events.js';
import type { UserMail } from '../notifications/user-mail.js';
import type { RunInBackground } from '../../infrastructure/lifecycle/background-tasks.js';
import type { UserRepository } from '../users/user.repository.js';
import type { UserRecord } from '../users/user.js';
import type { SignInFacts } from './sign-in-facts.js';

/** How stale a browser's last-seen time may get before a sign-in writes it again. */
const LAST_SEEN_PRECISION_MS = 24 * 60 * 60 * 1000;

export interface SignInCompletionDependencies {
  users: UserRepository;
  devices: DeviceRepository;
  signInEvents: SignInEvents;
  mail: UserMail;
  background: RunInBackground;
  now: () => Date;
}

/**
 * The bookkeeping of a sign-in: whether the application takes this user at all (checked right
 * after the password), and what a complete sign-in records (checked after its last step, so a
 * browser counts as "known" only once it passed every step, the second factor included).
 */
export class SignInCompletion {
  constructor(private readonly deps: SignInCompletionDependencies) {}

  /** A tenant-owned application takes only its own tenant's users; a refusal is an event. */
  admits(user: UserRecord, client: unknown, source: SignInSource): boolean {
    if (clientAdmitsTenant(client, user.tenant_id)) return true;
    this.deps.signInEvents.failed(user, source, 'client_of_another_tenant');
    return false;
  }

  /**
   * Every step passed: the login is recorded, this browser now knows the user (spared the
   * username-wide lockout, told about previous passwords), a browser never seen before gets the
   * user a security notice (not at the very first sign-in), and `login.succeeded` is written.
   */
  async complete(facts: SignInFacts, input: { deviceHash: string; source: SignInSource; clientName: string; amr: string[] }): Promise<void> {
    const { user } = facts;
    await this.deps.users.recordLogin(user.id, this.deps.now());
    const newBrowser = (await this.seenLately(facts, input.deviceHash)) ? false : await this.deps.devices.touch(input.deviceHash, user.id);
    if (newBrowser && user.last_login_at) {
      const where = { client: input.clientName, ip: input.source.ip, userAgent: input.source.userAgent || 'unknown', when: this.deps.now() };
      this.deps.background(facts.tenant().then((tenant) => this.deps.mail.send('new-device', user, tenant, where, { clientId: input.source.clientId })));
    }
    this.deps.signInEvents.succeeded(user, input.source, { amr: input.amr });
  }

  /**
   * This browser's record, read earlier in the request, says it signed in as the user within
   * the day: its last-seen time is kept to the day, so it need not be written again. Nothing
   * decides on that time; whether the browser is known is the row itself.
   */
  private async seenLately(facts: SignInFacts, deviceHash: string): Promise<boolean> {
    if (facts.deviceHash !== deviceHash) return false;
    const device = await facts.deviceIfRead();
    return device !== undefined && this.deps.now().getTime() - device.last_seen_at.getTime() < LAST_SEEN_PRECISION_MS;
  }
}

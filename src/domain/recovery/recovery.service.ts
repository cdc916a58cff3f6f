import type { UserRepository } from '../users/user.repository.js';
import type { UserRecord } from '../users/user.js';
import type { UserMail } from '../notifications/user-mail.js';
import type { RunInBackground } from '../../infrastructure/lifecycle/background-tasks.js';
import type { DeviceRepository } from '../devices/device.repository.js';
import type { EventLog } from '../events/event-log.js';
import type { Actor } from '../events/event-types.js';
import { GatehouseError } from '../../infrastructure/http/gatehouse-error.js';
import type { Logger } from '../../infrastructure/observability/logger.js';
import type { OneTimeCodeStore } from '../one-time-codes/one-time-code.store.js';
import type { PasswordChangeService } from '../passwords/password-change.service.js';
import type { RateLimit } from '../../infrastructure/rate-limits/rate-limiters.js';
import type { TenantRepository } from '../tenants/tenant.repository.js';
import type { NewRecoveryFlow, RecoveryFlow, RecoveryFlowRepository } from './recovery-flow.repository.js';
import { createHash, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { MessageRecord } from '../delivery/message.js';
import type { IssuedCode } from '../one-time-codes/one-time-code.store.js';
import { normalizeUsername } from '../users/user.js';
import { clock } from '../../infrastructure/formatting/human-time.js';
import type { PasswordProblem } from '../passwords/password-policy.js';

/** DESIGN §7: 6 digits, valid 15 minutes, 5 tries, resend after 60 s, only the newest valid. */
export const RECOVERY_LIMITS = {
  codeTtlMs: 15 * 60 * 1000,
  flowTtlMs: 60 * 60 * 1000,
  maxAttempts: 5,
  resendAfterMs: 60 * 1000,
  maxCodesPerFlow: 5,
  /** Starts of a recovery per client address in an hour. */
  startsPerIpHour: 20,
  /** Codes per username in an hour, whoever asked and whether or not the account exists. */
  codesPerUsernameHour: 5,
};

/** How long the administrator's Reset waits for the email's fate before answering. */
const ADMIN_WAIT_MS = 5_000;

export interface RecoveryDependencies {
  flows: RecoveryFlowRepository;
  users: UserRepository;
  tenants: TenantRepository;
  codes: OneTimeCodeStore;
  passwords: PasswordChangeService;
  devices: DeviceRepository;
  mail: UserMail;
  /** Emails go out after the answer (its timing must not tell whether one was sent). */
  background: RunInBackground;
  events: EventLog;
  logger: Logger;
  /** Starts of a recovery per client IP, and codes per username: floods of mail stop here. */
  limits: { startsPerIp: RateLimit; codesPerUsername: RateLimit };
  now?: () => Date;
  /** Builds the link in the email to the page that takes the code. */
  linkTo: (flow: RecoveryFlow) => string;

}

export type CompletionFailure =
  | { reason: 'wrong_code'; triesLeft: number }
  | { reason: 'too_many_attempts' | 'expired' | 'code_expired' | 'mismatch' }
  | { reason: 'password_policy'; problems: PasswordProblem[] };

export type CompletionResult = { ok: true; user: UserRecord; flow: RecoveryFlow } | ({ ok: false } & CompletionFailure);

/**
 * "I forgot my password": a stored flow with a state and an expiry; its code lives in the
 * one-time-code store. The answer and the work do not depend on whether the username exists (an
 * unknown name gets a flow whose code never matches, and no email). One open flow per account.
 */
export class RecoveryService {
  constructor(private readonly deps: RecoveryDependencies) {}

  async start(input: { username: string; interactionUid?: string; ip: string; userAgent?: string }): Promise<RecoveryFlow> {
    const perIp = await this.deps.limits.startsPerIp.consume(input.ip);
    if (!perIp.allowed) throw new GatehouseError('rate_limited', `Too many reset requests from this network. Try again in ${minutes(perIp.retryAfterSeconds)}.`, { retry_after: perIp.retryAfterSeconds });
    const digest = usernameDigest(input.username);
    // Counted per name typed, real or not: the answer tells anyone the same truth.
    const perName = await this.deps.limits.codesPerUsername.consume(digest);
    const user = input.username ? await this.deps.users.findByUsername(input.username) : undefined;
    if (!perName.allowed) {
      if (user) this.deps.background(this.suppress(user, 'per_hour_limit'));
      throw this.tooManyCodes(perName.retryAfterSeconds);
    }
    // A disabled account gets no email, like an unknown one.
    const recoverable = user && !user.disabled && user.email ? user : undefined;
    const flow = await this.open({ user_id: recoverable?.id ?? null, interaction_uid: input.interactionUid ?? null, requested_by: 'user', username_digest: digest, expires_at: new Date(this.now().getTime() + RECOVERY_LIMITS.flowTtlMs) });
    // Counted as sent whether or not an email goes out: the page must look the same.
    await this.deps.codes.recordSend(flow.id);
    if (recoverable) {
      this.deps.events.record({ type: 'password.reset_requested', tenant_id: recoverable.tenant_id, user_id: recoverable.id, ip: input.ip, user_agent: input.userAgent });
      // Written right after the answer, not in the flow's transaction: the time of the answer
      // must not tell whether an email went out.
      this.deps.background(this.sendCode(flow, recoverable, false));
    } else if (user && !user.disabled) {
      this.deps.background(this.suppress(user, 'no_address'));
    }
    return flow;
  }

  /**
   * The administrator's "Reset" button: a code and a link are emailed, written in the same
   * transaction that opens the flow. Answers what happened: the email sent (or still being
   * retried), or a 429 with when the next one can go, or a 502 with the provider's reason.
   */
  async startForUser(user: UserRecord, actor: Actor): Promise<{ flow: RecoveryFlow; codeExpiresAt: Date; message: MessageRecord }> {
    if (user.disabled) throw new GatehouseError('conflict', 'The account is disabled: enable it before resetting its password.');
    if (user.password_temporary) {
      throw new GatehouseError('conflict', 'The user has not yet signed in with the temporary password they were given, so a reset cannot be sent. Send a new temporary password instead (POST .../temporary-password).', { next_action: 'temporary-password' });
    }
    if (!user.email) throw new GatehouseError('conflict', 'The user has no email address to send a reset code to. Add one first.');
    const digest = usernameDigest(user.username);
    const perName = await this.deps.limits.codesPerUsername.consume(digest);
    if (!perName.allowed) {
      await this.suppress(user, 'per_hour_limit');
      throw this.tooManyCodes(perName.retryAfterSeconds);
    }
    const tenant = await this.deps.tenants.findById(user.tenant_id);
    const id = randomUUID();
    let queued: MessageRecord | undefined;
    let codeExpiresAt = new Date(0);
    const flow = await this.open({ id, user_id: user.id, interaction_uid: null, requested_by: 'admin', username_digest: digest, expires_at: new Date(this.now().getTime() + RECOVERY_LIMITS.flowTtlMs) }, async (trx, opened) => {
      const issued = await this.deps.codes.issue(opened.id, RECOVERY_LIMITS.codeTtlMs, trx);
      codeExpiresAt = issued.expiresAt;
      queued = await this.deps.mail.send('recovery-code', user, tenant, this.emailFacts(opened, issued, true), { writer: trx, code: { ownerId: opened.id, hash: issued.hash } });
    });
    this.deps.mail.wake();
    await this.deps.codes.recordSend(flow.id);
    this.deps.events.record({ type: 'password.reset_requested', tenant_id: user.tenant_id, user_id: user.id, actor });
    const message = await this.deps.mail.outcome(queued!, ADMIN_WAIT_MS);
    // Another reset of the same person at the same moment (a newer flow), or a password set
    // (which ends open resets), replaced this one's code before the email went out.
    if (message.status === 'suppressed' && message.reason === 'superseded') {
      throw new GatehouseError('conflict', 'Another reset or a new password of this user, at the same moment, replaced this reset before its email went out: this one sent nothing.', { message_id: message.id });
    }
    if (message.status === 'failed' || message.status === 'suppressed') {
      throw new GatehouseError('delivery_failed', `The reset email to ${message.destination_masked} could not be sent: ${message.reason ?? 'unknown reason'}.`, { message_id: message.id, reason: message.reason });
    }
    return { flow, codeExpiresAt, message };
  }

  /**
   * The account's username for a flow an administrator started (its emailed link goes to the
   * account's own address); none for a flow a person started, whose page must not tell whether
   * the name typed exists.
   */
  async usernameForEmailedLink(flow: RecoveryFlow): Promise<string | undefined> {
    if (flow.requested_by !== 'admin' || !flow.user_id) return undefined;
    return (await this.deps.users.findById(flow.user_id))?.username;
  }

  async find(flowId: string): Promise<RecoveryFlow | undefined> {
    return this.deps.flows.findById(flowId);
  }

  /** Whether the flow still takes a code: not completed, replaced, closed by wrong codes or expired. */
  isOpen(flow: RecoveryFlow): boolean {
    return isOpen(flow);
  }

  /** "Resend code": a new code replaces the old one; the count of wrong tries is kept. */
  async resend(flow: RecoveryFlow): Promise<{ sent: true } | { sent: false; retryAfterSeconds: number; reason: 'too_soon' | 'too_many' | 'per_hour_limit' | 'closed' }> {
    if (!isOpen(flow)) return { sent: false, retryAfterSeconds: 0, reason: 'closed' };
    const slot = await this.deps.codes.find(flow.id);
    const wait = this.deps.codes.secondsUntilResend(slot, RECOVERY_LIMITS.resendAfterMs);
    if (wait > 0) return { sent: false, retryAfterSeconds: wait, reason: 'too_soon' };
    if ((slot?.codes_sent ?? 0) >= RECOVERY_LIMITS.maxCodesPerFlow) return { sent: false, retryAfterSeconds: 0, reason: 'too_many' };
    if (flow.username_digest) {
      const perName = await this.deps.limits.codesPerUsername.consume(flow.username_digest);
      if (!perName.allowed) return { sent: false, retryAfterSeconds: perName.retryAfterSeconds, reason: 'per_hour_limit' };
    }
    await this.deps.codes.recordSend(flow.id);
    const user = flow.user_id ? await this.deps.users.findById(flow.user_id) : undefined;
    if (user) this.deps.background(this.sendCode(flow, user, flow.requested_by === 'admin'));
    return { sent: true };
  }

  async secondsUntilResend(flow: RecoveryFlow): Promise<number> {
    return this.deps.codes.secondsUntilResend(await this.deps.codes.find(flow.id), RECOVERY_LIMITS.resendAfterMs);
  }

  async complete(flow: RecoveryFlow, input: { code: string; newPassword: string; confirmPassword: string; ip?: string; userAgent?: string }): Promise<CompletionResult> {
    if (!isOpen(flow)) return { ok: false, reason: 'expired' };
    const check = await this.deps.codes.check(flow.id, input.code);
    if (!check.ok) {
      switch (check.reason) {
        case 'wrong_code':
          if (check.triesLeft > 0) return { ok: false, reason: 'wrong_code', triesLeft: check.triesLeft };
          await this.deps.flows.markFailed(flow.id);
          return { ok: false, reason: 'too_many_attempts' };
        case 'too_many_attempts':
          return { ok: false, reason: 'too_many_attempts' };
        case 'code_expired':
          return { ok: false, reason: 'code_expired' };
        case 'closed':
          return { ok: false, reason: 'expired' };
      }
    }

    // Only a right code gets this far, so the tenant's rules reveal nothing to a stranger.
    const user = (await this.deps.users.findById(flow.user_id!))!;
    const tenant = (await this.deps.tenants.findById(user.tenant_id))!;
    if (input.newPassword !== input.confirmPassword) return { ok: false, reason: 'mismatch' };
    const problems = this.deps.passwords.problems(tenant, user.username, input.newPassword);
    if (problems.length) return { ok: false, reason: 'password_policy', problems };

    const completed = await this.deps.flows.complete(flow, async (trx, superseded) => {
      await this.deps.codes.close(superseded, trx);
      return this.deps.codes.consume(flow.id, trx);
    });
    if (!completed) return { ok: false, reason: 'expired' };
    await this.deps.passwords.change(tenant, user, { password: input.newPassword, signOutReason: 'password_reset', how: 'with a code sent to your email' });
    // Whoever reset it, every browser must pass the SMS step again.
    await this.deps.devices.forgetSecondFactor(user.id);
    this.deps.events.record({ type: 'password.reset_completed', tenant_id: user.tenant_id, user_id: user.id, ip: input.ip, user_agent: input.userAgent });
    return { ok: true, user: (await this.deps.users.findById(user.id))!, flow };
  }

  private open(flow: NewRecoveryFlow, alongside?: (trx: Knex.Transaction, flow: RecoveryFlow) => Promise<void>): Promise<RecoveryFlow> {
    return this.deps.flows.open(flow, async (trx, opened, superseded) => {
      await this.deps.codes.close(superseded, trx);
      await this.deps.codes.open(opened.id, 'recovery', RECOVERY_LIMITS.maxAttempts, trx);
      await alongside?.(trx, opened);
    });
  }

  /** A new code for the flow, emailed through the outbox (which never sends it once replaced or expired). */
  private async sendCode(flow: RecoveryFlow, user: UserRecord, byAdmin: boolean): Promise<void> {
    try {
      const issued = await this.deps.codes.issue(flow.id, RECOVERY_LIMITS.codeTtlMs);
      const tenant = await this.deps.tenants.findById(user.tenant_id);
      await this.deps.mail.send('recovery-code', user, tenant, this.emailFacts(flow, issued, byAdmin), { code: { ownerId: flow.id, hash: issued.hash } });
    } catch (err) {
      this.deps.logger.error({ err, flowId: flow.id }, 'could not send a recovery code');
    }
  }

  private emailFacts(flow: RecoveryFlow, issued: IssuedCode, byAdmin: boolean) {
    return { code: issued.code, minutes: RECOVERY_LIMITS.codeTtlMs / 60_000, expires: issued.expiresAt, link: this.deps.linkTo(flow), byAdmin };
  }

  /** A reset email a rule stopped: recorded, so support sees why nothing came. */
  private async suppress(user: UserRecord, reason: 'per_hour_limit' | 'no_address'): Promise<void> {
    try {
      await this.deps.mail.suppressed('recovery-code', user, reason);
    } catch (err) {
      this.deps.logger.warn({ err, userId: user.id }, 'could not record a suppressed reset email');
    }
  }

  /**
   * Refuses now, as a reset would (the suppressed email recorded, 429 with when), if the hourly
   * limit of codes for this username is reached: an administrator's call that is also limited
   * per person checks this first, so the answer names the rule that really applies.
   */
  async refuseIfCodeLimitReached(user: UserRecord): Promise<void> {
    const counted = await this.deps.limits.codesPerUsername.peek(usernameDigest(user.username));
    if (counted.total < RECOVERY_LIMITS.codesPerUsernameHour) return;
    await this.suppress(user, 'per_hour_limit');
    throw this.tooManyCodes(Math.max(1, Math.ceil(counted.resetsInMs / 1000)));
  }

  private tooManyCodes(retryAfterSeconds: number): GatehouseError {
    const retryAt = new Date(this.now().getTime() + retryAfterSeconds * 1000);
    return new GatehouseError('rate_limited', `At most ${RECOVERY_LIMITS.codesPerUsernameHour} reset codes an hour are sent for a username. You can ask again at ${clock(retryAt, this.now())}.`, {
      retry_after: retryAfterSeconds,
      retry_after_seconds: retryAfterSeconds,
      retry_at: retryAt.toISOString(),
    });
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

/** The key of a username's hourly code limit: a digest, so names typed by strangers are not stored. */
export function usernameDigest(username: string): string {
  return createHash('sha256').update(normalizeUsername(username)).digest('hex');
}

function isOpen(flow: RecoveryFlow): boolean {
  return flow.state === 'sent_email' && flow.expires_at > new Date();
}

function minutes(seconds: number): string {
  const m = Math.ceil(seconds / 60);
  return m <= 1 ? 'a minute' : `${m} minutes`;
}

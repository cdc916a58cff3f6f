import { hkdfSync } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Knex } from 'knex';
import type Provider from 'oidc-provider';
import { UserAdminService } from '../domain/user-admin/user-admin.service.js';
import type { UserRecord } from '../domain/users/user.js';
import type { Repositories } from './repositories.js';
import { ClientAdminService } from '../domain/clients/client-admin.service.js';
import type { Courier } from '../infrastructure/courier/courier.js';
import { EventLog } from '../domain/events/event-log.js';
import type { Logger } from '../infrastructure/observability/logger.js';
import { createGrantRevoker } from '../entrypoints/oidc/grant-revoker.js';
import { OneTimeCodes } from '../domain/one-time-codes/one-time-code.js';
import { PasswordChangeService } from '../domain/passwords/password-change.service.js';
import { PasswordHasher } from '../domain/passwords/password-hasher.js';
import { RateLimiters } from '../infrastructure/rate-limits/rate-limiters.js';
import { RecoveryFlowRepository } from '../domain/recovery/recovery-flow.repository.js';
import { RecoveryService } from '../domain/recovery/recovery.service.js';
import { SessionViewService } from '../domain/sessions/session-view.service.js';
import { SignOutService } from '../domain/sessions/sign-out.service.js';
import { TenantService } from '../domain/tenants/tenant.service.js';
import { createSignInProtection } from './sign-in-protection.js';
import { SecondFactorService } from '../domain/second-factor/second-factor.service.js';
import { SmsChallengeRepository } from '../domain/second-factor/sms-challenge.repository.js';
import { SmsBudget } from '../domain/second-factor/sms/sms-budget.js';
import { SmsSender } from '../domain/second-factor/sms/sms-sender.js';
import { LockNotifier } from '../domain/notifications/lock-notifier.js';
import { UserMail } from '../domain/notifications/user-mail.js';
import type { RunInBackground } from '../infrastructure/lifecycle/background-tasks.js';

export interface ServiceContext {
  knex: Knex;
  redis?: Redis;
  provider: Provider;
  repositories: Repositories;
  hasher: PasswordHasher;
  courier: Courier;
  events: EventLog;
  logger: Logger;
  issuer: string;
  /** Secret from which the one-time-code key is derived (the newest cookie key). */
  secret: string;
  invalidateClient: (clientId: string) => void;
  /** The clock of time-dependent rules (remembered devices, code expiry, budget months); tests move it. */
  now: () => Date;
  /** Starts work the request does not wait for; shutdown lets it finish. */
  background: RunInBackground;
}

const ADMIN_MESSAGES_PER_HOUR = 5;

/** The service layer, built once: each service gets only what it needs. */
export function createServices(context: ServiceContext) {
  const { knex, repositories, hasher, courier, events, logger, issuer } = context;
  const { users, tenants } = repositories;
  const limiters = new RateLimiters({ redis: context.redis, knex });
  const signOut = new SignOutService(knex, createGrantRevoker(context.provider));
  const smsBudget = new SmsBudget(knex);
  const mail = new UserMail({ courier, logger });
  const lockNotifier = new LockNotifier({ mail, tenants, perUser: limiters.create('lock-notice', 1, 3600), logger, background: context.background });
  const protection = createSignInProtection({
    knex,
    redis: context.redis,
    limiters,
    repositories,
    hasher,
    events,
    logger,
    secret: context.secret,
    now: context.now,
    onLocked: (user, until) => lockNotifier.notify(user, until),
    smsBudget: async (tenantId) => {
      const tenant = await tenants.findById(tenantId);
      if (!tenant) return { exhausted: false };
      const usage = await smsBudget.usage(tenantId, tenant.settings.sms.monthly_budget, context.now());
      return { exhausted: usage.remaining === 0, since: usage.exhausted_at ?? undefined };
    },
  });
  const passwords = new PasswordChangeService({
    knex,
    users,
    hasher,
    signOut,
    mail,
    events,
    history: protection.passwordHistory,
    // A completed reset lifts the lockout (DESIGN §7).
    onPasswordReset: async (user) => {
      await protection.lockout.unlock(user, { reason: 'password_reset' });
    },
  });
  const codeKey = Buffer.from(hkdfSync('sha256', context.secret, 'gatehouse', 'one-time-codes', 32));
  const codes = new OneTimeCodes(codeKey);
  const smsSender = new SmsSender({
    budget: smsBudget,
    courier,
    mail,
    background: context.background,
    events,
    users,
    logger,
    now: context.now,
    limits: {
      perNumberHour: limiters.create('sms-number-hour', 5, 3600),
      perNumberDay: limiters.create('sms-number-day', 10, 86_400),
      perUserDay: limiters.create('sms-user-day', 10, 86_400),
      perIpHour: limiters.create('sms-ip-hour', 30, 3600),
    },
  });
  const secondFactor = new SecondFactorService({
    challenges: new SmsChallengeRepository(knex),
    users,
    devices: repositories.devices,
    sender: smsSender,
    codes,
    mail,
    events,
    now: context.now,
    // A challenge that ran out of tries counts as one failure toward the sign-in lockout.
    onTooManyWrongCodes: async (user, ip) => {
      await protection.lockout.recordSecondFactorFailure(user, { ip });
    },
    onSecondFactorPassed: (user) => protection.lockout.recordSecondFactorSuccess(user),
  });
  const recovery = new RecoveryService({
    flows: new RecoveryFlowRepository(knex),
    users,
    tenants,
    codes,
    passwords,
    devices: repositories.devices,
    mail,
    background: context.background,
    events,
    logger,
    limits: { startsPerIp: limiters.create('recovery-ip', 20, 3600), emailsPerAccount: limiters.create('recovery-account', 5, 3600) },
    linkTo: (flow) => `${issuer}${flow.interaction_uid ? `/interaction/${flow.interaction_uid}` : ''}/forgot-password/${flow.id}`,
  });
  return {
    signOut,
    passwords,
    recovery,
    tenantService: new TenantService(tenants, events, knex),
    userAdmin: new UserAdminService({ knex, users, hasher, signOut, passwords, devices: repositories.devices, mail, events }),
    sessionView: new SessionViewService(knex),
    secondFactor,
    smsBudget,
    clientAdmin: new ClientAdminService(knex, events, context.invalidateClient),
    // Emails an administrator's call sends one person (temporary password, reset, invitation).
    adminMessages: limiters.create('admin-message', ADMIN_MESSAGES_PER_HOUR, 3600),
    // RFC 8628 §5.1: wrong user codes at /device, per browser and per address.
    userCodeGuesses: { perBrowser: limiters.create('device-code-browser', 10, 900), perAddress: limiters.create('device-code-ip', 50, 3600) },
    notifyNewDevice: (user: UserRecord, where: { client: string; ip: string; userAgent: string }) =>
      context.background(
        tenants.findById(user.tenant_id).then((tenant) => mail.send('new-device', user, tenant?.name, { ...where, when: context.now().toUTCString() })),
      ),
    ...protection,
  };
}

export type Services = ReturnType<typeof createServices>;

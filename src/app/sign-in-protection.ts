import { hkdfSync } from 'node:crypto';
import type { Knex } from 'knex';
import { PasswordLoginService } from '../domain/sign-in/password-login.service.js';
import { SignInService } from '../domain/sign-in/sign-in.service.js';
import { DiagnosisRepository } from '../domain/diagnosis/diagnosis.repository.js';
import { DiagnosisService, type DeliveryStatus, type SingleSignOnStatus, type SmsBudgetStatus } from '../domain/diagnosis/diagnosis.service.js';
import type { EventLog } from '../domain/events/event-log.js';
import { EventRepository } from '../domain/events/event.repository.js';
import { SignInEvents } from '../domain/events/sign-in-events.js';
import { PostgresLastFailedPasswords } from '../domain/lockout/last-failed-password.js';
import { LockoutCounters } from '../domain/lockout/lockout-counters.js';
import { FAILURE_MEMORY_SECONDS } from '../domain/lockout/lockout-policy.js';
import { LockoutService } from '../domain/lockout/lockout.service.js';
import type { Logger } from '../infrastructure/observability/logger.js';
import type { UserRecord } from '../domain/users/user.js';
import type { TenantRecord } from '../domain/tenants/tenant.js';
import type { PasswordHasher } from '../domain/passwords/password-hasher.js';
import { PasswordHistoryRepository } from '../domain/passwords/password-history.repository.js';
import { PreviousPasswords } from '../domain/passwords/previous-passwords.js';
import type { RateLimiters } from '../infrastructure/rate-limits/rate-limiters.js';
import type { Repositories } from './repositories.js';

export interface SignInProtectionContext {
  knex: Knex;
  limiters: RateLimiters;
  repositories: Repositories;
  hasher: PasswordHasher;
  events: EventLog;
  logger: Logger;
  /** Secret from which the failed-password fingerprint key is derived (the newest cookie key). */
  secret: string;
  now: () => Date;
  /** Whether a tenant's SMS budget is used up (the SMS second factor provides it). */
  smsBudget?: SmsBudgetStatus;
  /** The second-factor methods a user has set up that the tenant allows (the second-factor service). */
  enrolledMethods?: (user: UserRecord, tenant: TenantRecord) => Promise<string[]>;
  /** The user's recent emails and SMS, a bounced address, the reset codes' hourly count (the outbox provides them). */
  delivery?: DeliveryStatus;
  /** The tenant's single sign-on, when it has one (the federation module). */
  singleSignOn?: SingleSignOnStatus;
  /** A lock of a known user began. */
  onLocked?: (user: UserRecord, until: Date) => void;
}

/**
 * Lockout, the guarded password step, previous passwords, the event history and the diagnosis
 * (issue 6), built once for the service graph.
 */
export function createSignInProtection(context: SignInProtectionContext) {
  const { knex, repositories, events, logger } = context;
  const { users, tenants } = repositories;
  const eventHistory = new EventRepository(knex);
  const passwordHistory = new PasswordHistoryRepository(knex);
  const lastFailed = new PostgresLastFailedPasswords(knex);
  const signInEvents = new SignInEvents(events);
  const lockout = new LockoutService({
    counters: new LockoutCounters(context.limiters),
    lastFailed,
    tenants,
    events,
    recentFailureIps: (userId) => eventHistory.failureIps(userId, new Date(Date.now() - FAILURE_MEMORY_SECONDS * 1000)),
    recentFailureIpsOfMany: (userIds) => eventHistory.failureIpsOfMany(userIds, new Date(Date.now() - FAILURE_MEMORY_SECONDS * 1000)),
    onLocked: context.onLocked,
  });
  const signIn = new SignInService(users, context.hasher);
  const passwordLogin = new PasswordLoginService({
    records: repositories.signInRecords,
    signIn,
    lockout,
    lastFailed,
    previousPasswords: new PreviousPasswords(passwordHistory, context.hasher),
    signInEvents,
    logger,
    fingerprintKey: Buffer.from(hkdfSync('sha256', context.secret, 'gatehouse', 'failed-password-fingerprints', 32)),
  });
  const diagnosis = new DiagnosisService({ repository: new DiagnosisRepository(knex, repositories.artifacts), events: eventHistory, lockout, smsBudget: context.smsBudget, enrolledMethods: context.enrolledMethods, delivery: context.delivery, singleSignOn: context.singleSignOn, now: context.now });
  return { signIn, lockout, passwordLogin, signInEvents, diagnosis, eventHistory, passwordHistory };
}

export type SignInProtection = ReturnType<typeof createSignInProtection>;

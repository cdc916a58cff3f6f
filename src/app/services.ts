import { FreshSecondFactor } from '../domain/account/fresh-second-factor.js';
import { AccountEnrollment } from '../domain/account/account-enrollment.js';
import { AccountPassword } from '../domain/account/account-password.js';
import { PhoneChange } from '../domain/account/phone-change.js';
import { AccountMethods } from '../domain/account/account-methods.js';
import { AccountApps } from '../domain/account/account-apps.js';
import { AccountActivity } from '../domain/account/account-activity.js';
import { ACCOUNT_APP } from '../domain/clients/first-party-clients.js';
import { FirstPartySessionRepository } from '../domain/sessions/first-party-session.repository.js';
import { hkdfSync } from 'node:crypto';
import type { Context } from 'koa';
import { readDeviceHash } from '../infrastructure/http/device-cookie.js';
import type { Knex } from 'knex';
import type { Adapter } from 'oidc-provider';
import { UserAdminService } from '../domain/user-admin/user-admin.service.js';
import { UserAdministration } from '../domain/user-admin/user-administration.js';
import type { Repositories } from './repositories.js';
import { ClientAdminService } from '../domain/clients/client-admin.service.js';
import type { Courier } from '../infrastructure/courier/courier.js';
import type { RedisGate } from '../infrastructure/storage/redis.js';
import { EventLog } from '../domain/events/event-log.js';
import type { Logger } from '../infrastructure/observability/logger.js';
import { createGrantRevoker } from '../entrypoints/oidc/grant-revoker.js';
import { OneTimeCodes } from '../domain/one-time-codes/one-time-code.js';
import { PasswordChangeService } from '../domain/passwords/password-change.service.js';
import { PasswordHasher } from '../domain/passwords/password-hasher.js';
import { RateLimiters } from '../infrastructure/rate-limits/rate-limiters.js';
import { RecoveryFlowRepository } from '../domain/recovery/recovery-flow.repository.js';
import { RECOVERY_LIMITS, RecoveryService } from '../domain/recovery/recovery.service.js';
import { SessionViewService } from '../domain/sessions/session-view.service.js';
import { SignOutService } from '../domain/sessions/sign-out.service.js';
import { LogoutNotices } from '../domain/sessions/logout-notices.js';
import { TenantService } from '../domain/tenants/tenant.service.js';
import { TenantLogos } from '../domain/tenants/tenant-logo.js';
import { createSignInProtection } from './sign-in-protection.js';
import { SecondFactorService } from '../domain/second-factor/second-factor.service.js';
import { ChallengeRepository } from '../domain/second-factor/challenge.repository.js';
import { SmsMethod } from '../domain/second-factor/sms/sms.method.js';
import { TotpMethod } from '../domain/second-factor/totp/totp.method.js';
import { PasskeyMethod } from '../domain/second-factor/passkey/passkey.method.js';
import { PasskeySignIn } from '../domain/sign-in/passkey-sign-in.service.js';
import { FactorRepository } from '../domain/second-factor/factor.repository.js';
import { BypassRepository } from '../domain/second-factor/bypass.repository.js';
import { SecondFactorAdminService } from '../domain/second-factor/second-factor-admin.service.js';
import { RecoveryCodesMethod } from '../domain/second-factor/recovery-codes/recovery-codes.method.js';
import { RecoveryCodeRepository } from '../domain/second-factor/recovery-codes/recovery-code.repository.js';
import { SecretBox } from '../infrastructure/crypto/secret-box.js';
import { OneTimeCodeStore } from '../domain/one-time-codes/one-time-code.store.js';
import { SignInFactsLoader } from '../domain/sign-in/sign-in-facts.js';
import { SignInFlow } from '../domain/sign-in/sign-in-flow.js';
import { SignInCompletion } from '../domain/sign-in/sign-in-completion.service.js';
import { SmsBudget } from '../domain/second-factor/sms/sms-budget.js';
import { createSmsLimits, SmsSender } from '../domain/second-factor/sms/sms-sender.js';
import { LOCK_NOTICES_PER_HOUR, LockNotifier } from '../domain/notifications/lock-notifier.js';
import { UserMail } from '../domain/notifications/user-mail.js';
import type { RunInBackground } from '../infrastructure/lifecycle/background-tasks.js';
import type { JobQueue } from '../infrastructure/queue/job-queue.js';
import { MessageRepository } from '../domain/delivery/message.repository.js';
import { Outbox } from '../domain/delivery/outbox.js';
import { DeliveryWorker } from '../domain/delivery/delivery-worker.js';
import { SesNotifications } from '../domain/delivery/ses-notifications.js';
import { SignInApps } from '../domain/clients/sign-in-apps.js';
import { usernameDigest } from '../domain/recovery/recovery.service.js';
import { SsoConnectionRepository } from '../domain/federation/sso-connection.repository.js';
import { FederatedIdentityRepository } from '../domain/federation/federated-identity.repository.js';
import { SsoConnectionService } from '../domain/federation/sso-connection.service.js';
import { FederatedSignIn } from '../domain/federation/federated-sign-in.service.js';
import { HomeRealm } from '../domain/federation/home-realm.js';
import { OpenIdUpstream } from '../infrastructure/federation/openid-upstream.js';

export interface ServiceContext {
  knex: Knex;
  /** Redis when configured, behind the gate that sets it aside while it does not answer. */
  redis?: RedisGate;
  /** The provider's adapters, as it uses them (sign-out revokes grants through them). */
  adapters: (model: string) => Adapter;
  repositories: Repositories;
  hasher: PasswordHasher;
  courier: Courier;
  events: EventLog;
  logger: Logger;
  issuer: string;
  /** Secret from which keys are derived (the newest cookie key). */
  secret: string;
  /** Every cookie key, newest first: one-time codes verify against each. */
  secrets: string[];
  invalidateClient: (clientId: string) => void;
  /** The clock of time-dependent rules (remembered devices, code expiry, budget months); tests move it. */
  now: () => Date;
  /** Starts work the request does not wait for; shutdown lets it finish. */
  background: RunInBackground;
  /** Durable jobs: every email and SMS is sent through them. */
  queue: Pick<JobQueue, 'enqueue' | 'wake' | 'outcome'>;
  /** What Gatehouse's signing keys can sign ID tokens with (clients may pick one). */
  idTokenSigningAlgs?: string[];
  /** Production: outbound calls to tenants' providers go to public https addresses only. */
  production?: boolean;
  /** Where Microsoft Entra ID directories are found. */
  ssoEntraAuthority?: string;
}

const ADMIN_MESSAGES_PER_HOUR = 5;

/** The service layer, built once: each service gets only what it needs. */
export function createServices(context: ServiceContext) {
  const { knex, repositories, hasher, courier, events, logger, issuer } = context;
  const { users, tenants } = repositories;
  const limiters = new RateLimiters({ gate: context.redis, knex });
  const logoutNotices = new LogoutNotices(context.queue, knex);
  const signOut = new SignOutService(
    knex,
    repositories.artifacts,
    createGrantRevoker(context.adapters, (err, grantId) => logger.warn({ err, grantId }, 'could not clear a revoked grant outside PostgreSQL')),
    (userId, trx) => repositories.devices.forgetAll(userId, trx),
    logoutNotices,
  );
  const smsBudget = new SmsBudget(knex);
  const deliveryHistory = new MessageRepository(knex);
  const outbox = new Outbox({ knex, messages: deliveryHistory, queue: context.queue, now: context.now, onSuppressed: (channel, reason) => courier.withheld?.(channel, reason) });
  const mail = new UserMail({ outbox, apps: new SignInApps(knex, issuer), logger, issuer });
  const codesPerUsername = limiters.create('recovery-username', RECOVERY_LIMITS.codesPerUsernameHour, 3600);
  const federation = createFederation(context);
  const lockNotifier = new LockNotifier({ mail, tenants, perUser: limiters.create('lock-notice', LOCK_NOTICES_PER_HOUR, 3600), logger, background: context.background });
  const protection = createSignInProtection({
    knex,
    limiters,
    repositories,
    hasher,
    events,
    logger,
    secret: context.secret,
    now: context.now,
    onLocked: (user, until) => lockNotifier.notify(user, until),
    // Called only once the service graph is built (the second-factor service comes later in it).
    enrolledMethods: (user, tenant) => secondFactor.enrolledMethodIds(user, tenant),
    delivery: async (user) => ({
      messages: await deliveryHistory.recentOfUser(user.id, new Date(context.now().getTime() - 24 * 3600_000)),
      bounce: await deliveryHistory.bounceOf(user.email),
      resetCodes: { ...(await codesPerUsername.peek(usernameDigest(user.username))), limit: RECOVERY_LIMITS.codesPerUsernameHour },
    }),
    singleSignOn: (tenantId) => federation.ssoConnections.ofTenant(tenantId),
    smsBudget: async (tenantId) => {
      const tenant = await tenants.findById(tenantId);
      if (!tenant) return { exhausted: false };
      const usage = await smsBudget.usage(tenant, context.now());
      return { exhausted: usage.remaining === 0, since: usage.exhausted_at ?? undefined };
    },
  });
  // One key per cookie key, newest first: a code sent before a key rotation still verifies.
  const codeKeys = context.secrets.map((secret) => Buffer.from(hkdfSync('sha256', secret, 'gatehouse', 'one-time-codes', 32)));
  const codes = new OneTimeCodeStore(knex, new OneTimeCodes(codeKeys), context.now);
  const recoveryFlows = new RecoveryFlowRepository(knex);
  /** Ends a person's open password resets (their emailed codes) within a transaction. */
  const closeResets = async (trx: Knex.Transaction, userId: string) => codes.close(await recoveryFlows.supersedeOpen(trx, userId), trx);
  const passwords = new PasswordChangeService({
    knex,
    closeResets,
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
  const smsSender = new SmsSender({
    budget: smsBudget,
    outbox,
    mail,
    background: context.background,
    events,
    users,
    logger,
    now: context.now,
    limits: createSmsLimits(limiters),
  });
  const challenges = new ChallengeRepository(knex);
  const factors = new FactorRepository(knex);
  const bypasses = new BypassRepository(knex);
  const recoveryCodeStore = new RecoveryCodeRepository(knex);
  const recoveryCodes = new RecoveryCodesMethod({ challenges, codes, hashing: new OneTimeCodes(codeKeys), repository: recoveryCodeStore, now: context.now });
  // Passkeys belong to Gatehouse's own origin: the issuer's.
  const issuerUrl = new URL(issuer);
  const passkey = new PasskeyMethod({ challenges, codes, factors, relyingParty: { id: issuerUrl.hostname, origin: issuerUrl.origin, name: 'Gatehouse' }, now: context.now });
  const sms = new SmsMethod({ challenges, codes, sender: smsSender, users, devices: repositories.devices, mail, now: context.now });
  const totp = new TotpMethod({ challenges, codes, factors, secrets: new SecretBox(context.secrets, 'authenticator-apps'), now: context.now });
  const secondFactor = new SecondFactorService({
    sms,
    totp,
    passkey,
    recoveryCodes,
    challenges,
    factors,
    bypasses,
    codes,
    devices: repositories.devices,
    users,
    mail,
    events,
    background: context.background,
    now: context.now,
    secondFactorLockedUntil: (user) => protection.lockout.secondFactorLockedUntil(user),
    // A challenge that ran out of tries counts as one failure toward the sign-in lockout.
    onTooManyWrongCodes: (user, ip) => protection.lockout.recordSecondFactorFailure(user, { ip }),
    onSecondFactorPassed: (user) => protection.lockout.recordSecondFactorSuccess(user),
  });
  const recovery = new RecoveryService({
    flows: recoveryFlows,
    users,
    tenants,
    codes,
    passwords,
    devices: repositories.devices,
    mail,
    background: context.background,
    events,
    logger,
    limits: {
      startsPerIp: limiters.create('recovery-ip', RECOVERY_LIMITS.startsPerIpHour, 3600),
      codesPerUsername,
    },
    now: context.now,
    linkTo: (flow) => `${issuer}${flow.interaction_uid ? `/interaction/${flow.interaction_uid}` : ''}/forgot-password/${flow.id}`,
  });
  const secondFactorAdmin = new SecondFactorAdminService({ factors, recoveryCodes, recoveryCodeStore, bypasses, users, devices: repositories.devices, mail, events, now: context.now });
  const sessionView = new SessionViewService(repositories.artifacts);
  const freshSecondFactor = new FreshSecondFactor({
    sms,
    totp,
    recoveryCodes,
    passkey,
    factors,
    challenges,
    events,
    now: context.now,
    secondFactorLockedUntil: (user) => protection.lockout.secondFactorLockedUntil(user),
    onTooManyWrongCodes: async (user, ip) => {
      await protection.lockout.recordSecondFactorFailure(user, { ip });
    },
  });
  const userAdmin = new UserAdminService({ knex, users, hasher, signOut, passwords, devices: repositories.devices, mail, events, closeResets });
  // Emails an administrator's call sends one person (temporary password, reset, invitation).
  const adminMessages = limiters.create('admin-message', ADMIN_MESSAGES_PER_HOUR, 3600);
  // What a person does on their own account page (/account).
  const account = {
    password: new AccountPassword({ signIn: protection.signIn, lockout: protection.lockout, passwords, signInEvents: protection.signInEvents }),
    phone: new PhoneChange({ sms, challenges, users, devices: repositories.devices, mail, events, now: context.now }),
    freshSecondFactor,
    enrollment: new AccountEnrollment({ totp, passkey, recoveryCodes, challenges, fresh: freshSecondFactor, events, now: context.now }),
    methods: new AccountMethods({ listing: secondFactorAdmin, factors, recoveryCodeStore, users, devices: repositories.devices, fresh: freshSecondFactor, events }),
    apps: new AccountApps({ sessionView, signOut, events, ownClientId: ACCOUNT_APP.clientId }),
    activity: new AccountActivity({ history: protection.eventHistory, clients: repositories.clients, now: context.now }),
  };
  return {
    ...federation,
    account,
    firstPartySessions: new FirstPartySessionRepository(knex),
    deliveryHistory,
    outbox,
    delivery: new DeliveryWorker({ messages: deliveryHistory, courier, codes, logger, now: context.now }),
    sesNotifications: new SesNotifications({ messages: deliveryHistory, now: context.now }),
    signOut,
    logoutNotices,
    passwords,
    recovery,
    tenantService: new TenantService(tenants, events, knex),
    tenantLogos: new TenantLogos({ knex, tenants, events }),
    userAdmin,
    userAdministration: new UserAdministration({ userAdmin, lockout: protection.lockout, recovery, ssoConnections: federation.ssoConnections, adminMessages }),
    sessionView,
    secondFactor,
    secondFactorAdmin,
    smsBudget,
    clientAdmin: new ClientAdminService(knex, events, context.invalidateClient, { idTokenSigningAlgs: context.idTokenSigningAlgs ?? ['RS256'], production: context.production ?? false }),
    signInFacts: new SignInFactsLoader({ records: repositories.signInRecords, tenants, devices: repositories.devices }, (request) => readDeviceHash(request as Context)),
    signInFlow: new SignInFlow(secondFactor),
    passkeySignIn: new PasskeySignIn({ passkey, codes, users, tenants, signInEvents: protection.signInEvents }),
    signInCompletion: new SignInCompletion({ users, devices: repositories.devices, signInEvents: protection.signInEvents, mail, background: context.background, now: context.now }),
    adminMessages,
    // RFC 8628 §5.1: wrong user codes at /device, per browser and per address.
    userCodeGuesses: { perBrowser: limiters.create('device-code-browser', 10, 900), perAddress: limiters.create('device-code-ip', 50, 3600) },
    ...protection,
  };
}

export type Services = ReturnType<typeof createServices>;

/** Sign-in through tenants' own OpenID Connect providers (Microsoft Entra ID or any issuer). */
function createFederation(context: ServiceContext) {
  const { knex, events, logger, issuer } = context;
  const connections = new SsoConnectionRepository(knex);
  const identities = new FederatedIdentityRepository(knex);
  const clientSecrets = new SecretBox(context.secrets, 'sso-client-secrets');
  const production = context.production ?? false;
  const upstream = new OpenIdUpstream({ entraAuthority: context.ssoEntraAuthority ?? 'https://login.microsoftonline.com', secrets: clientSecrets, production });
  return {
    ssoConnections: connections,
    federatedIdentities: identities,
    ssoConnectionAdmin: new SsoConnectionService({ knex, connections, identities, secrets: clientSecrets, events, issuer, production }),
    federatedSignIn: new FederatedSignIn({ knex, connections, identities, users: context.repositories.users, tenants: context.repositories.tenants, upstream, events, logger, now: context.now }),
    homeRealm: new HomeRealm(connections, context.repositories.tenants),
    // What a browser carries to the upstream and back (state, nonce, PKCE verifier), sealed.
    ssoTripSeal: new SecretBox(context.secrets, 'sso-trips'),
    upstream,
  };
}

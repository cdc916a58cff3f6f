import { availableParallelism } from 'node:os';
import { hkdfSync } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ACCOUNT_APP, CONSOLE_APP, ensureFirstPartyClient, firstPartySecret, type FirstPartyApp } from '../domain/clients/first-party-clients.js';
import { FirstPartyWebApp } from '../entrypoints/first-party/first-party-web-app.js';
import type Provider from 'oidc-provider';
import { bootstrapOperatorClient } from '../domain/clients/bootstrap-operator.js';
import { ClientUsageRecorder } from '../domain/clients/client-usage.js';
import type { GatehouseConfig } from '../infrastructure/config/config.js';
import { idTokenSigningAlgorithms, loadProviderSecrets, signingKeysOf, type ProviderSecrets } from '../infrastructure/config/signing-keys.js';
import { KeyEncryption } from '../infrastructure/keys/key-encryption.js';
import { KeyRing, type RingSnapshot } from '../infrastructure/keys/key-ring.js';
import { followKeyRing, type KeyFollower } from '../entrypoints/oidc/live-keys.js';
import { CountingCourier } from '../infrastructure/courier/counting-courier.js';
import { startMetricsServer } from '../infrastructure/observability/metrics-server.js';
import { recordSigningKeySightings } from '../infrastructure/storage/signing-key-sightings.js';
import { watchIssuedTokens } from '../entrypoints/oidc/issued-tokens.js';
import { AwsCourier } from '../infrastructure/courier/aws-courier.js';
import type { Courier } from '../infrastructure/courier/courier.js';
import { DevOutbox } from '../infrastructure/courier/dev-outbox.js';
import { seedDemo } from '../entrypoints/demo/demo-seed.js';
import { EventLog } from '../domain/events/event-log.js';
import { scheduleCleanup } from '../domain/maintenance/cleanup-schedule.js';
import { ExpiredDataCleanup } from '../domain/maintenance/expired-data-cleanup.js';
import type { Logger } from '../infrastructure/observability/logger.js';
import { Metrics, type ConnectionPool, type WritableConnection } from '../infrastructure/observability/metrics.js';
import { createAdapterFactory } from '../entrypoints/oidc/adapters/adapter-factory.js';
import { USER_CACHE_MS } from '../entrypoints/oidc/find-account.js';
import { RecentUsers } from '../entrypoints/oidc/recent-users.js';
import { ClientAdapter } from '../entrypoints/oidc/adapters/client.adapter.js';
import { createProvider } from '../entrypoints/oidc/create-provider.js';
import { enforcePollingInterval } from '../entrypoints/oidc/device-flow.js';
import { installProviderEvents } from '../entrypoints/oidc/provider-events.js';
import { PasswordHasher, threadPoolSize } from '../domain/passwords/password-hasher.js';
import { openDatabase, type Database } from '../infrastructure/storage/database.js';
import { PostgresEphemeralMarks, RedisEphemeralMarks } from '../infrastructure/storage/ephemeral-marks.js';
import { migrateToLatest } from '../../migrations/migrator.js';
import { connectRedis, RedisGate, waitForRedis } from '../infrastructure/storage/redis.js';
import { ConnectionDrain } from '../infrastructure/http/connection-drain.js';
import { answerMalformedRequests } from '../infrastructure/http/malformed-requests.js';
import { isStorageFault } from '../infrastructure/storage/storage-faults.js';
import type { Adapter } from 'oidc-provider';
import { BackgroundTasks } from '../infrastructure/lifecycle/background-tasks.js';
import { createHttpApp } from './http-app.js';
import { createProviderPages } from '../entrypoints/pages/provider-pages.js';
import { UpstreamSignOut } from '../entrypoints/pages/single-sign-on/upstream-sign-out.js';
import { SecretBox } from '../infrastructure/crypto/secret-box.js';
import { createRepositories, type Repositories } from './repositories.js';
import { createServices, type Services } from './services.js';
import { JobQueue } from '../infrastructure/queue/job-queue.js';
import { SnsMessageVerifier } from '../infrastructure/courier/sns-message-verifier.js';
import { DELIVERY_QUEUE, DELIVERY_RETRIES } from '../domain/delivery/outbox.js';
import { LOGOUT_NOTICE_QUEUE, LOGOUT_NOTICE_RETRIES, type LogoutNotice } from '../domain/sessions/logout-notices.js';
import { createLogoutTokenSender, queueBackchannelLogouts } from '../entrypoints/oidc/backchannel-logout.js';

export interface GatehouseOptions {
  /** RFC 8628 polling interval; tests shorten it. */
  devicePollIntervalSeconds?: number;
  /** Keep the embedded database in memory instead of DATA_DIR (tests). */
  embeddedInMemory?: boolean;
  /** The clock of time-dependent rules (remembered devices, codes); tests move it instead of waiting. */
  now?: () => Date;
  /**
   * Serve GET /metrics on METRICS_PORT (default). A process of a cluster does not: the cluster's
   * primary serves every process's figures together on that port (see process-cluster.ts).
   */
  serveMetrics?: boolean;
  /** Wraps the repositories once they are built (tests count the reads of a sign-in). */
  decorateRepositories?: (repositories: Repositories) => Repositories;
}

export interface Gatehouse {
  server: http.Server;
  /** Serves GET /metrics on METRICS_PORT, apart from the public server (absent in a cluster's process). */
  metricsServer?: http.Server;
  metrics: Metrics;
  provider: Provider;
  database: Database;
  /** Redis when configured, behind the gate that sets it aside while it does not answer. */
  redis?: RedisGate;
  courier: Courier;
  events: EventLog;
  services: Services;
  /** Signing and cookie keys in the database (KEY_ENCRYPTION_KEY); absent when they come from variables. */
  keyRing?: KeyRing;
  /** Re-reads the key ring at once (it does every KEY_REFRESH_SECONDS on its own). */
  refreshKeys(): Promise<void>;
  /** Deletes expired events and rows; runs hourly on its own, tests call `run` directly. */
  cleanup: ExpiredDataCleanup;
  /**
   * Stops taking connections, answers in-flight requests (with `Connection: close`), then closes
   * storage, all within SHUTDOWN_TIMEOUT_MS even when a database does not answer.
   */
  close(): Promise<void>;
}

/** The composition root: builds every part from the configuration and starts listening. */
export async function startGatehouse(config: GatehouseConfig, logger: Logger, options: GatehouseOptions = {}): Promise<Gatehouse> {
  const { timeouts } = config;
  const database = await openDatabase({
    url: config.databaseUrl,
    embeddedDataDir: options.embeddedInMemory ? undefined : config.dataDir,
    timeouts: { statementMs: timeouts.databaseStatementMs, acquireMs: timeouts.databaseAcquireMs, connectMs: timeouts.databaseConnectMs },
    warn: (message) => logger.warn({ detail: String(message) }, 'database connection trouble'),
  });
  const redisClient = config.redisUrl ? connectRedis(config.redisUrl, { keyPrefix: config.redisKeyPrefix, commandTimeoutMs: timeouts.redisCommandMs }) : undefined;
  redisClient?.on('error', (err) => logger.warn({ err: err.message }, 'redis error'));
  const redis = redisClient
    ? new RedisGate(redisClient, { onChange: (usable, reason) => (usable ? logger.info('redis answers again: using it') : logger.warn({ reason }, 'redis set aside: PostgreSQL answers in its place')) })
    : undefined;
  let queue: JobQueue | undefined;
  try {
    // Redis only speeds things up: a start-up without it goes on, and uses it once it answers.
    if (redisClient && !(await waitForRedis(redisClient, 2_000))) logger.warn('redis not ready at start: PostgreSQL answers in its place until it is');
    if (config.migrateOnStart) {
      const applied = await database.withoutTimeouts((knex) => migrateToLatest(knex, { embedded: database.embedded }));
      if (applied.length) logger.info({ applied }, 'database migrated');
    }

    const { knex } = database;
    // The outbox's job queue: its schema is migrated with Gatehouse's own tables.
    queue = await JobQueue.start(knex, { migrate: config.migrateOnStart, logger });
    await queue.define(DELIVERY_QUEUE, DELIVERY_RETRIES);
    await queue.define(LOGOUT_NOTICE_QUEUE, LOGOUT_NOTICE_RETRIES);
    const repositories = (options.decorateRepositories ?? ((r) => r))(createRepositories(knex));
    // The cores are shared by the processes of a cluster (WEB_CONCURRENCY): each takes its share
    // of hashes at once, so together they hash on every core and never queue threads on them.
    const hasher = new PasswordHasher(config.bcryptCost, { cores: Math.max(1, Math.ceil(availableParallelism() / config.webConcurrency)), poolSize: threadPoolSize() });
    const metrics = new Metrics();
    const outbox = config.delivery === 'outbox' ? new DevOutbox(logger) : undefined;
    const delivery: Courier = outbox ?? new AwsCourier(config.awsRegion!, config.emailFrom, config.awsCredentials);
    // What the outbox's worker sends through it is counted (sent, failed) for the metrics.
    const courier = new CountingCourier(delivery, (channel, status, reason) => metrics.message(channel, status, reason));
    const events = new EventLog(knex, logger);
    events.observe((event) => metrics.observeEvent(event));
    const background = new BackgroundTasks();
    const clientUsage = new ClientUsageRecorder(repositories.clients, logger, (task) => background.run(task));
    const clientAdapter = new ClientAdapter(repositories.clients);
    const marks = redis ? new RedisEphemeralMarks(redis, new PostgresEphemeralMarks(knex)) : new PostgresEphemeralMarks(knex);
    const devicePollIntervalSeconds = options.devicePollIntervalSeconds ?? 5;
    // Keys from the database (KEY_ENCRYPTION_KEY) rotate while running; otherwise from JWKS/COOKIE_KEYS.
    const keyRing = config.keyRing
      ? new KeyRing(knex, new KeyEncryption(config.keyRing.keyEncryptionKey, config.keyRing.previousKeyEncryptionKey), config.keyRing)
      : undefined;
    let ringSnapshot: RingSnapshot | undefined;
    let secrets: ProviderSecrets;
    if (keyRing) {
      await keyRing.seed({ jwks: config.jwks, cookieKeys: config.cookieKeys });
      ringSnapshot = await keyRing.snapshot();
      secrets = { jwks: ringSnapshot.jwks, cookieKeys: ringSnapshot.cookieKeys };
    } else {
      secrets = loadProviderSecrets(config);
    }
    // One-time codes and failed-password fingerprints are keyed from secrets every replica
    // shares for good: the cookie keys, or with a key ring (whose cookie keys rotate while
    // running) one secret derived from the key-encryption key.
    const derivationSecrets = config.keyRing ? [Buffer.from(hkdfSync('sha256', config.keyRing.keyEncryptionKey, 'gatehouse', 'derivation-secret', 32)).toString('base64url')] : secrets.cookieKeys;
    const now = options.now ?? (() => new Date());
    // The users refreshes look up, filled by the refresh-token reads that bring them along.
    const recentUsers = new RecentUsers(USER_CACHE_MS);
    // One adapter per model, shared by the provider and the services that revoke grants.
    const adapters = memoizeByName(
      createAdapterFactory({
        artifacts: repositories.artifacts,
        redis,
        clients: clientAdapter,
        decorateDeviceCode: (adapter) => enforcePollingInterval(adapter, marks, devicePollIntervalSeconds),
        recentUsers,
      }),
    );

    const services = createServices({
      knex,
      redis,
      adapters,
      repositories,
      hasher,
      courier,
      events,
      logger,
      issuer: config.issuer,
      secret: derivationSecrets[0]!,
      secrets: derivationSecrets,
      invalidateClient: (clientId) => clientAdapter.invalidate(clientId),
      now,
      background: (task) => background.run(task),
      queue,
      idTokenSigningAlgs: idTokenSigningAlgorithms(secrets.jwks),
      production: config.production,
      ssoEntraAuthority: config.ssoEntraAuthority,
    });
    const sending = queue;
    await sending.work<{ messageId: string }>(DELIVERY_QUEUE, database.embedded ? 2 : 4, (job) => services.delivery.deliver(job));

    const secureCookies = config.issuer.startsWith('https://');
    const upstreamSignOut = new UpstreamSignOut({
      users: repositories.users,
      connections: services.ssoConnections,
      upstream: services.upstream,
      seal: new SecretBox(derivationSecrets, 'sso-sign-out'),
      issuer: config.issuer,
      secureCookies,
      logger,
    });
    // The authorization request a sign-in page can start over (way-onward.ts), sealed in a cookie.
    const restartSeal = new SecretBox(derivationSecrets, 'sign-in-restarts');
    const provider = createProvider({
      issuer: config.issuer,
      secrets,
      users: repositories.users,
      trustProxy: config.trustProxy,
      idTokenAlg: config.keyRing?.signingAlg,
      devicePollIntervalSeconds,
      pages: createProviderPages({ upstreamSignOut, restartSeal, describeAccount: async (accountId) => (await repositories.users.findById(accountId))?.username }),
      signIn: { facts: services.signInFacts, flow: services.signInFlow },
      recordSecretUse: (clientId, previous) => clientUsage.record(clientId, previous),
      adapter: adapters,
      recentUsers,
    });
    provider.on('server_error', (_ctx, err) => (isStorageFault(err) ? logger.warn({ err: err.message }, 'storage unavailable') : logger.error({ err }, 'provider error')));
    watchIssuedTokens(provider, (grant, kind) => metrics.tokenIssued(grant, kind));
    queueBackchannelLogouts(provider, services.logoutNotices);
    await sending.work<LogoutNotice>(LOGOUT_NOTICE_QUEUE, 2, createLogoutTokenSender(provider, logger, { publicOnly: config.production }));
    installProviderEvents(provider, { events, users: repositories.users, logger });

    if (config.seedDemo) await seedDemo({ tenants: repositories.tenants, users: repositories.users, clients: repositories.clients, hasher, issuer: config.issuer });
    if (config.bootstrapOperator) await bootstrapOperatorClient(repositories.clients, config.bootstrapOperator);
    // The account page and the console sign people in through Gatehouse itself, each as its own first-party client.
    let listening: http.Server | undefined;
    const tripSeal = new SecretBox(derivationSecrets, 'first-party-trips');
    const firstPartyWebApp = async (app: FirstPartyApp, eventType: 'account.signed_in' | 'console.signed_in') => {
      const clientSecret = firstPartySecret(derivationSecrets[0]!, app.clientId);
      await ensureFirstPartyClient(repositories.clients, app, { issuer: config.issuer, secret: clientSecret });
      return new FirstPartyWebApp({
        app,
        issuer: config.issuer,
        clientSecret,
        // This process's own socket: the public issuer URL may not be reachable from inside (code-exchange.ts).
        tokenEndpoint: () => `http://127.0.0.1:${(listening!.address() as AddressInfo).port}/token`,
        sessions: services.firstPartySessions,
        users: repositories.users,
        tenants: repositories.tenants,
        tripSeal,
        secureCookies: config.issuer.startsWith('https://'),
        now,
        onSignedIn: (ctx, user, claims) => events.record({ type: eventType, tenant_id: user.tenant_id, user_id: user.id, client_id: app.clientId, client_kind: 'web', ip: ctx.ip, user_agent: ctx.get('user-agent') || null, details: { amr: claims.amr ?? [] } }),
      });
    };
    const accountWebApp = await firstPartyWebApp(ACCOUNT_APP, 'account.signed_in');
    const consoleWebApp = await firstPartyWebApp(CONSOLE_APP, 'console.signed_in');

    // Sign-ins in progress live in Redis: while it is set aside, one begun before is out of reach.
    const signInsOutOfReach = () => redis !== undefined && !redis.usable;
    const pages = { provider, logger, ...repositories, ...services, upstreamSignOut, restartSeal, signInsOutOfReach, issuer: config.issuer, secureCookies };
    let drain: ConnectionDrain | undefined;
    metrics.watchEventLog(events);
    metrics.watchDatabasePool(() => (knex.client as { pool?: ConnectionPool }).pool);
    if (redisClient) metrics.watchRedis(redisClient);
    metrics.watchStorageRoundTrips({ postgres: knex, redis: redisClient as WritableConnection | undefined });
    const smsBudget = services.smsBudget;
    metrics.watchSmsBudgets(() => smsBudget.useThisMonth(now(), repositories.tenants), logger);
    let signingKeys = ringSnapshot ? ringSnapshot.signing : await recordSigningKeySightings(knex, signingKeysOf(secrets.jwks));
    metrics.watchSigningKeys(() => signingKeys);
    // Started once the server listens: a start-up that fails leaves no timer behind.
    let keyFollower: KeyFollower | undefined;
    const app = createHttpApp({
      provider,
      pages,
      admin: { ...pages, issuer: config.issuer, events, keyRing, afterKeyRotation: async () => keyFollower?.refresh() },
      logger,
      metrics,
      issuer: config.issuer,
      cookieKeys: secrets.cookieKeys,
      trustProxy: config.trustProxy,
      demoEnabled: config.seedDemo,
      account: { webApp: accountWebApp, account: services.account },
      console: { ...pages, webApp: consoleWebApp, now },
      outbox: config.production ? undefined : { courier: outbox, messages: services.deliveryHistory },
      sesNotifications: { verifier: new SnsMessageVerifier({ trustedUrlPrefix: config.snsTrustedUrlPrefix }), notifications: services.sesNotifications, logger, topicArns: config.sesNotificationTopicArns },
      readiness: {
        checks: [
          { name: 'postgres', check: () => knex.raw('select 1') },
          // What the gate knows, without asking: a frozen Redis must not slow the probe down.
          ...(redis ? [{ name: 'redis', check: async () => assertUsable(redis), optional: true }] : []),
        ],
        draining: () => drain?.isDraining ?? false,
      },
    });

    const metricsServer = options.serveMetrics === false ? undefined : await startMetricsServer(metrics.collector(), config.metricsPort, logger);
    const server = http.createServer(app.callback());
    answerMalformedRequests(server);
    listening = server;
    drain = new ConnectionDrain(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, resolve);
    }).catch(async (err: unknown) => {
      if (metricsServer) await closeServer(metricsServer);
      throw err;
    });
    if (keyRing && ringSnapshot) {
      keyFollower = followKeyRing(provider, keyRing, { refreshSeconds: config.keyRing!.refreshSeconds, initial: ringSnapshot, logger, onApplied: (snapshot) => (signingKeys = snapshot.signing) });
    }
    const cleanup = new ExpiredDataCleanup(knex, repositories.artifacts);
    const cleanupSchedule = config.cleanupIntervalMinutes > 0 ? scheduleCleanup(cleanup, logger, config.cleanupIntervalMinutes * 60_000) : undefined;

    return {
      server,
      metricsServer,
      metrics,
      provider,
      database,
      redis,
      courier: delivery,
      events,
      services,
      cleanup,
      keyRing,
      refreshKeys: async () => keyFollower?.refresh(),
      async close() {
        keyFollower?.stop();
        const deadline = Date.now() + config.shutdownTimeoutMs;
        // What is left after the requests is for the work they started and closing storage,
        // which a database that does not answer can make slow.
        const forStorage = Math.min(5_000, config.shutdownTimeoutMs / 3);
        const { cut } = await drain!.drain(deadline - forStorage);
        if (cut) logger.warn({ cut }, 'requests still unanswered at the shutdown deadline were cut');
        const before = (work: () => Promise<unknown>, name: string) => within(work, deadline - Date.now(), () => logger.warn({ step: name }, 'shutdown step cut short at its deadline'));
        await before(() => background.drain(), 'background work');
        await before(async () => cleanupSchedule?.stop(), 'cleanup');
        await before(() => events.flush(), 'event log');
        // Sends under way finish; the rest stay queued for the next start or another replica.
        await before(() => sending.stop(), 'outbox');
        if (delivery instanceof AwsCourier) delivery.close();
        redis?.close();
        redisClient?.disconnect();
        await before(() => database.close(), 'database');
        // Last: Prometheus can scrape a replica while it drains.
        if (metricsServer) await closeServer(metricsServer);
      },
    };
  } catch (err) {
    await queue?.stop(1_000).catch(() => undefined);
    redis?.close();
    redisClient?.disconnect();
    await database.close();
    throw err;
  }
}

function assertUsable(redis: RedisGate): void {
  if (!redis.usable) throw new Error('redis set aside');
}

/** Waits for `work` at most `ms`; past it, says so and goes on (shutdown must end in time). */
async function within(work: () => Promise<unknown>, ms: number, late: () => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), Math.max(0, ms))));
  const outcome = await Promise.race([work().then(() => 'done' as const, () => 'done' as const), expired]);
  clearTimeout(timer);
  if (outcome === 'late') late();
}

/** The provider asks once per model; the services must get the very same instances. */
function memoizeByName(factory: (name: string) => Adapter): (name: string) => Adapter {
  const made = new Map<string, Adapter>();
  return (name) => {
    let adapter = made.get(name);
    if (!adapter) made.set(name, (adapter = factory(name)));
    return adapter;
  };
}

function closeServer(server: http.Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  return closed;
}

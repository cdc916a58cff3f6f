import { hkdfSync } from 'node:crypto';
import http from 'node:http';
import type { Redis } from 'ioredis';
import type Provider from 'oidc-provider';
import { bootstrapOperatorClient } from '../domain/clients/bootstrap-operator.js';
import { ClientUsageRecorder } from '../domain/clients/client-usage.js';
import type { GatehouseConfig } from '../infrastructure/config/config.js';
import { loadProviderSecrets, signingKeysOf, type ProviderSecrets } from '../infrastructure/config/signing-keys.js';
import { KeyEncryption } from '../infrastructure/keys/key-encryption.js';
import { KeyRing, type RingSnapshot } from '../infrastructure/keys/key-ring.js';
import { followKeyRing, type KeyFollower } from '../entrypoints/oidc/live-keys.js';
import { AwsCourier } from '../infrastructure/courier/aws-courier.js';
import { CountingCourier } from '../infrastructure/courier/counting-courier.js';
import type { Courier } from '../infrastructure/courier/courier.js';
import { DevOutbox } from '../infrastructure/courier/dev-outbox.js';
import { seedDemo } from '../entrypoints/demo/demo-seed.js';
import { EventLog } from '../domain/events/event-log.js';
import { scheduleCleanup } from '../domain/maintenance/cleanup-schedule.js';
import { ExpiredDataCleanup } from '../domain/maintenance/expired-data-cleanup.js';
import type { Logger } from '../infrastructure/observability/logger.js';
import { Metrics, type ConnectionPool } from '../infrastructure/observability/metrics.js';
import { startMetricsServer } from '../infrastructure/observability/metrics-server.js';
import { recordSigningKeySightings } from '../infrastructure/storage/signing-key-sightings.js';
import { watchIssuedTokens } from '../entrypoints/oidc/issued-tokens.js';
import { createAdapterFactory } from '../entrypoints/oidc/adapters/adapter-factory.js';
import { ClientAdapter } from '../entrypoints/oidc/adapters/client.adapter.js';
import { createProvider } from '../entrypoints/oidc/create-provider.js';
import { enforcePollingInterval } from '../entrypoints/oidc/device-flow.js';
import { installProviderEvents } from '../entrypoints/oidc/provider-events.js';
import { PasswordHasher } from '../domain/passwords/password-hasher.js';
import { openDatabase, type Database } from '../infrastructure/storage/database.js';
import { PostgresEphemeralMarks, RedisEphemeralMarks } from '../infrastructure/storage/ephemeral-marks.js';
import { migrateToLatest } from '../infrastructure/storage/migrator.js';
import { connectRedis, waitForRedis } from '../infrastructure/storage/redis.js';
import { BackgroundTasks } from '../infrastructure/lifecycle/background-tasks.js';
import { createHttpApp } from './http-app.js';
import { providerPages } from '../entrypoints/pages/provider-pages.js';
import { createRepositories, type Repositories } from './repositories.js';
import { createServices, type Services } from './services.js';

export interface GatehouseOptions {
  /** RFC 8628 polling interval; tests shorten it. */
  devicePollIntervalSeconds?: number;
  /** Keep the embedded database in memory instead of DATA_DIR (tests). */
  embeddedInMemory?: boolean;
  /** The clock of time-dependent rules (remembered devices, codes); tests move it instead of waiting. */
  now?: () => Date;
  /** Wraps the repositories once they are built (tests count the reads of a sign-in). */
  decorateRepositories?: (repositories: Repositories) => Repositories;
}

export interface Gatehouse {
  server: http.Server;
  /** Serves GET /metrics on METRICS_PORT, apart from the public server. */
  metricsServer: http.Server;
  metrics: Metrics;
  provider: Provider;
  database: Database;
  redis?: Redis;
  courier: Courier;
  events: EventLog;
  services: Services;
  /** Signing and cookie keys in the database (KEY_ENCRYPTION_KEY); absent when they come from variables. */
  keyRing?: KeyRing;
  /** Re-reads the key ring at once (it does every KEY_REFRESH_SECONDS on its own). */
  refreshKeys(): Promise<void>;
  /** Deletes expired events and rows; runs hourly on its own, tests call `run` directly. */
  cleanup: ExpiredDataCleanup;
  /** Stops taking connections, lets in-flight requests finish, then closes storage. */
  close(): Promise<void>;
}

/** The composition root: builds every part from the configuration and starts listening. */
export async function startGatehouse(config: GatehouseConfig, logger: Logger, options: GatehouseOptions = {}): Promise<Gatehouse> {
  const database = await openDatabase({ url: config.databaseUrl, embeddedDataDir: options.embeddedInMemory ? undefined : config.dataDir });
  const redis = config.redisUrl ? connectRedis(config.redisUrl, config.redisKeyPrefix) : undefined;
  redis?.on('error', (err) => logger.warn({ err }, 'redis error'));
  try {
    if (redis) await waitForRedis(redis);
    if (config.migrateOnStart) {
      const applied = await migrateToLatest(database.knex);
      if (applied.length) logger.info({ applied }, 'database migrated');
    }

    const { knex } = database;
    const repositories = (options.decorateRepositories ?? ((r) => r))(createRepositories(knex));
    const hasher = new PasswordHasher(config.bcryptCost);
    const metrics = new Metrics();
    const outbox = config.delivery === 'outbox' ? new DevOutbox(logger) : undefined;
    const delivery: Courier = outbox ?? new AwsCourier(config.awsRegion!, config.emailFrom, config.awsCredentials);
    const courier = new CountingCourier(delivery, (channel, status, reason) => metrics.message(channel, status, reason));
    const events = new EventLog(knex, logger);
    events.observe((event) => metrics.observeEvent(event));
    const background = new BackgroundTasks();
    const clientUsage = new ClientUsageRecorder(repositories.clients, logger, (task) => background.run(task));
    const clientAdapter = new ClientAdapter(repositories.clients);
    const marks = redis ? new RedisEphemeralMarks(redis) : new PostgresEphemeralMarks(knex);
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
    // One-time codes and failed-password fingerprints are keyed from a secret every replica
    // shares for good: the first cookie key, or with a key ring (whose cookie keys rotate while
    // running) the key-encryption key.
    const derivationSecret = config.keyRing ? Buffer.from(hkdfSync('sha256', config.keyRing.keyEncryptionKey, 'gatehouse', 'derivation-secret', 32)).toString('base64url') : secrets.cookieKeys[0]!;
    const now = options.now ?? (() => new Date());
    // The interaction policy asks the second-factor service, which is built after the provider.
    let services: Services | undefined;

    const provider = createProvider({
      issuer: config.issuer,
      secrets,
      users: repositories.users,
      trustProxy: config.trustProxy,
      idTokenAlg: config.keyRing?.signingAlg,
      devicePollIntervalSeconds,
      pages: providerPages,
      secondFactorDue: async ({ accountId, amr, deviceHash, warningAcknowledged }) => {
        const user = await repositories.users.findById(accountId);
        const tenant = user && (await repositories.tenants.findById(user.tenant_id));
        if (!user || !tenant) return false;
        return (await services!.secondFactor.stepFor(user, tenant, { amr, deviceHash, warningAcknowledged })).step !== 'none';
      },
      recordSecretUse: (clientId, previous) => clientUsage.record(clientId, previous),
      adapter: createAdapterFactory({
        knex,
        redis,
        clients: clientAdapter,
        decorateDeviceCode: (adapter) => enforcePollingInterval(adapter, marks, devicePollIntervalSeconds),
      }),
    });
    provider.on('server_error', (_ctx, err) => logger.error({ err }, 'provider error'));
    watchIssuedTokens(provider, (grant, kind) => metrics.tokenIssued(grant, kind));
    installProviderEvents(provider, { events, users: repositories.users, logger });

    services = createServices({
      knex,
      redis,
      provider,
      repositories,
      hasher,
      courier,
      events,
      logger,
      issuer: config.issuer,
      secret: derivationSecret,
      invalidateClient: (clientId) => clientAdapter.invalidate(clientId),
      now,
      background: (task) => background.run(task),
    });

    if (config.seedDemo) await seedDemo({ tenants: repositories.tenants, users: repositories.users, clients: repositories.clients, hasher, issuer: config.issuer });
    if (config.bootstrapOperator) await bootstrapOperatorClient(repositories.clients, config.bootstrapOperator);

    const pages = { provider, logger, ...repositories, ...services, secureCookies: config.issuer.startsWith('https://') };
    metrics.watchEventLog(events);
    metrics.watchDatabasePool(() => (knex.client as { pool?: ConnectionPool }).pool);
    if (redis) metrics.watchRedis(redis);
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
      outbox: config.production ? undefined : outbox,
      readiness: [
        { name: 'postgres', check: () => knex.raw('select 1') },
        ...(redis ? [{ name: 'redis', check: () => redis.ping() }] : []),
      ],
    });

    const metricsServer = await startMetricsServer(metrics, config.metricsPort, logger);
    const server = http.createServer(app.callback());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, resolve);
    }).catch(async (err: unknown) => {
      await closeServer(metricsServer);
      throw err;
    });
    if (keyRing && ringSnapshot) {
      keyFollower = followKeyRing(provider, keyRing, { refreshSeconds: config.keyRing!.refreshSeconds, initial: ringSnapshot, logger, onApplied: (snapshot) => (signingKeys = snapshot.signing) });
    }
    const cleanup = new ExpiredDataCleanup(knex);
    const cleanupSchedule = scheduleCleanup(cleanup, logger);

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
        await drain(server);
        await background.drain();
        await cleanupSchedule.stop();
        await events.flush();
        if (delivery instanceof AwsCourier) delivery.close();
        redis?.disconnect();
        await database.close();
        // Last: Prometheus can scrape a replica while it drains.
        await closeServer(metricsServer);
      },
    };
  } catch (err) {
    redis?.disconnect();
    await database.close();
    throw err;
  }
}

/** SIGTERM: no new connections, idle keep-alives closed, in-flight requests get 10 s to finish. */
async function drain(server: http.Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const force = setTimeout(() => server.closeAllConnections(), 10_000);
  force.unref();
  await closed;
  clearTimeout(force);
}

function closeServer(server: http.Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  return closed;
}

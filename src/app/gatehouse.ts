import http from 'node:http';
import type { Redis } from 'ioredis';
import type Provider from 'oidc-provider';
import { bootstrapOperatorClient } from '../domain/clients/bootstrap-operator.js';
import { ClientUsageRecorder } from '../domain/clients/client-usage.js';
import type { GatehouseConfig } from '../infrastructure/config/config.js';
import { idTokenSigningAlgorithms, loadProviderSecrets } from '../infrastructure/config/signing-keys.js';
import { AwsCourier } from '../infrastructure/courier/aws-courier.js';
import type { Courier } from '../infrastructure/courier/courier.js';
import { DevOutbox } from '../infrastructure/courier/dev-outbox.js';
import { seedDemo } from '../entrypoints/demo/demo-seed.js';
import { EventLog } from '../domain/events/event-log.js';
import { scheduleCleanup } from '../domain/maintenance/cleanup-schedule.js';
import { ExpiredDataCleanup } from '../domain/maintenance/expired-data-cleanup.js';
import type { Logger } from '../infrastructure/observability/logger.js';
import { Metrics } from '../infrastructure/observability/metrics.js';
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
import type { Adapter } from 'oidc-provider';
import { BackgroundTasks } from '../infrastructure/lifecycle/background-tasks.js';
import { createHttpApp } from './http-app.js';
import { providerPages } from '../entrypoints/pages/provider-pages.js';
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
  /** Wraps the repositories once they are built (tests count the reads of a sign-in). */
  decorateRepositories?: (repositories: Repositories) => Repositories;
}

export interface Gatehouse {
  server: http.Server;
  provider: Provider;
  database: Database;
  redis?: Redis;
  courier: Courier;
  events: EventLog;
  services: Services;
  /** Deletes expired events and rows; runs hourly on its own, tests call `run` directly. */
  cleanup: ExpiredDataCleanup;
  /** Stops taking connections, lets in-flight requests finish, then closes storage. */
  close(): Promise<void>;
}

/** The composition root: builds every part from the configuration and starts listening. */
export async function startGatehouse(config: GatehouseConfig, logger: Logger, options: GatehouseOptions = {}): Promise<Gatehouse> {
  const database = await openDatabase({ url: config.databaseUrl, embeddedDataDir: options.embeddedInMemory ? undefined : config.dataDir });
  const redis = config.redisUrl ? connectRedis(config.redisUrl, config.redisKeyPrefix) : undefined;
  let queue: JobQueue | undefined;
  redis?.on('error', (err) => logger.warn({ err: err.message }, 'redis error'));
  try {
    if (redis) await waitForRedis(redis);
    if (config.migrateOnStart) {
      const applied = await migrateToLatest(database.knex, { embedded: database.embedded });
      if (applied.length) logger.info({ applied }, 'database migrated');
    }

    const { knex } = database;
    // The outbox's job queue: its schema is migrated with Gatehouse's own tables.
    queue = await JobQueue.start(knex, { migrate: config.migrateOnStart, logger });
    await queue.define(DELIVERY_QUEUE, DELIVERY_RETRIES);
    await queue.define(LOGOUT_NOTICE_QUEUE, LOGOUT_NOTICE_RETRIES);
    const repositories = (options.decorateRepositories ?? ((r) => r))(createRepositories(knex));
    const hasher = new PasswordHasher(config.bcryptCost);
    const outbox = config.delivery === 'outbox' ? new DevOutbox(logger) : undefined;
    const courier: Courier = outbox ?? new AwsCourier(config.awsRegion!, config.emailFrom);
    const events = new EventLog(knex, logger);
    const background = new BackgroundTasks();
    const clientUsage = new ClientUsageRecorder(repositories.clients, logger, (task) => background.run(task));
    const clientAdapter = new ClientAdapter(repositories.clients);
    const marks = redis ? new RedisEphemeralMarks(redis) : new PostgresEphemeralMarks(knex);
    const devicePollIntervalSeconds = options.devicePollIntervalSeconds ?? 5;
    const secrets = loadProviderSecrets(config);
    const now = options.now ?? (() => new Date());
    // One adapter per model, shared by the provider and the services that revoke grants.
    const adapters = memoizeByName(
      createAdapterFactory({
        artifacts: repositories.artifacts,
        redis,
        clients: clientAdapter,
        decorateDeviceCode: (adapter) => enforcePollingInterval(adapter, marks, devicePollIntervalSeconds),
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
      secret: secrets.cookieKeys[0]!,
      secrets: secrets.cookieKeys,
      invalidateClient: (clientId) => clientAdapter.invalidate(clientId),
      now,
      background: (task) => background.run(task),
      queue,
      idTokenSigningAlgs: idTokenSigningAlgorithms(secrets.jwks),
    });
    const sending = queue;
    await sending.work<{ messageId: string }>(DELIVERY_QUEUE, database.embedded ? 2 : 4, (job) => services.delivery.deliver(job));

    const provider = createProvider({
      issuer: config.issuer,
      secrets,
      users: repositories.users,
      trustProxy: config.trustProxy,
      devicePollIntervalSeconds,
      pages: providerPages,
      signIn: { facts: services.signInFacts, flow: services.signInFlow },
      recordSecretUse: (clientId, previous) => clientUsage.record(clientId, previous),
      adapter: adapters,
    });
    provider.on('server_error', (_ctx, err) => logger.error({ err }, 'provider error'));
    queueBackchannelLogouts(provider, services.logoutNotices);
    await sending.work<LogoutNotice>(LOGOUT_NOTICE_QUEUE, 2, createLogoutTokenSender(provider, logger));
    installProviderEvents(provider, { events, users: repositories.users, logger });

    if (config.seedDemo) await seedDemo({ tenants: repositories.tenants, users: repositories.users, clients: repositories.clients, hasher, issuer: config.issuer });
    if (config.bootstrapOperator) await bootstrapOperatorClient(repositories.clients, config.bootstrapOperator);

    const pages = { provider, logger, ...repositories, ...services, secureCookies: config.issuer.startsWith('https://') };
    const metrics = new Metrics();
    metrics.watchEventLog(events);
    const app = createHttpApp({
      provider,
      pages,
      admin: { ...pages, issuer: config.issuer },
      logger,
      metrics,
      issuer: config.issuer,
      cookieKeys: secrets.cookieKeys,
      trustProxy: config.trustProxy,
      demoEnabled: config.seedDemo,
      outbox: config.production ? undefined : { courier: outbox, messages: services.deliveryHistory },
      sesNotifications: { verifier: new SnsMessageVerifier({ trustedUrlPrefix: config.snsTrustedUrlPrefix }), notifications: services.sesNotifications, logger, topicArns: config.sesNotificationTopicArns },
      readiness: [
        { name: 'postgres', check: () => knex.raw('select 1') },
        ...(redis ? [{ name: 'redis', check: () => redis.ping() }] : []),
      ],
    });

    const server = http.createServer(app.callback());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, resolve);
    });
    const cleanup = new ExpiredDataCleanup(knex, repositories.artifacts);
    const cleanupSchedule = scheduleCleanup(cleanup, logger);

    return {
      server,
      provider,
      database,
      redis,
      courier,
      events,
      services,
      cleanup,
      async close() {
        await drain(server);
        await background.drain();
        // Sends under way finish; the rest stay queued for the next start or another replica.
        await sending.stop();
        await cleanupSchedule.stop();
        await events.flush();
        if (courier instanceof AwsCourier) courier.close();
        redis?.disconnect();
        await database.close();
      },
    };
  } catch (err) {
    await queue?.stop(1_000).catch(() => undefined);
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

/** The provider asks once per model; the services must get the very same instances. */
function memoizeByName(factory: (name: string) => Adapter): (name: string) => Adapter {
  const made = new Map<string, Adapter>();
  return (name) => {
    let adapter = made.get(name);
    if (!adapter) made.set(name, (adapter = factory(name)));
    return adapter;
  };
}

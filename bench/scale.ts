import { performance } from 'node:perf_hooks';
import { ExpiredDataCleanup } from '../src/domain/maintenance/expired-data-cleanup.js';
import { ArtifactRepository } from '../src/domain/sessions/artifact.repository.js';
import { openDatabase } from '../src/infrastructure/storage/database.js';
import { passwordSignIns } from './scenarios/password-sign-in.js';
import { refreshTokenGrants } from './scenarios/refresh-token.js';
import { adminSearches, operatorAccessToken } from './scale/admin-search.js';
import { coldRefreshes } from './scale/cold-refresh.js';
import { LockWatch } from './scale/lock-watch.js';
import { redisMemoryByModel, redisUsedMemory } from './scale/redis-memory.js';
import { readScaleSettings } from './scale/scale-settings.js';
import { timeStatements } from './scale/statement-timer.js';
import { SCALE_DEFAULTS, seedAtScale, tableSizes } from './seed/scale-seed.js';
import { opaqueId, SEEDED_CLIENT_ID, seededTenantSlug } from './seed/seeded-ids.js';
import { formatBytes } from './seed/seed-report.js';
import { Cleanup } from './support/cleanup.js';
import { machineLine } from './support/environment.js';
import { foreignCpuDuring } from './support/foreign-cpu.js';
import { chainsBySigningIn } from './support/refresh-chains.js';
import { millis, rate } from './support/report.js';
import { ScratchStorage, serverVersions } from './support/scratch-storage.js';
import { freePort } from './support/free-port.js';
import { GatehouseProcess } from './support/gatehouse-process.js';
import { readSettings, type BenchSettings } from './support/settings.js';
import { signInOverFetch } from './support/sign-in-over-fetch.js';
import { demoCredentials, describeTarget, type Target } from './support/target.js';
import { MeasurementWindow, type Measurement } from './support/window.js';

/**
 * `npm run bench:scale`: sign-in, refresh and the admin search on the small demo database, then
 * on the same database seeded at scale (BENCH_SCALE_*), side by side; then the hourly cleanup of
 * the seeded expired rows while apps refresh, with the longest lock wait it caused and its
 * longest statement; then Redis memory per live token. Figures, never assertions.
 */

const OPERATOR = { id: 'bench-operator', secret: 'bench-operator-secret-0123456789abcdefghij' };
// What an administrator types: family names, an email domain fragment, phone digits.
const DEMO_QUERIES = ['ali', 'admin', 'demo', 'Ada', 'member'];
const SEEDED_QUERIES = ['smith', 'garcia', 'olivia.', 'example.com', '555', 'patel', 'zoe'];

interface Phase {
  signIns: Measurement;
  refresh: Measurement;
  search: Measurement;
}

const startedAt = Date.now();
function step(label: string, seconds?: number): void {
  const elapsed = Math.round((Date.now() - startedAt) / 1000);
  process.stderr.write(`[${String(elapsed).padStart(4)} s] ${label}${seconds ? ` (${seconds} s)` : ''}\n`);
}

async function startGatehouse(storage: ScratchStorage, settings: BenchSettings, cleanup: Cleanup): Promise<{ server: GatehouseProcess; target: Target; stop: () => Promise<void> }> {
  const port = await freePort();
  // As `npm start` runs it, with the same processes and logging as `npm run bench`.
  const server = await GatehouseProcess.start(`Gatehouse (${settings.processes} processes, BCRYPT_COST=${settings.bcryptCost})`, {
    PORT: String(port),
    METRICS_PORT: String(await freePort()),
    ISSUER: `http://127.0.0.1:${port}`,
    ...storage.env,
    SEED_DEMO: '1',
    // The bench runs the cleanup itself, at a known moment (step 3).
    CLEANUP_INTERVAL_MINUTES: '0',
    BCRYPT_COST: String(settings.bcryptCost),
    WEB_CONCURRENCY: String(settings.processes),
    LOG_LEVEL: 'info',
    BOOTSTRAP_OPERATOR_CLIENT_ID: OPERATOR.id,
    BOOTSTRAP_OPERATOR_CLIENT_SECRET: OPERATOR.secret,
  });
  const stop = cleanup.add(`stop Gatehouse on port ${port}`, async () => void (await server.stop()));
  return { server, target: await describeTarget('gatehouse', server.origin), stop };
}

async function measurePhase(label: string, gatehouse: { server: GatehouseProcess; target: Target }, settings: BenchSettings, searchTenant: string, queries: readonly string[]): Promise<Phase> {
  const eachRun = settings.warmupSeconds + settings.seconds;
  const withCpu = async (run: (w: MeasurementWindow) => Promise<Measurement>, seconds = settings.seconds) => {
    const w = new MeasurementWindow(settings.warmupSeconds, seconds);
    const [measured, otherCpu] = await Promise.all([run(w), foreignCpuDuring(w, [process.pid, gatehouse.server.pid])]);
    return { ...measured, otherCpu };
  };
  step(`${label}: password sign-ins at cost ${settings.bcryptCost}`, settings.warmupSeconds + settings.signInSeconds);
  const signIns = await withCpu((w) => passwordSignIns(gatehouse.target, settings.signInConnections, w), settings.signInSeconds);
  step(`${label}: ${settings.refreshChains} sign-ins for refresh-token chains`);
  const chains = await chainsBySigningIn(settings.refreshChains, 4, (index) => signInOverFetch(gatehouse.target.mobile, demoCredentials(index)));
  step(`${label}: refresh_token (${settings.refreshChains} chains)`, eachRun);
  const refresh = await withCpu((w) => refreshTokenGrants(gatehouse.target, chains, { connections: settings.tokenConnections }, w));
  const token = await operatorAccessToken(gatehouse.target.origin, gatehouse.target.tokenPath, OPERATOR);
  step(`${label}: admin search in tenant ${searchTenant}`, eachRun);
  const search = await withCpu((w) => adminSearches(gatehouse.target.origin, token, searchTenant, queries, settings.tokenConnections, w));
  return { signIns, refresh, search };
}

function change(before: Measurement, after: Measurement): string {
  const pct = (after.perSecond / before.perSecond - 1) * 100;
  return Number.isFinite(pct) ? `${pct >= 0 ? '+' : ''}${pct.toFixed(1)} %` : '—';
}

function cells(m: Measurement): string {
  const cpu = m.otherCpu === undefined ? '' : `, other CPU ${Math.round(m.otherCpu * 100)}%${m.otherCpu > 0.1 ? ' !' : ''}`;
  return `${rate(m.perSecond)}/s p50 ${millis(m.p50)} p99 ${millis(m.p99)} ms${m.failed ? `, ${m.failed} failed` : ''}${cpu}`;
}

async function main(): Promise<void> {
  const settings = readSettings();
  const scale = readScaleSettings();
  const cleanup = new Cleanup();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping Gatehouse and dropping the scratch database…\n`);
      void cleanup.run().finally(() => process.exit(130));
    });
  }
  const out: string[] = [];
  try {
    const versions = await serverVersions(settings.adminDatabaseUrl, settings.redisUrl);
    const storage = await ScratchStorage.create(settings.adminDatabaseUrl, settings.redisUrl);
    cleanup.add(`drop scratch database ${storage.redisKeyPrefix}`, () => storage.remove());

    // 1. The demo database: a handful of rows.
    let gatehouse = await startGatehouse(storage, settings, cleanup);
    const small = await measurePhase('demo database', gatehouse, settings, 'demo', DEMO_QUERIES);
    await gatehouse.stop();

    // 2. The same database seeded at scale, then the same measurements on a fresh Gatehouse.
    const database = await openDatabase({ url: storage.databaseUrl, poolMax: 1 });
    cleanup.add('close the bench database connection', () => database.close());
    step(`seeding ${scale.tenants.toLocaleString('en-US')} tenants, ${scale.users.toLocaleString('en-US')} users, ${scale.refreshTokens.toLocaleString('en-US')} live refresh tokens`);
    const seed = await database.withoutTimeouts((knex) =>
      seedAtScale(knex, { ...SCALE_DEFAULTS, tenants: scale.tenants, users: scale.users, refreshTokens: scale.refreshTokens, sessions: Math.min(Math.round(scale.users / 10), scale.refreshTokens), expiredShare: scale.expiredShare, bcryptCost: settings.bcryptCost }, (line) => step(`  seed: ${line}`)),
    );
    const sizes = await tableSizes(database.knex);
    gatehouse = await startGatehouse(storage, settings, cleanup);
    const big = await measurePhase('at scale', gatehouse, settings, 'demo', DEMO_QUERIES);
    const token = await operatorAccessToken(gatehouse.target.origin, gatehouse.target.tokenPath, OPERATOR);
    const seededTenant = seededTenantSlug(0);
    step(`at scale: admin search in seeded tenant ${seededTenant}`, settings.warmupSeconds + settings.seconds);
    const seededSearch = await adminSearches(gatehouse.target.origin, token, seededTenant, SEEDED_QUERIES, settings.tokenConnections, new MeasurementWindow(settings.warmupSeconds, settings.seconds));
    step('at scale: seeded refresh tokens, each refreshed once (cold)', settings.seconds);
    const cold = await coldRefreshes(gatehouse.target.origin, gatehouse.target.tokenPath, SEEDED_CLIENT_ID, (n) => opaqueId(seed.salt, 'rt', n), scale.refreshTokens, settings.tokenConnections, new MeasurementWindow(0, settings.seconds));

    // 3. The hourly cleanup of the seeded expired rows while apps refresh.
    step(`cleanup of ${(seed.expiredRefreshTokens + seed.expiredSessions).toLocaleString('en-US')} expired rows while apps refresh`);
    const pid = Number((await database.knex.raw<{ rows: { pid: number }[] }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
    const dbName = new URL(storage.databaseUrl).pathname.slice(1);
    const watch = await LockWatch.start(settings.adminDatabaseUrl, dbName, () => [pid]);
    // What is there to delete as the cleanup starts (the bench's Gatehouse runs no cleanup of its
    // own, CLEANUP_INTERVAL_MINUTES=0, so this is the seeded backlog plus what expired since).
    const expiredAtStart = Number((await database.knex.raw<{ rows: { n: string }[] }>('SELECT count(*) AS n FROM oidc_artifacts WHERE expires_at < now()')).rows[0]!.n);
    const timer = timeStatements(database.knex);
    const cleanupStarted = performance.now();
    let cleanupDone = false;
    const cleaning = database
      .withoutTimeouts(() => new ExpiredDataCleanup(database.knex, new ArtifactRepository(database.knex)).run())
      .finally(() => (cleanupDone = true));
    // Seeded tokens, each refreshed once, in short windows until the cleanup ends: no chain state
    // to lose between windows (a chain whose answer was cut off would later count as a replay).
    const during: Measurement[] = [];
    let nextToken = cold.used;
    const coldRun = (seconds: number) => coldRefreshes(gatehouse.target.origin, gatehouse.target.tokenPath, SEEDED_CLIENT_ID, (n) => opaqueId(seed.salt, 'rt', n), scale.refreshTokens, settings.tokenConnections, new MeasurementWindow(0, seconds), nextToken);
    while (!cleanupDone) {
      const run = await coldRun(2);
      nextToken += run.used;
      during.push(run);
    }
    const report = await cleaning;
    const cleanupSeconds = (performance.now() - cleanupStarted) / 1000;
    const statements = timer.stop();
    const locks = await watch.stop();
    const refreshedDuring = during.reduce((sum, m) => sum + m.ok, 0);
    const failedDuring = during.reduce((sum, m) => sum + m.failed, 0);
    const p99During = Math.max(...during.map((m) => m.p99));
    const failuresDuring = [...new Set(during.flatMap((m) => m.failures))].slice(0, 3).join('; ');

    // 4. Redis memory per live token: what the refreshes above left under this run's prefix.
    step('Redis memory per live token');
    const usedBefore = await redisUsedMemory(settings.redisUrl);
    const extra = await coldRun(3);
    const usedAfter = await redisUsedMemory(settings.redisUrl);
    const models = await redisMemoryByModel(settings.redisUrl, storage.redisKeyPrefix);
    await gatehouse.stop();

    const line = (label: string, a: Measurement, b: Measurement) => `  ${label.padEnd(30)} ${cells(a).padEnd(58)} ${cells(b).padEnd(58)} ${change(a, b)}`;
    out.push(
      `Gatehouse at scale, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; ${machineLine()}; PostgreSQL ${versions.postgres}, Redis ${versions.redis}`,
      `Seeded: ${scale.tenants.toLocaleString('en-US')} tenants, ${scale.users.toLocaleString('en-US')} users, ${scale.refreshTokens.toLocaleString('en-US')} live refresh tokens (+ ${seed.expiredRefreshTokens.toLocaleString('en-US')} expired, ${seed.expiredSessions.toLocaleString('en-US')} expired sessions) in ${seed.parts.reduce((s, p) => s + p.seconds, 0).toFixed(0)} s`,
      `  ${seed.parts.map((p) => `${p.name} ${p.seconds.toFixed(1)} s`).join(', ')}`,
      `  tables: ${sizes.map((s) => `${s.table} ${s.rows.toLocaleString('en-US')} rows ${formatBytes(s.bytes)}`).join(', ')}`,
      `Windows of ${settings.seconds} s after ${settings.warmupSeconds} s warm-up; sign-ins by ${settings.signInConnections} browsers at BCRYPT_COST=${settings.bcryptCost}, the rest on ${settings.tokenConnections} connections.`,
      '',
      `  ${'figure'.padEnd(30)} ${'demo database'.padEnd(58)} ${'at scale'.padEnd(58)} change`,
      line('password sign-in (whole flow)', small.signIns, big.signIns),
      line('refresh_token (demo chains)', small.refresh, big.refresh),
      line('admin search, demo tenant', small.search, big.search),
      `  ${'admin search, seeded tenant'.padEnd(30)} ${''.padEnd(58)} ${cells(seededSearch)}  (${Math.round(scale.users / scale.tenants)} users in the tenant)`,
      `  ${'refresh, seeded tokens (cold)'.padEnd(30)} ${''.padEnd(58)} ${cells(cold)}  (${cold.used.toLocaleString('en-US')} distinct tokens)`,
      '',
      `Cleanup of expired rows while apps refreshed: ${expiredAtStart.toLocaleString('en-US')} expired artifacts at its start; ${cleanupSeconds.toFixed(1)} s, deleted ${Object.entries(report).filter(([, n]) => n).map(([t, n]) => `${t} ${n.toLocaleString('en-US')}`).join(', ') || 'nothing'}`,
      `  statements: ${statements.statements}, longest ${millis(statements.longestMs)} ms (${statements.longestSql}), ${millis(statements.totalMs / Math.max(1, statements.statements))} ms on average`,
      `  lock waits of other connections (sampled every 50 ms, ${locks.samples} samples): ${locks.waits} seen, ${locks.onCleanup} behind the cleanup, longest ${locks.waits ? `${locks.longestMs} ms (${locks.longestQuery})` : '0 ms (none seen)'}`,
      `  seeded-token refreshes meanwhile: ${refreshedDuring.toLocaleString('en-US')} ok, ${failedDuring} failed${failuresDuring ? ` (${failuresDuring})` : ''}, ${rate(refreshedDuring / Math.max(0.001, during.length * 2))}/s, worst p99 of a 2 s window ${millis(p99During)} ms`,
      '',
      `Redis (prefix of this run; ${extra.ok.toLocaleString('en-US')} refreshes in a last 3 s window):`,
      ...models.map((m) => `  ${m.model.padEnd(24)} ${m.keys.toLocaleString('en-US').padStart(9)} keys  ${Math.round(m.bytesPerKey).toLocaleString('en-US').padStart(6)} B each (MEMORY USAGE, e.g. ${m.sampleKey.slice(0, 40)}…)`),
      `  per live access token: ${perLiveToken(models)}`,
      `  INFO used_memory delta over those refreshes ÷ refreshes: ${extra.ok ? `${Math.round((usedAfter - usedBefore) / extra.ok).toLocaleString('en-US')} B` : '—'} (whole server: other clients' keys count too)`,
    );
    const busy = [small.signIns, small.refresh, small.search, big.signIns, big.refresh, big.search].some((m) => (m.otherCpu ?? 0) > 0.1);
    if (busy) out.push('', '! other work took more than 10% of the machine in a window marked !: those figures are of a busy machine; rerun when it is quiet.');
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await cleanup.run();
    step('done');
  }
}

/** AccessToken keys plus the per-grant index entries they need, over the access tokens. */
function perLiveToken(models: Awaited<ReturnType<typeof redisMemoryByModel>>): string {
  const access = models.find((m) => m.model === 'oidc:AccessToken');
  if (!access) return '— (no access tokens in Redis)';
  const grants = models.find((m) => m.model === 'oidc:grant');
  const total = access.keys * access.bytesPerKey + (grants ? grants.keys * grants.bytesPerKey : 0);
  return `${Math.round(total / access.keys).toLocaleString('en-US')} B (${Math.round(access.bytesPerKey)} B the token's key + its share of the grant index)`;
}

main().catch((err: Error) => {
  process.stderr.write(`bench:scale failed: ${err.stack ?? err.message}\n`);
  process.exitCode = 1;
});

import { bcryptComparisons } from './scenarios/bcrypt-baseline.js';
import { clientCredentialsGrants } from './scenarios/client-credentials.js';
import { passwordSignIns } from './scenarios/password-sign-in.js';
import { refreshTokenGrants } from './scenarios/refresh-token.js';
import { clientCredentialsBesideSignIns, type BesideFigures } from './scenarios/token-beside-sign-ins.js';
import { Cleanup } from './support/cleanup.js';
import { machineLine, packageVersion } from './support/environment.js';
import { foreignCpuDuring } from './support/foreign-cpu.js';
import { roundTripsDuring } from './support/storage-trips.js';
import { launchBare, launchGatehouse } from './support/launch.js';
import { chainsBySigningIn, RefreshChains } from './support/refresh-chains.js';
import { millis, rate, renderReport, type Comparison, type Row } from './support/report.js';
import { serverVersions } from './support/scratch-storage.js';
import { readSettings, type BenchSettings } from './support/settings.js';
import { signInOverFetch } from './support/sign-in-over-fetch.js';
import { demoCredentials } from './support/target.js';
import { MeasurementWindow, type Measurement } from './support/window.js';

/**
 * `npm run bench`: the figures of DESIGN §9, printed, never asserted. Each server runs in its
 * own child process, one at a time, while this process generates the load (autocannon) and
 * measures; see bench/README.md for what each figure means.
 */

// Refresh tokens for the refresh benchmark come from real sign-ins through the login form, on an
// instance of its own at the lowest cost so they take a second or two, not one each; the
// refresh grant never runs bcrypt, so its figure does not depend on the cost.
const SETUP_BCRYPT_COST = 4;
const SETUP_SIGN_INS_AT_ONCE = 4;

interface Figures {
  bcrypt: Measurement;
  clientCredentials: { bare: Measurement; gatehouse: Measurement };
  refresh: { bare: Measurement; gatehouse: Measurement };
  signIns: Measurement;
  beside: BesideFigures;
}

async function measureAll(settings: BenchSettings, cleanup: Cleanup): Promise<Figures> {
  const window = (warmupSeconds = settings.warmupSeconds) => new MeasurementWindow(warmupSeconds, settings.seconds);
  const connections = settings.tokenConnections;
  const eachRun = settings.warmupSeconds + settings.seconds;
  /** Runs one scenario in a fresh window and notes how much of the machine other work took meanwhile. */
  const measure = async (server: { pid: number }, scenario: (window: MeasurementWindow) => Promise<Measurement>, warmupSeconds?: number, trips?: { metricsUrl?: string; grant: string }) => {
    const measuring = window(warmupSeconds);
    const [measured, otherCpu, roundTrips] = await Promise.all([
      scenario(measuring),
      foreignCpuDuring(measuring, [process.pid, server.pid]),
      trips?.metricsUrl ? roundTripsDuring(measuring, trips.metricsUrl, trips.grant) : undefined,
    ]);
    return { ...measured, otherCpu, roundTrips };
  };

  const bare = await launchBare(cleanup);
  step('bare oidc-provider: client_credentials', eachRun);
  const bareClientCredentials = await measure(bare.server, (w) => clientCredentialsGrants(bare.target, connections, w));
  step(`bare oidc-provider: refresh_token (${settings.refreshChains} chains)`, eachRun);
  // Minted just before use: the in-memory adapter keeps only its 1,000 most recent entries, and
  // the client_credentials run above would have evicted anything made earlier.
  const bareChains = new RefreshChains(await bare.server.mintRefreshTokens(settings.refreshChains));
  const bareRefresh = await measure(bare.server, (w) => refreshTokenGrants(bare.target, bareChains, connections, w));
  await bare.dispose();

  const gatehouse = await launchGatehouse(settings, settings.bcryptCost, cleanup);
  step('Gatehouse: client_credentials', eachRun);
  const gatehouseClientCredentials = await measure(gatehouse.server, (w) => clientCredentialsGrants(gatehouse.target, connections, w), undefined, { metricsUrl: gatehouse.metricsUrl, grant: 'client_credentials' });
  // What bcrypt allows, measured right before the sign-ins it is compared with (the machine's
  // other work drifts), with Gatehouse idle; a second of warm-up is plenty for a C++ loop.
  const bcryptWarmup = Math.min(1, settings.warmupSeconds);
  step(`bcrypt.compare at cost ${settings.bcryptCost}, ${settings.cores} at a time, in-process`, bcryptWarmup + settings.seconds);
  const bcrypt = await measure(gatehouse.server, (w) => bcryptComparisons(settings.bcryptCost, settings.cores, w), bcryptWarmup);
  step(`Gatehouse: password sign-ins at cost ${settings.bcryptCost}`, eachRun);
  const signIns = await measure(gatehouse.server, (w) => passwordSignIns(gatehouse.target, settings.signInConnections, w));
  step('Gatehouse: client_credentials beside password sign-ins', eachRun);
  const windows = { tokens: window(), signIns: window() };
  const [beside, otherCpu] = await Promise.all([
    clientCredentialsBesideSignIns(gatehouse.target, { tokens: connections, signIns: settings.signInConnections }, windows),
    foreignCpuDuring(windows.tokens, [process.pid, gatehouse.server.pid]),
  ]);
  await gatehouse.dispose();

  const refreshInstance = await launchGatehouse(settings, SETUP_BCRYPT_COST, cleanup);
  step(`Gatehouse: ${settings.refreshChains} sign-ins for refresh-token chains`);
  const chains = await chainsBySigningIn(settings.refreshChains, SETUP_SIGN_INS_AT_ONCE, (index) =>
    signInOverFetch(refreshInstance.target.mobile, demoCredentials(index)),
  );
  step(`Gatehouse: refresh_token (${settings.refreshChains} chains)`, eachRun);
  const gatehouseRefresh = await measure(refreshInstance.server, (w) => refreshTokenGrants(refreshInstance.target, chains, connections, w), undefined, { metricsUrl: refreshInstance.metricsUrl, grant: 'refresh_token' });
  await refreshInstance.dispose();

  return {
    bcrypt,
    clientCredentials: { bare: bareClientCredentials, gatehouse: gatehouseClientCredentials },
    refresh: { bare: bareRefresh, gatehouse: gatehouseRefresh },
    signIns,
    beside: { tokens: { ...beside.tokens, otherCpu }, signIns: { ...beside.signIns, otherCpu } },
  };
}

function rowsOf(figures: Figures, settings: BenchSettings): Row[] {
  return [
    { scenario: 'client_credentials grant', target: 'bare', measured: figures.clientCredentials.bare },
    { scenario: 'client_credentials grant', target: 'gatehouse', measured: figures.clientCredentials.gatehouse },
    { scenario: 'refresh_token grant (rotating)', target: 'bare', measured: figures.refresh.bare },
    { scenario: 'refresh_token grant (rotating)', target: 'gatehouse', measured: figures.refresh.gatehouse },
    { scenario: `bcrypt.compare, cost ${settings.bcryptCost}, ${settings.cores} at a time`, target: 'in-process', measured: figures.bcrypt },
    { scenario: 'password sign-in (whole flow)', target: 'gatehouse', measured: figures.signIns },
    { scenario: 'password sign-in, beside client_credentials', target: 'gatehouse', measured: figures.beside.signIns },
    { scenario: 'client_credentials, beside sign-ins', target: 'gatehouse', measured: figures.beside.tokens },
  ];
}

function comparisonsOf(figures: Figures, settings: BenchSettings): Comparison[] {
  const versus = (a: Measurement, b: Measurement, unit: string) => `${rate(a.perSecond)} vs ${rate(b.perSecond)} ${unit}`;
  const compare = (label: string, a: Measurement, b: Measurement, detail: string): Comparison => ({ label, ratio: a.perSecond / b.perSecond, detail, of: [a, b] });
  const { clientCredentials: cc, refresh, bcrypt, signIns, beside } = figures;
  return [
    compare('refresh_token, Gatehouse / bare', refresh.gatehouse, refresh.bare, `${versus(refresh.gatehouse, refresh.bare, 'grants/s')}   (DESIGN §9: at least 1.00)`),
    compare('client_credentials, Gatehouse / bare', cc.gatehouse, cc.bare, `${versus(cc.gatehouse, cc.bare, 'grants/s')}   (DESIGN §9: at least 1.00)`),
    compare('sign-ins / what bcrypt allows', signIns, bcrypt, `${versus(signIns, bcrypt, `per s at cost ${settings.bcryptCost}`)}   (DESIGN §9: at least 0.90)`),
    compare('sign-ins beside tokens / what bcrypt allows', beside.signIns, bcrypt, `${versus(beside.signIns, bcrypt, 'per s')}   (sign-ins share the cores with the token load)`),
    compare(
      'client_credentials beside sign-ins / alone',
      beside.tokens,
      cc.gatehouse,
      `${versus(beside.tokens, cc.gatehouse, 'grants/s')}, p99 ${millis(cc.gatehouse.p99)} → ${millis(beside.tokens.p99)} ms   (DESIGN §9: not slowed by bcrypt)`,
    ),
  ];
}

const startedAt = Date.now();

/** Progress on stderr, so stdout carries the report alone. */
function step(label: string, seconds?: number): void {
  const elapsed = Math.round((Date.now() - startedAt) / 1000);
  process.stderr.write(`[${String(elapsed).padStart(3)} s] ${label}${seconds ? ` (${seconds} s)` : ''}\n`);
}

async function main(): Promise<void> {
  const settings = readSettings();
  const cleanup = new Cleanup();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping servers and removing scratch databases…\n`);
      void cleanup.run().finally(() => process.exit(130));
    });
  }
  try {
    const versions = await serverVersions(settings.adminDatabaseUrl, settings.redisUrl);
    const figures = await measureAll(settings, cleanup);
    const header = [
      `Gatehouse bench, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      `${machineLine()}; PostgreSQL ${versions.postgres}, Redis ${versions.redis}; oidc-provider ${packageVersion('oidc-provider')}, autocannon ${packageVersion('autocannon')}`,
      `Operations ending in a ${settings.seconds} s window after ${settings.warmupSeconds} s of warm-up; token grants on ${settings.tokenConnections} connections, ` +
        `sign-ins by ${settings.signInConnections} browsers at BCRYPT_COST=${settings.bcryptCost}. Figures, not pass/fail: see bench/README.md.`,
      'other CPU: share of all cores that processes other than the bench, its server, PostgreSQL and Redis took during the window.',
    ];
    process.stdout.write(`${renderReport(header, rowsOf(figures, settings), comparisonsOf(figures, settings))}\n`);
  } finally {
    await cleanup.run();
    step('done');
  }
}

main().catch((err: Error) => {
  process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
  process.exitCode = 1;
});

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bcryptComparisons } from './scenarios/bcrypt-baseline.js';
import { clientCredentialsGrants } from './scenarios/client-credentials.js';
import { passwordSignIns } from './scenarios/password-sign-in.js';
import { refreshTokenGrants } from './scenarios/refresh-token.js';
import { clientCredentialsBesideSignIns, type BesideFigures } from './scenarios/token-beside-sign-ins.js';
import { Cleanup } from './support/cleanup.js';
import { machineLine, packageVersion } from './support/environment.js';
import { cpuDuring, foreignCpuDuring } from './support/foreign-cpu.js';
import { memoryAtClose } from './support/memory.js';
import type { GatehouseProcess } from './support/gatehouse-process.js';
import type { LoadShape } from './support/load.js';
import { introspections } from './scenarios/introspection.js';
import { renderSoak, soak } from './scenarios/soak.js';
import { coldRefreshes } from './scale/cold-refresh.js';
import { SCALE_DEFAULTS, seedAtScale } from './seed/scale-seed.js';
import { opaqueId, SEEDED_CLIENT_ID } from './seed/seeded-ids.js';
import { openDatabase } from '../src/infrastructure/storage/database.js';
import { serverCountsDuring } from './support/server-counts.js';
import { launchBare, launchGatehouse, type Launched } from './support/launch.js';
import { chainsBySigningIn, RefreshChains } from './support/refresh-chains.js';
import { millis, percent, rate, renderReport, type Comparison, type Row } from './support/report.js';
import { barsFromRows, renderChart } from './support/chart.js';
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
  clientCredentials: TokenFigures;
  introspection: TokenFigures;
  refresh: TokenFigures;
  /** Sign-ins from the person's own browser, known after its first sign-in: DESIGN §9's figure. */
  signIns: Measurement;
  /** Sign-ins from a browser never seen before, each time: a new-device email each. */
  newBrowserSignIns: Measurement;
  beside: BesideFigures;
  /** Refreshes of chains no cache holds (BENCH_COLD_TOKENS), peak and half of it. */
  coldRefresh?: { peak: Measurement; half: Measurement };
  /** The memory soak's table (BENCH_SOAK_MINUTES), when one ran. */
  soaked?: string;
}

/** A token workload: bare oidc-provider's peak, Gatehouse's peak, and Gatehouse at half of it. */
interface TokenFigures {
  bare: Measurement;
  gatehouse: Measurement;
  gatehouseHalf: Measurement;
}

/** What a scenario needs to run once: a fresh window and the load shape. */
type Scenario = (window: MeasurementWindow, shape: LoadShape) => Promise<Measurement>;

async function measureAll(settings: BenchSettings, cleanup: Cleanup): Promise<Figures> {
  const window = (warmupSeconds = settings.warmupSeconds, seconds = settings.seconds) => new MeasurementWindow(warmupSeconds, seconds);
  const connections = settings.tokenConnections;
  const eachRun = settings.warmupSeconds + settings.seconds;
  /**
   * Runs one scenario in a fresh window and notes how much of the machine other work took
   * meanwhile; for Gatehouse also its round trips to storage per request on `route` and its
   * memory as the window closes.
   */
  const measure = async (server: { pid: number }, scenario: (window: MeasurementWindow) => Promise<Measurement>, options: { warmupSeconds?: number; seconds?: number; metricsUrl?: string; route?: string } = {}) => {
    const measuring = window(options.warmupSeconds, options.seconds);
    const [measured, cpu, counts, memory] = await Promise.all([
      scenario(measuring),
      cpuDuring(measuring, { bench: process.pid, server: server.pid }),
      options.metricsUrl && options.route ? serverCountsDuring(measuring, options.metricsUrl, options.route) : undefined,
      memoryAtClose(measuring, server.pid),
    ]);
    return { ...measured, otherCpu: cpu.other, cpu: cpu.split, roundTrips: counts?.roundTrips, serverShareWithin25Ms: counts?.shareWithin25Ms, memory };
  };
  /** Gatehouse's peak (closed loop), then an open loop at half of it: latency without queueing. */
  const peakAndHalf = async (label: string, launched: Launched<GatehouseProcess>, route: string, scenario: Scenario) => {
    const options = { metricsUrl: launched.metricsUrl, route };
    step(`Gatehouse: ${label}`, eachRun);
    const peak = await measure(launched.server, (w) => scenario(w, { connections }), options);
    step(`Gatehouse: ${label} at half of its peak (${rate(peak.perSecond / 2)}/s)`, eachRun);
    const half = await measure(launched.server, (w) => scenario(w, { connections, overallRate: peak.perSecond / 2 }), options);
    return { peak, half: { ...half, offeredRate: peak.perSecond / 2 } };
  };

  const bare = await launchBare(cleanup);
  step('bare oidc-provider: client_credentials', eachRun);
  const bareClientCredentials = await measure(bare.server, (w) => clientCredentialsGrants(bare.target, { connections }, w));
  step('bare oidc-provider: introspection', eachRun);
  const bareIntrospection = await measure(bare.server, (w) => introspections(bare.target, { connections }, w));
  step(`bare oidc-provider: refresh_token (${settings.refreshChains} chains)`, eachRun);
  // Minted just before use: the in-memory adapter keeps only its 1,000 most recent entries, and
  // the runs above would have evicted anything made earlier.
  const bareChains = new RefreshChains(await bare.server.mintRefreshTokens(settings.refreshChains));
  const bareRefresh = await measure(bare.server, (w) => refreshTokenGrants(bare.target, bareChains, { connections }, w));
  await bare.dispose();

  const gatehouse = await launchGatehouse(settings, settings.bcryptCost, cleanup);
  const clientCredentials = await peakAndHalf('client_credentials', gatehouse, '/token', (w, shape) => clientCredentialsGrants(gatehouse.target, shape, w));
  const introspection = await peakAndHalf('introspection', gatehouse, '/token/introspection', (w, shape) => introspections(gatehouse.target, shape, w));
  // What bcrypt allows, measured right before the sign-ins it is compared with (the machine's
  // other work drifts), with Gatehouse idle; a second of warm-up is plenty for a C++ loop.
  const bcryptWarmup = Math.min(1, settings.warmupSeconds);
  const signInRun = settings.warmupSeconds + settings.signInSeconds;
  step(`bcrypt.compare at cost ${settings.bcryptCost}, ${settings.cores} at a time, in-process`, bcryptWarmup + settings.signInSeconds);
  const bcrypt = await measure(gatehouse.server, (w) => bcryptComparisons(settings.bcryptCost, settings.cores, w), { warmupSeconds: bcryptWarmup, seconds: settings.signInSeconds });
  step(`Gatehouse: password sign-ins at cost ${settings.bcryptCost}, returning browsers`, signInRun);
  const signIns = await measure(gatehouse.server, (w) => passwordSignIns(gatehouse.target, settings.signInConnections, w, 'returning'), { seconds: settings.signInSeconds });
  step(`Gatehouse: password sign-ins at cost ${settings.bcryptCost}, a new browser each time`, signInRun);
  const newBrowserSignIns = await measure(gatehouse.server, (w) => passwordSignIns(gatehouse.target, settings.signInConnections, w, 'new'), { seconds: settings.signInSeconds });
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
  const refresh = await peakAndHalf(`refresh_token (${settings.refreshChains} chains)`, refreshInstance, '/token', (w, shape) => refreshTokenGrants(refreshInstance.target, chains, shape, w));
  const cold = settings.coldTokens > 0 ? await coldShape(refreshInstance, settings, peakAndHalf) : undefined;
  let soaked: string | undefined;
  if (settings.soakMinutes > 0) {
    step(`Gatehouse: memory soak, refresh + client_credentials`, settings.soakMinutes * 60);
    // Chains of their own: a request cut off at the end of a run leaves its chain's newest
    // token unknown, and presenting an older one after the retry window ends the chain.
    const soakChains = await chainsBySigningIn(settings.refreshChains, SETUP_SIGN_INS_AT_ONCE, (index) => signInOverFetch(refreshInstance.target.mobile, demoCredentials(index)));
    soaked = renderSoak(await soak(refreshInstance.target, soakChains, { pid: refreshInstance.server.pid, minutes: settings.soakMinutes, connections }), settings.soakMinutes);
  }
  await refreshInstance.dispose();

  return {
    bcrypt,
    clientCredentials: { bare: bareClientCredentials, gatehouse: clientCredentials.peak, gatehouseHalf: clientCredentials.half },
    introspection: { bare: bareIntrospection, gatehouse: introspection.peak, gatehouseHalf: introspection.half },
    refresh: { bare: bareRefresh, gatehouse: refresh.peak, gatehouseHalf: refresh.half },
    coldRefresh: cold,
    signIns,
    newBrowserSignIns,
    beside: { tokens: { ...beside.tokens, otherCpu }, signIns: { ...beside.signIns, otherCpu } },
    soaked,
  };
}

function rowsOf(figures: Figures, settings: BenchSettings): Row[] {
  const token = (scenario: string, f: TokenFigures): Row[] => [
    { scenario, target: 'bare', measured: f.bare },
    { scenario, target: 'gatehouse', measured: f.gatehouse },
    { scenario: `${scenario}, half of peak`, target: 'gatehouse', measured: f.gatehouseHalf },
  ];
  return [
    ...token('client_credentials grant', figures.clientCredentials),
    ...token('introspection', figures.introspection),
    ...token('refresh_token grant (rotating)', figures.refresh),
    ...(figures.coldRefresh
      ? [
          { scenario: 'refresh_token, each chain once (cold)', target: 'gatehouse', measured: figures.coldRefresh.peak },
          { scenario: 'refresh_token, each chain once (cold), half of peak', target: 'gatehouse', measured: figures.coldRefresh.half },
        ]
      : []),
    { scenario: `bcrypt.compare, cost ${settings.bcryptCost}, ${settings.cores} at a time`, target: 'in-process', measured: figures.bcrypt },
    { scenario: 'password sign-in (whole flow)', target: 'gatehouse', measured: figures.signIns },
    { scenario: 'password sign-in, new browser each time', target: 'gatehouse', measured: figures.newBrowserSignIns },
    { scenario: 'password sign-in, beside client_credentials', target: 'gatehouse', measured: figures.beside.signIns },
    { scenario: 'client_credentials, beside sign-ins', target: 'gatehouse', measured: figures.beside.tokens },
  ];
}

function comparisonsOf(figures: Figures, settings: BenchSettings): Comparison[] {
  const versus = (a: Measurement, b: Measurement, unit: string) => `${rate(a.perSecond)} vs ${rate(b.perSecond)} ${unit}`;
  const compare = (label: string, a: Measurement, b: Measurement, detail: string): Comparison => ({ label, ratio: a.perSecond / b.perSecond, detail, of: [a, b] });
  const { clientCredentials: cc, introspection, refresh, bcrypt, signIns, newBrowserSignIns, beside } = figures;
  return [
    compare('refresh_token, Gatehouse / bare', refresh.gatehouse, refresh.bare, `${versus(refresh.gatehouse, refresh.bare, 'grants/s')}   (DESIGN §9: at least 1.00)`),
    compare('client_credentials, Gatehouse / bare', cc.gatehouse, cc.bare, `${versus(cc.gatehouse, cc.bare, 'grants/s')}   (DESIGN §9: at least 1.00)`),
    compare('introspection, Gatehouse / bare', introspection.gatehouse, introspection.bare, `${versus(introspection.gatehouse, introspection.bare, 'per s')}`),
    compare('sign-ins / what bcrypt allows', signIns, bcrypt, `${versus(signIns, bcrypt, `per s at cost ${settings.bcryptCost}`)}   (DESIGN §9: at least 0.90)`),
    compare('new-browser sign-ins / what bcrypt allows', newBrowserSignIns, bcrypt, `${versus(newBrowserSignIns, bcrypt, 'per s')}   (each also sends a new-device email)`),
    compare('sign-ins beside tokens / what bcrypt allows', beside.signIns, bcrypt, `${versus(beside.signIns, bcrypt, 'per s')}   (sign-ins share the cores with the token load)`),
    compare(
      'client_credentials beside sign-ins / alone',
      beside.tokens,
      cc.gatehouse,
      `${versus(beside.tokens, cc.gatehouse, 'grants/s')}, p99 ${millis(cc.gatehouse.p99)} → ${millis(beside.tokens.p99)} ms   (DESIGN §9: not slowed by bcrypt; p99 under 50 ms)`,
    ),
    ...[
      ['refresh_token', refresh],
      ['client_credentials', cc],
      ['introspection', introspection],
    ].map(([name, f]) => {
      const figures = f as TokenFigures;
      const half = figures.gatehouseHalf;
      const own = half.serverShareWithin25Ms === undefined ? '' : `; by Gatehouse's own clock ${percent(half.serverShareWithin25Ms)} within 25 ms`;
      return { label: `${name as string} p99 at half of peak`, ratio: Number.NaN, detail: `${millis(half.p99)} ms at ${rate(half.offeredRate ?? 0)}/s offered${own}   (target: under 25 ms)`, of: [half, figures.gatehouse] as [Measurement, Measurement] };
    }),
  ];
}

/** The figures the chart shows: each target of DESIGN §9 against its baseline. */
function chartOf(rows: Row[], settings: BenchSettings, when: string): string {
  const bars = barsFromRows(rows, [
    { label: 'refresh_token grant', unit: 'grants per second, rotating', gatehouse: 'refresh_token grant (rotating)', baseline: 'refresh_token grant (rotating)', baselineLabel: 'bare oidc-provider', target: 1 },
    { label: 'client_credentials grant', unit: 'grants per second', gatehouse: 'client_credentials grant', baseline: 'client_credentials grant', baselineLabel: 'bare oidc-provider', target: 1 },
    { label: 'introspection', unit: 'answers per second', gatehouse: 'introspection', baseline: 'introspection', baselineLabel: 'bare oidc-provider' },
    {
      label: 'password sign-in',
      unit: `whole flows per second, cost ${settings.bcryptCost}`,
      gatehouse: 'password sign-in (whole flow)',
      baseline: `bcrypt.compare, cost ${settings.bcryptCost}, ${settings.cores} at a time`,
      baselineTarget: 'in-process',
      baselineLabel: 'what bcrypt allows',
      target: 0.9,
    },
  ]);
  return renderChart(when, `${settings.cores} cores; Gatehouse with ${settings.processes} processes on PostgreSQL + Redis; bare oidc-provider in memory, one process`, bars);
}

/** The last run's report and chart, in BENCH_RESULTS_DIR (bench/results), for bench/README.md. */
function saveResults(report: string, chart: string): void {
  const dir = path.resolve(process.env.BENCH_RESULTS_DIR || 'bench/results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'last-run.txt'), `${report}\n`);
  writeFileSync(path.join(dir, 'last-run.svg'), chart);
  step(`report and chart written to ${path.relative(process.cwd(), dir) || '.'}/last-run.{txt,svg}`);
}

/**
 * The realistic shape of refresh traffic: millions of phones, each refreshing about once an hour,
 * so every request finds a chain whose token, grant and user no cache holds. Tokens are seeded
 * in SQL (bench/seed/) into the running instance's database, for their own client and users,
 * and each is presented exactly once, at the peak and then at half of it.
 */
async function coldShape(
  instance: Launched<GatehouseProcess>,
  settings: BenchSettings,
  peakAndHalf: (label: string, launched: Launched<GatehouseProcess>, route: string, scenario: Scenario) => Promise<{ peak: Measurement; half: Measurement }>,
): Promise<{ peak: Measurement; half: Measurement }> {
  step(`seeding ${settings.coldTokens.toLocaleString('en-US')} refresh-token chains for the cold shape`);
  const database = await openDatabase({ url: instance.databaseUrl!, poolMax: 1 });
  const seed = await database
    .withoutTimeouts((knex) =>
      seedAtScale(knex, { ...SCALE_DEFAULTS, tenants: 10, users: Math.max(100, Math.round(settings.coldTokens / 20)), refreshTokens: settings.coldTokens, sessions: 100, expiredShare: 0, batch: 20_000, bcryptCost: 4 }),
    )
    .finally(() => database.close());
  let next = 0;
  return peakAndHalf('refresh_token, each chain once (cold)', instance, '/token', async (window, shape) => {
    const run = await coldRefreshes(instance.target.origin, instance.target.tokenPath, SEEDED_CLIENT_ID, (n) => opaqueId(seed.salt, 'rt', n), settings.coldTokens, shape, window, next);
    next += run.used;
    if (next > settings.coldTokens) window.failedWith(`ran out of seeded chains (${settings.coldTokens}): raise BENCH_COLD_TOKENS`);
    return run;
  });
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
      `Gatehouse as npm start runs it: ${settings.processes} process${settings.processes === 1 ? '' : 'es'} (WEB_CONCURRENCY), logging at info (an access-log line per request); bare oidc-provider: one process, in memory.`,
      `Operations ending in a ${settings.seconds} s window after ${settings.warmupSeconds} s of warm-up; token grants on ${settings.tokenConnections} connections, ` +
        `sign-ins by ${settings.signInConnections} browsers at BCRYPT_COST=${settings.bcryptCost} (sign-ins and bcrypt in ${settings.signInSeconds} s windows). Figures, not pass/fail: see bench/README.md.`,
      'other CPU: share of all cores that processes other than the bench, its server, PostgreSQL and Redis took during the window.',
    ];
    const rows = rowsOf(figures, settings);
    const report = [renderReport(header, rows, comparisonsOf(figures, settings)), ...(figures.soaked ? ['', figures.soaked] : [])].join('\n');
    process.stdout.write(`${report}\n`);
    saveResults(report, chartOf(rows, settings, header[0]!));
  } finally {
    await cleanup.run();
    step('done');
  }
}

main().catch((err: Error) => {
  process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
  process.exitCode = 1;
});

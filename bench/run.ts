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

/**
 * A token workload: bare oidc-provider's peak and Gatehouse's, measured back to back
 * (`BENCH_PAIRS` times), and Gatehouse at half of its peak.
 */
interface TokenFigures {
  pairs: Pair[];
  gatehouseHalf: Measurement;
}

interface Pair {
  bare: Measurement;
  gatehouse: Measurement;
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
    const peak = await gatehousePeak(label, launched, route, scenario);
    return { peak, half: await gatehouseHalf(label, launched, route, scenario, peak.perSecond) };
  };
  const gatehousePeak = (label: string, launched: Launched<GatehouseProcess>, route: string, scenario: Scenario) => {
    step(`Gatehouse: ${label}`, eachRun);
    return measure(launched.server, (w) => scenario(w, { connections }), { metricsUrl: launched.metricsUrl, route });
  };
  const gatehouseHalf = async (label: string, launched: Launched<GatehouseProcess>, route: string, scenario: Scenario, peakPerSecond: number) => {
    step(`Gatehouse: ${label} at half of its peak (${rate(peakPerSecond / 2)}/s)`, eachRun);
    const half = await measure(launched.server, (w) => scenario(w, { connections, overallRate: peakPerSecond / 2 }), { metricsUrl: launched.metricsUrl, route });
    return { ...half, offeredRate: peakPerSecond / 2 };
  };
  /**
   * A DESIGN §9 ratio: bare oidc-provider's peak and Gatehouse's, back to back, BENCH_PAIRS
   * times, the first target alternating; then Gatehouse at half of its average peak.
   */
  const paired = async (
    label: string,
    bareRun: (window: MeasurementWindow) => Promise<Measurement>,
    launched: Launched<GatehouseProcess>,
    route: string,
    scenario: Scenario,
    /** Before each of Gatehouse's windows, outside it (the refresh signs in new chains). */
    prepareGatehouse: () => Promise<void> = async () => {},
  ): Promise<TokenFigures> => {
    const pairs: Pair[] = [];
    for (let index = 0; index < settings.pairs; index++) {
      const runBare = () => {
        step(`bare oidc-provider: ${label}`, eachRun);
        return measure(bare.server, bareRun);
      };
      const runGatehouse = async () => {
        await prepareGatehouse();
        return gatehousePeak(label, launched, route, scenario);
      };
      if (index % 2 === 0) {
        const bareFigure = await runBare();
        pairs.push({ bare: bareFigure, gatehouse: await runGatehouse() });
      } else {
        const gatehouseFigure = await runGatehouse();
        pairs.push({ bare: await runBare(), gatehouse: gatehouseFigure });
      }
    }
    const peak = pairs.reduce((sum, pair) => sum + pair.gatehouse.perSecond, 0) / pairs.length;
    await prepareGatehouse();
    return { pairs, gatehouseHalf: await gatehouseHalf(label, launched, route, scenario, peak) };
  };

  // Bare oidc-provider stays up (idle between its windows) until the last pair is measured.
  const bare = await launchBare(cleanup);
  const gatehouse = await launchGatehouse(settings, settings.bcryptCost, cleanup);
  const clientCredentials = await paired('client_credentials', (w) => clientCredentialsGrants(bare.target, { connections }, w), gatehouse, '/token', (w, shape) => clientCredentialsGrants(gatehouse.target, shape, w));
  const introspection = await paired('introspection', (w) => introspections(bare.target, { connections }, w), gatehouse, '/token/introspection', (w, shape) => introspections(gatehouse.target, shape, w));
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
  let chains: RefreshChains | undefined;
  // New chains before each window: an answer cut off at a window's end leaves its chain's newest
  // token unknown, and presenting the one before after the retry window (a bare window between
  // two of Gatehouse's is longer) ends the chain, as reuse of a rotated token must.
  const signInChains = async () => {
    step(`Gatehouse: ${settings.refreshChains} sign-ins for refresh-token chains`);
    chains = await chainsBySigningIn(settings.refreshChains, SETUP_SIGN_INS_AT_ONCE, (index) => signInOverFetch(refreshInstance.target.mobile, demoCredentials(index)));
  };
  const refresh = await paired(
    `refresh_token (${settings.refreshChains} chains)`,
    // Chains minted just before each use: the in-memory adapter keeps only its 1,000 most recent
    // entries, and the runs before would have evicted anything made earlier.
    async (w) => refreshTokenGrants(bare.target, new RefreshChains(await bare.server.mintRefreshTokens(settings.refreshChains)), { connections }, w),
    refreshInstance,
    '/token',
    (w, shape) => refreshTokenGrants(refreshInstance.target, chains!, shape, w),
    signInChains,
  );
  await bare.dispose();
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
    clientCredentials,
    introspection,
    refresh,
    coldRefresh: cold,
    signIns,
    newBrowserSignIns,
    beside: { tokens: { ...beside.tokens, otherCpu }, signIns: { ...beside.signIns, otherCpu } },
    soaked,
  };
}

function rowsOf(figures: Figures, settings: BenchSettings): Row[] {
  // Each pair's two rows; the first pair under the workload's own name (the chart reads those).
  const token = (scenario: string, f: TokenFigures): Row[] => [
    ...f.pairs.flatMap((pair, index) => {
      const name = index === 0 ? scenario : `${scenario}, pair ${index + 1}`;
      return [
        { scenario: name, target: 'bare', measured: pair.bare },
        { scenario: name, target: 'gatehouse', measured: pair.gatehouse },
      ];
    }),
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
  /**
   * Gatehouse over bare oidc-provider, from the pairs measured back to back: the rates summed
   * over the pairs, each pair's own ratio after it. Flagged busy if any window was.
   */
  const pairedRatio = (label: string, f: TokenFigures, unit: string, target: string): Comparison => {
    const sum = (of: (pair: Pair) => Measurement) => f.pairs.reduce((total, pair) => total + of(pair).perSecond, 0);
    const [gatehouse, bare] = [sum((pair) => pair.gatehouse), sum((pair) => pair.bare)];
    const each = f.pairs.length > 1 ? `; pair by pair ${f.pairs.map((pair) => (pair.gatehouse.perSecond / pair.bare.perSecond).toFixed(2)).join(', ')}` : '';
    const busiest = (of: (pair: Pair) => Measurement) => f.pairs.map(of).reduce((a, b) => ((b.otherCpu ?? 0) > (a.otherCpu ?? 0) ? b : a));
    const n = f.pairs.length;
    return { label, ratio: gatehouse / bare, detail: `${rate(gatehouse / n)} vs ${rate(bare / n)} ${unit}${n > 1 ? ` on average over ${n} pairs` : ''}${each}${target}`, of: [busiest((pair) => pair.gatehouse), busiest((pair) => pair.bare)] };
  };
  const { clientCredentials: cc, introspection, refresh, bcrypt, signIns, newBrowserSignIns, beside } = figures;
  const ccFirst = cc.pairs[0]!.gatehouse;
  return [
    pairedRatio('refresh_token, Gatehouse / bare', refresh, 'grants/s', '   (DESIGN §9: at least 1.00)'),
    pairedRatio('client_credentials, Gatehouse / bare', cc, 'grants/s', '   (DESIGN §9: at least 1.00)'),
    pairedRatio('introspection, Gatehouse / bare', introspection, 'per s', ''),
    compare('sign-ins / what bcrypt allows', signIns, bcrypt, `${versus(signIns, bcrypt, `per s at cost ${settings.bcryptCost}`)}   (DESIGN §9: at least 0.90)`),
    compare('new-browser sign-ins / what bcrypt allows', newBrowserSignIns, bcrypt, `${versus(newBrowserSignIns, bcrypt, 'per s')}   (each also sends a new-device email)`),
    compare('sign-ins beside tokens / what bcrypt allows', beside.signIns, bcrypt, `${versus(beside.signIns, bcrypt, 'per s')}   (sign-ins share the cores with the token load)`),
    compare(
      'client_credentials beside sign-ins / alone',
      beside.tokens,
      ccFirst,
      `${versus(beside.tokens, ccFirst, 'grants/s')}, p99 ${millis(ccFirst.p99)} → ${millis(beside.tokens.p99)} ms   (DESIGN §9: not slowed by bcrypt; p99 under 50 ms)`,
    ),
    ...[
      ['refresh_token', refresh],
      ['client_credentials', cc],
      ['introspection', introspection],
    ].map(([name, f]) => {
      const figures = f as TokenFigures;
      const half = figures.gatehouseHalf;
      const own = half.serverShareWithin25Ms === undefined ? '' : `; by Gatehouse's own clock ${percent(half.serverShareWithin25Ms)} within 25 ms`;
      return { label: `${name as string} p99 at half of peak`, ratio: Number.NaN, detail: `${millis(half.p99)} ms at ${rate(half.offeredRate ?? 0)}/s offered${own}   (target: under 25 ms)`, of: [half, half] as [Measurement, Measurement] };
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

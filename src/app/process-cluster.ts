/**
 * WEB_CONCURRENCY above 1: this process (the primary) starts that many Gatehouse processes on
 * the same port with Node's cluster, hands connections to them in turn, and only supervises:
 * it serves no request itself. Nothing is sticky — sessions, codes, rate limits and revocations
 * live in PostgreSQL and Redis, which every process reads, exactly as replicas behind a load
 * balancer do.
 *
 * - Start-up: the first process migrates, seeds and (in development) writes the keys; the
 *   others start once it listens, with nothing left to migrate or create.
 * - A process that stops unexpectedly is replaced (with a growing pause if it keeps stopping).
 * - SIGTERM/SIGINT: every process drains as a single one would; the primary exits after them.
 * - METRICS_PORT is the primary's: it asks every process for its figures and answers them
 *   together (prom-client's AggregatorRegistry: counters summed, gauges as each declares).
 */
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, Counter, Registry } from 'prom-client';
import type { GatehouseConfig } from '../infrastructure/config/config.js';
import { drainOnUnhandledFailures } from './unhandled-failures.js';
import type { Logger } from '../infrastructure/observability/logger.js';
import { startMetricsServer } from '../infrastructure/observability/metrics-server.js';
import { printDemoWelcome } from './demo-welcome.js';

/** What a process sends its primary once it listens. */
export const READY_MESSAGE = 'gatehouse:listening';

const MAX_RESTART_PAUSE_MS = 30_000;

export async function runCluster(config: GatehouseConfig, logger: Logger): Promise<void> {
  const aggregator = new AggregatorRegistry();
  // The primary's own figure, beside its processes' (which only they can count).
  const own = new Registry();
  const replaced = new Counter({
    name: 'gatehouse_process_replacements_total',
    help: 'Gatehouse processes that stopped unexpectedly (a crash, a bug drained them, killed) and were replaced by the primary (WEB_CONCURRENCY above 1)',
    registers: [own],
  });
  const collect = async () => `${await aggregator.clusterMetrics()}\n${await own.metrics()}`;
  const metricsServer = await startMetricsServer({ contentType: aggregator.contentType, collect }, config.metricsPort, logger).catch((err: Error) => {
    console.error(`gatehouse: cannot start: ${err.message}`);
    process.exit(1);
  });

  let stopping = false;
  let recentRestarts = 0;
  const running = new Set<Worker>();

  /** Starts one process; resolves once it listens, rejects if it exits before. */
  const start = (env: Record<string, string>): Promise<Worker> =>
    new Promise((resolve, reject) => {
      const worker = cluster.fork(env);
      running.add(worker);
      let ready = false;
      worker.on('message', (message: unknown) => {
        if (message !== READY_MESSAGE || ready) return;
        ready = true;
        resolve(worker);
      });
      worker.once('exit', (code, signal) => {
        running.delete(worker);
        if (!ready) return reject(new Error(`process ${worker.process.pid} exited with ${signal ?? code} before listening`));
        if (!stopping) replace(worker, code, signal);
      });
    });

  const replace = (worker: Worker, code: number | null, signal: string | null) => {
    const pause = Math.min(MAX_RESTART_PAUSE_MS, 1_000 * 2 ** recentRestarts);
    recentRestarts++;
    setTimeout(() => recentRestarts--, 60_000).unref();
    replaced.inc();
    logger.warn({ pid: worker.process.pid, code, signal, restartInMs: pause }, 'a gatehouse process stopped unexpectedly; starting another');
    setTimeout(() => {
      if (stopping) return;
      start({ MIGRATE_ON_START: 'false' }).catch((err: Error) => logger.error({ err: err.message }, 'a replacement process did not start'));
    }, pause).unref();
  };

  try {
    // The first migrates and seeds (and writes development keys); it already said why if it fails.
    await start({});
    await Promise.all(Array.from({ length: config.webConcurrency - 1 }, () => start({ MIGRATE_ON_START: 'false' })));
  } catch {
    for (const worker of running) worker.process.kill('SIGTERM');
    process.exit(1);
  }
  logger.info({ issuer: config.issuer, port: config.port, metricsPort: config.metricsPort, processes: config.webConcurrency }, 'gatehouse listening');
  if (config.seedDemo) printDemoWelcome(config);

  /** Drains every process (each as on SIGTERM), then exits: with `exitCode`, or 1 if one of them failed. */
  const stopAll = (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    const exits = [...running].map((worker) => new Promise<number>((resolve) => worker.once('exit', (code) => resolve(code ?? 1))));
    // Each process drains within SHUTDOWN_TIMEOUT_MS and exits on its own; this is the backstop.
    setTimeout(() => {
      logger.error('processes did not stop in time; killing them');
      for (const worker of running) worker.process.kill('SIGKILL');
      process.exit(1);
    }, config.shutdownTimeoutMs + 5_000).unref();
    for (const worker of running) worker.process.kill('SIGTERM');
    void Promise.all(exits).then((codes) => {
      metricsServer.close();
      metricsServer.closeAllConnections();
      process.exit(exitCode || (codes.every((code) => code === 0) ? 0 : 1));
    });
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (!stopping) logger.info({ signal, processes: running.size }, 'draining every process and stopping');
      stopAll(0);
    });
  }
  // A bug in the primary itself: every process drains, and the supervisor restarts the whole.
  drainOnUnhandledFailures(logger, stopAll);
}

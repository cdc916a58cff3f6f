import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { REFUSAL_WORDING } from '../src/entrypoints/oidc/refusal-wording.js';
import { ChainTraffic, signInChains, summarize, type RefreshOutcome } from './support/chain-traffic.js';
import { Cleanup } from './support/cleanup.js';
import { machineLine } from './support/environment.js';
import { GatehouseProcess } from './support/gatehouse-process.js';
import { OwnPostgres } from './support/own-postgres.js';
import { OwnRedis } from './support/own-redis.js';
import { sleep } from './support/processes.js';
import { freePort } from './support/free-port.js';
import { TcpProxy } from './support/tcp-proxy.js';

/**
 * `npm run drill`: the faults an operator fears, injected into a running pair of Gatehouse
 * processes while twenty mobile apps refresh (about 50 refreshes a second in all), on a
 * PostgreSQL and a Redis the drill starts for itself (nothing else on the machine is touched).
 * Per fault it prints the requests that failed, the chains lost (apps whose person would have
 * to sign in again), the slowest request and how long after the fault ended every chain was
 * refreshing again. It asserts nothing: it is for an operator to rerun and read.
 *
 * DRILL_FAULTS picks some of the fault groups (comma-separated: redis, postgres, answers,
 * deploy); the revocation always comes last, as it ends every chain.
 *
 * Needs PostgreSQL's server programs (POSTGRES_BIN, by default the newest /usr/lib/postgresql/<version>/bin) and
 * redis-server; run it as root (PostgreSQL then runs as the `postgres` user) or as a user that
 * may run PostgreSQL itself.
 */

const CHAINS = 20;
/** Each app refreshes about every 400 ms: about 50 refreshes a second for twenty. */
const PACE_MS = 390;
/** The app's own patience per request; after a failure it retries with the same token. */
const APP_TIMEOUT_MS = 10_000;
const APP_RETRY_MS = 200;
const RECOVERY_LIMIT_MS = 60_000;

interface FaultFigures {
  fault: string;
  requests: number;
  failed: number;
  chainsLost: number;
  slowestMs: number;
  /** From the fault's end until every chain had refreshed again; undefined: not within the limit. */
  recoveryMs?: number;
  note?: string;
}

const OPERATOR = { clientId: 'drill-operator', secret: 'drill-operator-secret-0123456789abcdefghij' };

async function main(): Promise<void> {
  const cleanup = new Cleanup();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write('\ninterrupted: stopping the drill\'s servers\n');
      void cleanup.run().finally(() => process.exit(130));
    });
  }
  try {
    const figures = await drill(cleanup);
    process.stdout.write(`\n${render(figures)}\n`);
  } finally {
    await cleanup.run();
  }
}

async function drill(cleanup: Cleanup): Promise<{ faults: FaultFigures[]; revocation: string; rate: number }> {
  step('starting PostgreSQL and Redis of the drill\'s own');
  const postgres = await OwnPostgres.start();
  cleanup.add('PostgreSQL', () => postgres.destroy());
  const redis = await OwnRedis.start();
  cleanup.add('Redis', () => redis.destroy());
  const databaseUrl = await postgres.createDatabase('gatehouse');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-drill-'));
  cleanup.add('data directory', async () => rmSync(dataDir, { recursive: true, force: true }));

  const [portA, portB] = [await freePort(), await freePort()];
  const issuer = `http://127.0.0.1:${portA}`;
  const env = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis.url,
    DATA_DIR: dataDir,
    ISSUER: issuer,
    BCRYPT_COST: '4',
    SEED_DEMO: '1',
    BOOTSTRAP_OPERATOR_CLIENT_ID: OPERATOR.clientId,
    BOOTSTRAP_OPERATOR_CLIENT_SECRET: OPERATOR.secret,
  };
  step('starting two Gatehouse processes');
  const processes: Record<'a' | 'b', GatehouseProcess> = {
    a: await GatehouseProcess.start('gatehouse-a', { ...env, PORT: String(portA) }),
    b: await GatehouseProcess.start('gatehouse-b', { ...env, PORT: String(portB) }),
  };
  cleanup.add('Gatehouse processes', async () => {
    await Promise.all([processes.a.stop(10_000), processes.b.stop(10_000)]);
  });
  // Process A is reached through a TCP proxy, which loses answers on demand.
  const proxy = await TcpProxy.start(portA);
  cleanup.add('proxy', () => proxy.close());

  step(`signing in ${CHAINS} apps`);
  const username = 'alice';
  const tokens = await signInChains(processes.a.origin, CHAINS, { username, issuer });
  const traffic = new ChainTraffic({ origins: [proxy.origin, processes.b.origin], tokens, spread: true, paceMs: PACE_MS, timeoutMs: APP_TIMEOUT_MS, retryDelayMs: APP_RETRY_MS });
  traffic.start();
  cleanup.add('traffic', () => traffic.stop());
  const trafficStartedAt = performance.now();
  await sleep(3_000);

  const faults: FaultFigures[] = [];
  /** Injects a fault, heals it, waits until every chain refreshed again, and sums up. */
  const run = async (fault: string, inject: () => Promise<void> | void, heal: () => Promise<void> | void, holdMs: number, note?: () => string) => {
    step(fault);
    const startedAt = performance.now();
    const lostBefore = traffic.lost.size;
    await inject();
    await sleep(holdMs);
    await heal();
    const healedAt = performance.now();
    let recoveredAt: number | undefined;
    while (performance.now() - healedAt < RECOVERY_LIMIT_MS) {
      recoveredAt = traffic.allChainsOkSince(healedAt);
      if (recoveredAt !== undefined) break;
      await sleep(50);
    }
    const window = traffic.outcomes.filter((o) => o.sentAt >= startedAt || o.endedAt >= startedAt).filter((o) => o.sentAt <= (recoveredAt ?? performance.now()));
    const summary = summarize(window);
    faults.push({ fault, requests: summary.requests, failed: summary.failed, chainsLost: traffic.lost.size - lostBefore, slowestMs: summary.slowestMs, recoveryMs: recoveredAt === undefined ? undefined : recoveredAt - healedAt, note: note?.() });
    await sleep(2_000);
  };

  const chosen = (group: string) => !process.env.DRILL_FAULTS || process.env.DRILL_FAULTS.split(',').includes(group);
  if (chosen('redis')) {
    await run('Redis down 1 s (restarted empty)', () => redis.stop(), () => redis.startServer(), 1_000);
    await run('Redis down 20 s (restarted empty)', () => redis.stop(), () => redis.startServer(), 20_000);
    await run('Redis frozen 5 s', () => redis.freeze(), () => redis.thaw(), 5_000);
  }
  if (chosen('postgres')) {
    await run('PostgreSQL frozen 5 s', () => postgres.freeze(), () => postgres.thaw(), 5_000);
    await run('PostgreSQL down 5 s (crash, restart)', () => postgres.stop(), () => postgres.startServer(), 5_000);
  }
  if (chosen('answers')) {
    await run('answers lost 3 s (connections cut after the server answered)', () => void (proxy.mode = 'drop-answers'), () => void (proxy.mode = 'pass'), 3_000, () => `${proxy.answersLost} answers lost`);
  }
  let exitNote = '';
  if (chosen('deploy')) await run(
    'deploy: SIGTERM to process B, a new B started',
    () => {
      const signalledAt = Date.now();
      processes.b.sigterm();
      void processes.b.exited.then((exit) => (exitNote = `B exited ${exit.code === 0 ? 'cleanly' : `with ${exit.signal ?? exit.code}`} ${((exit.at - signalledAt) / 1000).toFixed(1)} s after the signal`));
    },
    async () => {
      await processes.b.exited;
      processes.b = await GatehouseProcess.start('gatehouse-b', { ...env, PORT: String(portB) });
    },
    0,
    () => exitNote,
  );
  const rate = traffic.outcomes.filter((o) => o.result === 'ok').length / ((performance.now() - trafficStartedAt) / 1000);

  step('an administrator sets the apps\' user a new password');
  const revocation = await revoke(processes.b.origin, username, traffic);
  await traffic.stop();
  return { faults, revocation, rate };
}

/** Sets the user's password through the admin API, then sees what the apps got after its answer. */
async function revoke(origin: string, username: string, traffic: ChainTraffic): Promise<string> {
  const tokenResponse = await fetch(`${origin}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${OPERATOR.clientId}:${OPERATOR.secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&scope=admin',
  });
  const { access_token } = (await tokenResponse.json()) as { access_token: string };
  const admin = (method: string, apiPath: string, body?: unknown) =>
    fetch(`${origin}/admin/v1${apiPath}`, { method, headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const users = (await (await admin('GET', `/tenants/demo/users?q=${username}`)).json()) as { items: { id: string; username: string }[] };
  const user = users.items.find((u) => u.username === username)!;
  const live = CHAINS - traffic.lost.size;
  const answer = await admin('PUT', `/tenants/demo/users/${user.id}/password`, { password: 'drill-new-password-2026' });
  const answeredAt = performance.now();
  const deadline = answeredAt + 10_000;
  while (traffic.lost.size < CHAINS && performance.now() < deadline) await sleep(50);
  const succeeded = traffic.outcomes.filter((o: RefreshOutcome) => o.endedAt >= answeredAt && o.result === 'ok').length;
  const told = [...traffic.lost.values()].filter((description) => description === REFUSAL_WORDING.password_changed_by_admin).length;
  return `admin API answered ${answer.status}; refreshes that succeeded after its answer: ${succeeded}; apps cut off: ${traffic.lost.size} of ${live}, ${told} told "${REFUSAL_WORDING.password_changed_by_admin}"`;
}

function render({ faults, revocation, rate }: { faults: FaultFigures[]; revocation: string; rate: number }): string {
  const header = ['fault', 'requests', 'failed', 'chains lost', 'slowest', 'recovery'];
  const rows = faults.map((f) => [f.fault, String(f.requests), String(f.failed), String(f.chainsLost), seconds(f.slowestMs), f.recoveryMs === undefined ? `> ${RECOVERY_LIMIT_MS / 1000} s` : seconds(f.recoveryMs)]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (values: string[]) => values.map((value, column) => (column === 0 ? value.padEnd(widths[column]!) : value.padStart(widths[column]!))).join('  ');
  return [
    `Gatehouse fault drill: ${CHAINS} apps refreshing, ${rate.toFixed(0)} refreshes/s on average; ${machineLine()}`,
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    ...faults.filter((f) => f.note).map((f) => `  ${f.fault}: ${f.note}`),
    '',
    `revocation: ${revocation}`,
    '',
    'failed: requests that got no successful answer (503 temporarily_unavailable, a timeout, a reset); the app',
    'retried each with the same refresh token. chains lost: apps refused (invalid_grant), whose person would',
    'have to sign in again. recovery: from the end of the fault until every app had refreshed again.',
  ].join('\n');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

function step(what: string): void {
  process.stderr.write(`drill: ${what}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`drill failed: ${err.stack ?? err.message}\n`);
  process.exitCode = 1;
});

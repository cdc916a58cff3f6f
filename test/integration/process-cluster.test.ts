import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import * as oidc from 'openid-client';
import { childrenOf, sleep, waitUntil } from '../../bench/support/processes.js';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { startProcessFleet, type ProcessFleet } from '../helpers/gatehouse-processes.js';
import { discoverClient, signInWithCode } from '../helpers/relying-party.js';
import { HttpBrowser } from '../helpers/browserless.js';
import { clientCredentials, send } from '../helpers/raw-requests.js';
import { freePort, storageKinds } from '../helpers/test-gatehouse.js';

const withRealStorage = storageKinds().includes('postgres+redis');

/**
 * WEB_CONCURRENCY=2 as an operator runs it: one `npm start`, two processes behind one port
 * (Node's cluster hands each new connection to the next process), METRICS_PORT answered by the
 * primary with every process's figures, a process that dies replaced, SIGTERM draining all.
 */
(withRealStorage ? describe : describe.skip)('WEB_CONCURRENCY=2: two processes on one port', () => {
  let fleet: ProcessFleet;
  let metricsPort: number;
  let primary: ProcessFleet['processes'][number];

  beforeAll(async () => {
    metricsPort = await freePort();
    fleet = await startProcessFleet(1, { env: { WEB_CONCURRENCY: '2', METRICS_PORT: String(metricsPort), SHUTDOWN_TIMEOUT_MS: '10000' } });
    primary = fleet.processes[0]!;
  }, 120_000);
  afterAll(async () => fleet?.stop(), 60_000);

  it('hands connections to both processes, and a sign-in that hops between them on every request works', async () => {
    const workers = childrenOf(primary.pid);
    expect(workers).toHaveLength(2);

    // Eight keep-alive connections opened at once: in turn, four land on each process.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const answers = await Promise.all(Array.from({ length: 8 }, () => send(agent, primary.origin, clientCredentials())));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    expect(new Set(serverSocketOwners(new URL(primary.origin).port))).toEqual(new Set(workers));
    agent.destroy();

    // Every request on a new connection: the login page from one process, the form post to the
    // other, the code exchange and refresh wherever they land. Nothing is held in a process.
    const browser = new HttpBrowser();
    browser.headers = { connection: 'close' };
    const config = await discoverClient(fleet.issuer, DEMO.mobile.clientId);
    const { tokens } = await signInWithCode(config, { username: 'alice', password: DEMO.password, redirectUri: `${fleet.issuer}${DEMO.callbackPath}`, browser });
    let refreshToken = tokens.refresh_token!;
    for (let i = 0; i < 4; i++) refreshToken = (await oidc.refreshTokenGrant(config, refreshToken)).refresh_token!;
    expect(refreshToken).toBeTruthy();
  }, 60_000);

  it("answers METRICS_PORT with every process's figures together", async () => {
    const before = issued(await metrics());
    const answers = await Promise.all(Array.from({ length: 40 }, () => send(false, primary.origin, clientCredentials())));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const text = await metrics();
    expect(issued(text) - before).toBe(40);
    // One series of the build, not one per process.
    expect(text.match(/^gatehouse_build_info\{/gm)).toHaveLength(1);
  }, 60_000);

  it('replaces a process that dies, while the other keeps answering', async () => {
    const [victim, survivor] = childrenOf(primary.pid) as [number, number];
    process.kill(victim, 'SIGKILL');
    await sleep(200);
    const meanwhile = await Promise.all(Array.from({ length: 20 }, () => send(false, primary.origin, clientCredentials())));
    expect(meanwhile.map((a) => a.status)).toEqual(meanwhile.map(() => 200));

    let now: number[] = [];
    for (let waited = 0; waited < 30_000; waited += 250) {
      now = childrenOf(primary.pid);
      if (now.length === 2 && !now.includes(victim)) break;
      await sleep(250);
    }
    expect(now).toContain(survivor);
    expect(now).toHaveLength(2);
    expect(now).not.toContain(victim);
    expect(primary.log).toContain('a gatehouse process stopped unexpectedly');
    // A forked process is a child well before it listens (it loads, connects and warms up
    // first; on a busy machine that takes seconds): wait for its own "listening" line.
    const replacement = now.find((pid) => pid !== survivor)!;
    await waitUntil(async () => listeningLines().some((line) => line.includes(`"pid":${replacement}`)), 60_000, 'the replacement listening');
    // Counted where an alert can see it (GatehouseProcessReplaced). (While a process is starting,
    // the primary cannot collect every process's figures and a scrape fails: as with a replica
    // that is starting.)
    expect(await metrics()).toMatch(/^gatehouse_process_replacements_total 1$/m);
    // The replacement takes its share: connections in turn reach it too.
    await waitUntil(async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 6 });
      await Promise.all(Array.from({ length: 6 }, () => send(agent, primary.origin, clientCredentials())));
      const owners = new Set(serverSocketOwners(new URL(primary.origin).port));
      agent.destroy();
      return now.every((pid) => owners.has(pid));
    }, 10_000, 'the replacement taking its share of connections');
  }, 120_000);

  it('on SIGTERM every process drains and exits, then the primary exits 0', async () => {
    const workers = childrenOf(primary.pid);
    const exit = await primary.stop(20_000);
    expect(exit).toMatchObject({ code: 0 });
    expect(workers.filter((pid) => existsSync(`/proc/${pid}`))).toEqual([]);
  }, 60_000);

  function listeningLines(): string[] {
    return primary.log.split('\n').filter((line) => line.includes('gatehouse process listening'));
  }

  async function metrics(): Promise<string> {
    return (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  }
});


/** The processes holding the server side of established connections on `port` (ss -p). */
function serverSocketOwners(port: string): number[] {
  const out = execFileSync('ss', ['-Htnp', 'state', 'established', `( sport = :${port} )`], { encoding: 'utf8' });
  return [...out.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
}

function issued(text: string): number {
  return [...text.matchAll(/^gatehouse_tokens_issued_total\{[^}]*grant="client_credentials"[^}]*\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}


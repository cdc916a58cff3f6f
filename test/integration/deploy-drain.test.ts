import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { ChainTraffic, signInChains, summarize } from '../../bench/support/chain-traffic.js';
import { sleep } from '../../bench/support/processes.js';
import { startProcessFleet, type ProcessFleet } from '../helpers/gatehouse-processes.js';
import { storageKinds } from '../helpers/test-gatehouse.js';
import { clientCredentials, send } from '../helpers/raw-requests.js';

const withRealStorage = storageKinds().includes('postgres+redis');
const CHAINS = 20;

/**
 * A deploy stops one replica with SIGTERM while another takes its traffic. Twenty mobile apps
 * refresh back to back over keep-alive connections, through a load balancer that moves to the
 * other replica when the first refuses connections; a burst of requests is in flight at the
 * signal. Nothing is lost: every request gets its answer (with `Connection: close` from the
 * stopping replica), every chain goes on on the other one, and the stopped process exits cleanly
 * and in time.
 */
(withRealStorage ? describe : describe.skip)('a deploy: SIGTERM to one of two replicas under traffic', () => {
  let fleet: ProcessFleet;

  beforeAll(async () => {
    fleet = await startProcessFleet(2, { env: { SHUTDOWN_TIMEOUT_MS: '10000' } });
  }, 120_000);
  afterAll(async () => fleet?.stop(), 60_000);

  it('loses no chain and resets no request; readiness fails at once; the process exits in time', async () => {
    const [stopping, staying] = fleet.processes as [NonNullable<ProcessFleet['processes'][0]>, NonNullable<ProcessFleet['processes'][0]>];
    const tokens = await signInChains(stopping.origin, CHAINS, { issuer: fleet.issuer });
    const traffic = new ChainTraffic({ origins: [stopping.origin, staying.origin], tokens, timeoutMs: 20_000 });
    traffic.start();
    await sleep(1_500);

    // Connections opened before the signal: the burst, and one that asks for readiness after it.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 50 });
    await Promise.all(Array.from({ length: 41 }, () => send(agent, stopping.origin, { path: '/healthz' })));
    const burst = Array.from({ length: 40 }, () => send(agent, stopping.origin, clientCredentials()));
    const signalledAt = performance.now();
    stopping.sigterm();
    // Readiness asked on a connection opened before the signal, again until the process has
    // taken the signal in. Each ask keeps that connection busy: the drain closes connections
    // idle for a second, and a single ask after a fixed pause once came later than that, from a
    // test process lagging beside a full run's other suites.
    let readiness = await send(agent, stopping.origin, { path: '/readyz' });
    while (readiness.status === 200 && performance.now() - signalledAt < 5_000) {
      await sleep(10);
      readiness = await send(agent, stopping.origin, { path: '/readyz' });
    }

    const exit = await stopping.exited;
    const answered = await Promise.all(burst);
    await sleep(1_000);
    await traffic.stop();
    agent.destroy();

    expect(readiness).toMatchObject({ status: 503, connection: 'close' });
    expect(answered.map((a) => a.status)).toEqual(answered.map(() => 200));
    expect(exit).toMatchObject({ code: 0 });
    expect(exit.at - performance.timeOrigin - signalledAt).toBeLessThan(10_000);

    const all = summarize(traffic.outcomes);
    expect([...traffic.lost.values()]).toEqual([]);
    expect(all.byResult.reset ?? 0).toBe(0);
    expect(all.failed).toBe(0);
    // Every chain went on, on the replica that stayed.
    const after = traffic.between(signalledAt).filter((o) => o.result === 'ok' && o.origin === staying.origin);
    expect(new Set(after.map((o) => o.chain)).size).toBe(CHAINS);
  }, 120_000);
});

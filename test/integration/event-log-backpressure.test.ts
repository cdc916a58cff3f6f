import type { Knex } from 'knex';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { discoverClient, signInWithCode } from '../helpers/relying-party.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

const onRealPostgres = fullestStorage() !== 'embedded';

/**
 * Writing an event never slows or breaks a sign-in (DESIGN §6). The embedded database runs one
 * transaction at a time, so a table held by a lock would stall everything there: real servers only.
 */
(onRealPostgres ? describe : describe.skip)('event log under a stalled database', () => {
  let server: TestGatehouse;

  beforeAll(async () => {
    server = await startTestGatehouse(fullestStorage());
  });
  afterAll(async () => server?.stop());

  async function metric(name: string): Promise<number> {
    const text = await (await fetch(server.metricsUrl())).text();
    return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
  }

  it('signs people in at once while the events table is locked, counts the events it had to drop, and writes the rest afterwards', async () => {
    const knex = server.gatehouse.database.knex;
    const web = await discoverClient(server.issuer, DEMO.web.clientId, DEMO.web.secret);
    const blocker: Knex.Transaction = await knex.transaction();
    await blocker.raw('LOCK TABLE events IN ACCESS EXCLUSIVE MODE');
    try {
      const started = Date.now();
      const { tokens } = await signInWithCode(web, { username: 'alice', password: DEMO.password, redirectUri: `${server.issuer}${DEMO.callbackPath}`, scope: 'openid' });
      expect(tokens.access_token).toBeDefined();
      expect(Date.now() - started).toBeLessThan(5_000);

      // A flood on top: the queue stays bounded and says how much was lost.
      for (let i = 0; i < 11_000; i++) server.gatehouse.events.record({ type: 'login.failed', reason: 'flood' });
      expect(server.gatehouse.events.dropped).toBeGreaterThan(0);
      expect(await metric('gatehouse_events_dropped_total')).toBe(server.gatehouse.events.dropped);
      expect(await metric('gatehouse_events_queued')).toBeGreaterThan(0);

      // Still signing in while the queue is full.
      expect((await signInWithCode(web, { username: 'admin', password: DEMO.password, redirectUri: `${server.issuer}${DEMO.callbackPath}`, scope: 'openid' })).tokens.access_token).toBeDefined();
    } finally {
      await blocker.rollback();
    }
    await server.gatehouse.events.flush();
    // The first sign-in's event was queued before the flood and lands once the table is free;
    // the second found the queue full and is among the dropped ones, counted above.
    expect(Number((await knex('events').where({ type: 'login.succeeded' }).count('* as n'))[0]!.n)).toBe(1);
    expect(await metric('gatehouse_events_queued')).toBe(0);
  });
});

import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { startTestGatehouse, storageKinds, type TestGatehouse } from '../helpers/test-gatehouse.js';

const withRedis = storageKinds().includes('postgres+redis');

/**
 * Redis only speeds Gatehouse up: when its client goes away for good, PostgreSQL answers in its
 * place at once (no queue, no wait), and readiness keeps the replica in service while saying so.
 * (test/integration/redis-outage.test.ts stops and freezes a real Redis server.)
 */
(withRedis ? describe : describe.skip)('when Redis goes away', () => {
  let server: TestGatehouse;

  beforeAll(async () => {
    server = await startTestGatehouse('postgres+redis');
  });
  afterAll(async () => server?.stop());

  it('answers token requests promptly from PostgreSQL, and readiness reports Redis without failing', async () => {
    server.gatehouse.redis!.redis.disconnect();
    const started = Date.now();
    const response = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${DEMO.integration.clientId}:${DEMO.integration.secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
      signal: AbortSignal.timeout(10_000),
    });
    expect(response.status).toBe(200);
    const { access_token } = (await response.json()) as { access_token: string };
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await server.gatehouse.database.knex('oidc_artifacts').where({ type: 'ClientCredentials', id: access_token }).first()).toBeDefined();

    const ready = await fetch(`${server.issuer}/readyz`);
    expect(ready.status).toBe(200);
    expect((await ready.json()).checks).toEqual({ postgres: 'ok', redis: 'unavailable' });
  });
});

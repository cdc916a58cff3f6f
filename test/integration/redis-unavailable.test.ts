import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { startTestGatehouse, storageKinds, type TestGatehouse } from '../helpers/test-gatehouse.js';

const withRedis = storageKinds().includes('postgres+redis');

/** ioredis must not queue commands while Redis is away: requests fail fast with a clear error. */
(withRedis ? describe : describe.skip)('when Redis goes away', () => {
  let server: TestGatehouse;

  beforeAll(async () => {
    server = await startTestGatehouse('postgres+redis');
  });
  afterAll(async () => server?.stop());

  it('answers token requests promptly with a server error instead of hanging, and readiness says why', async () => {
    server.gatehouse.redis!.disconnect();
    const started = Date.now();
    const response = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${DEMO.integration.clientId}:${DEMO.integration.secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
      signal: AbortSignal.timeout(10_000),
    });
    expect(response.status).toBeGreaterThanOrEqual(500);
    expect((await response.json()).error).toBe('server_error');
    expect(Date.now() - started).toBeLessThan(10_000);

    const ready = await fetch(`${server.issuer}/readyz`);
    expect(ready.status).toBe(503);
    expect((await ready.json()).checks.redis).toBe('unavailable');
  });
});

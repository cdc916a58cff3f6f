import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

/**
 * Which paths Gatehouse answers itself and which go to the provider, now read from the routes
 * its routers declare (infrastructure/http/own-routes.ts) instead of a list kept by hand.
 */
describe("Gatehouse's own paths and the provider's", () => {
  let server: TestGatehouse;
  let issuer: string;

  beforeAll(async () => {
    server = await startTestGatehouse(fullestStorage());
    issuer = server.issuer;
  });
  afterAll(async () => server?.stop());

  it("serves every router's routes", async () => {
    // (/metrics is served on its own port, never here.)
    for (const path of ['/', '/healthz', '/readyz', '/dev/outbox', '/admin/v1/openapi.json', '/forgot-password']) {
      expect([path, (await fetch(`${issuer}${path}`)).status]).toEqual([path, 200]);
    }
    const demo = await fetch(`${issuer}/demo/login`, { redirect: 'manual' });
    expect(demo.status).toBe(302);
    expect(demo.headers.get('location')).toMatch(new RegExp(`^${issuer}/auth\\?client_id=${DEMO.web.clientId}`));
  });

  it('answers an unknown admin path with problem+json, and leaves other unknown paths to the provider', async () => {
    const unknown = await fetch(`${issuer}/admin/v1/no-such-call`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await unknown.json()).title).toMatch(/No such admin API call/);

    for (const path of ['/no-such-page', '/healthz/extra', '/admin/v2/tenants']) {
      const res = await fetch(`${issuer}${path}`);
      expect([path, res.status, res.headers.get('content-type')]).toEqual([path, 404, expect.not.stringMatching(/problem\+json/)]);
    }
  });

  it("leaves the provider's endpoints to the provider", async () => {
    expect((await fetch(`${issuer}/.well-known/openid-configuration`)).status).toBe(200);
    expect((await fetch(`${issuer}/jwks`)).status).toBe(200);
    const token = await fetch(`${issuer}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' });
    expect(token.status).toBe(400);
    expect((await token.json()).error).toBe('invalid_request');
  });
});

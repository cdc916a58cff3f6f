import { adminCall, demoAdminToken } from '../helpers/admin-api.js';
import { startOperatorGatehouse } from '../helpers/operator-gatehouse.js';
import type { TestGatehouse } from '../helpers/test-gatehouse.js';

const ENTRA_DIRECTORY = '3d9a4c1e-8b7f-4e2a-9c55-0f1e2d3c4b5a';

/** The single sign-on connection and the seat limit through the admin API: rules, secrecy, races. */
describe('single sign-on and seats in the admin API', () => {
  let server: TestGatehouse;
  let issuer: string;
  let operator: string;
  let tenantAdmin: string;

  beforeAll(async () => {
    ({ server, issuer, operator } = await startOperatorGatehouse());
    tenantAdmin = await demoAdminToken(issuer);
  });
  afterAll(async () => server?.stop());

  const call = (token: string, method: string, path: string, body?: unknown) => adminCall(issuer, token, method, path, body);

  it("keeps the client secret sealed: never answered, kept when a change leaves it out", async () => {
    const created = await call(tenantAdmin, 'PUT', '/tenants/demo/sso', { kind: 'entra', entra_tenant_id: ENTRA_DIRECTORY, client_id: 'app-at-entra', client_secret: 'very-secret-value-123', allowed_domains: ['Demo.Example'], enabled: true });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ kind: 'entra', entra_tenant_id: ENTRA_DIRECTORY, display_name: 'Microsoft', client_secret_set: true, allowed_domains: ['demo.example'], redirect_uri: `${issuer}/sso/callback` });
    expect(JSON.stringify(created.body)).not.toContain('very-secret-value-123');

    const changed = await call(tenantAdmin, 'PUT', '/tenants/demo/sso', { kind: 'entra', entra_tenant_id: ENTRA_DIRECTORY, client_id: 'app-at-entra', jit: true });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ jit: true, enabled: true, allowed_domains: ['demo.example'] });
    const { body: events } = await call(operator, 'GET', '/tenants/demo/events?type=admin.sso_updated');
    expect(events.items[0].details).toMatchObject({ changed: ['jit'] });
    expect(JSON.stringify(events)).not.toContain('very-secret-value-123');
  });

  it('refuses what cannot work, each with a reason', async () => {
    const missingSecret = await call(operator, 'PUT', `/tenants/${(await call(operator, 'POST', '/tenants', { slug: 'nosecret', name: 'No Secret' })).body.id}/sso`, { kind: 'oidc', issuer: 'https://login.example.com', client_id: 'x' });
    expect(missingSecret.status).toBe(400);
    expect(missingSecret.body.errors).toEqual([expect.objectContaining({ field: 'client_secret' })]);
    expect((await call(operator, 'PUT', '/tenants/nosecret/sso', { kind: 'entra', entra_tenant_id: 'contoso.onmicrosoft.com', client_id: 'x', client_secret: 'y' })).status).toBe(400);
    // A domain routes to one tenant.
    const taken = await call(operator, 'PUT', '/tenants/nosecret/sso', { kind: 'oidc', issuer: 'https://login.example.com', client_id: 'x', client_secret: 'y', allowed_domains: ['demo.example'] });
    expect(taken.status).toBe(409);
    expect(taken.body.reason).toBe('domain_taken');
    expect((await call(operator, 'GET', '/tenants/nosecret/sso')).status).toBe(404);
  });

  it('lets only operators set the seat limit', async () => {
    const refused = await call(tenantAdmin, 'PATCH', '/tenants/demo', { settings: { seats: { limit: 500 } } });
    expect(refused.status).toBe(403);
    expect((await call(operator, 'PATCH', '/tenants/demo', { settings: { seats: { limit: 500 } } })).body.settings.seats).toEqual({ limit: 500 });
  });

  it('holds the seat limit when two hundred administrators add users at once', async () => {
    await call(operator, 'POST', '/tenants', { slug: 'seated', name: 'Seated', settings: { seats: { limit: 7 } } });
    // The embedded database serves one connection at a time: fewer at once there, the same question.
    const racers = server.storage === 'embedded' ? 30 : 200;
    const answers = await Promise.all(
      Array.from({ length: racers }, (_, i) => call(operator, 'POST', '/tenants/seated/users', { username: `seated-${i}`, email: `seated-${i}@example.com`, password: 'amber-lantern-42' })),
    );
    // Never more than the limit. An overloaded server may also answer 503 (nothing was changed).
    const created = answers.filter((a) => a.status === 201).length;
    expect(created).toBeLessThanOrEqual(7);
    expect(answers.filter((a) => a.status === 409).every((a) => a.body.reason === 'no_seat_left')).toBe(true);
    expect(answers.filter((a) => ![201, 409, 503].includes(a.status))).toEqual([]);
    // The seats left are still there to take, and then no more.
    for (let i = created; i < 7; i++) expect((await call(operator, 'POST', '/tenants/seated/users', { username: `seated-after-${i}`, email: `after-${i}@example.com`, password: 'amber-lantern-42' })).status).toBe(201);
    expect((await call(operator, 'POST', '/tenants/seated/users', { username: 'seated-extra', email: 'extra@example.com', password: 'amber-lantern-42' })).status).toBe(409);

    // A disabled user frees a seat; enabling them again needs one.
    const { body: page } = await call(operator, 'GET', '/tenants/seated/users');
    const [first] = page.items;
    expect((await call(operator, 'PATCH', `/tenants/seated/users/${first.id}`, { disabled: true })).status).toBe(200);
    expect((await call(operator, 'POST', '/tenants/seated/users', { username: 'seated-late', email: 'late@example.com', password: 'amber-lantern-42' })).status).toBe(201);
    const enable = await call(operator, 'PATCH', `/tenants/seated/users/${first.id}`, { disabled: false });
    expect(enable.status).toBe(409);
    expect(enable.body.reason).toBe('no_seat_left');
  });

  it('removes the connection', async () => {
    expect((await call(tenantAdmin, 'DELETE', '/tenants/demo/sso')).status).toBe(204);
    expect((await call(tenantAdmin, 'GET', '/tenants/demo/sso')).status).toBe(404);
    expect((await call(tenantAdmin, 'DELETE', '/tenants/demo/sso')).status).toBe(404);
  });
});

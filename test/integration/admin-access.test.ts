import * as oidc from 'openid-client';
import { startOperatorGatehouse } from '../helpers/operator-gatehouse.js';
import { hashClientSecret } from '../../src/domain/clients/client-secret.js';
import { ClientRepository } from '../../src/domain/clients/client.repository.js';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { adminCall } from '../helpers/admin-api.js';
import { discoverClient, signInWithCode } from '../helpers/relying-party.js';
import type { TestGatehouse } from '../helpers/test-gatehouse.js';

/**
 * Who may do what (DESIGN §5), cell by cell: the admin scope is necessary, not sufficient;
 * another tenant's object is 404, a forbidden act 403, a conflict 409.
 */
describe('admin API access', () => {
  let server: TestGatehouse;
  let issuer: string;
  let operator: string;
  let tenantAdmin: string;
  let staff: string;
  let demoTenantId: string;

  const userToken = async (username: string, password: string, scope = 'openid admin') =>
    (await signInWithCode(await discoverClient(issuer, DEMO.web.clientId, DEMO.web.secret), { username, password, redirectUri: `${issuer}${DEMO.callbackPath}`, scope })).tokens.access_token;

  beforeAll(async () => {
    ({ server, issuer, operator } = await startOperatorGatehouse());
    tenantAdmin = await userToken('admin', DEMO.password);
    demoTenantId = (await adminCall(issuer, operator, 'GET', '/tenants/demo')).body.id;
    expect((await adminCall(issuer, operator, 'POST', '/tenants', { slug: 'acme', name: 'Acme Clinics' })).status).toBe(201);
    expect((await adminCall(issuer, tenantAdmin, 'POST', '/tenants/demo/users', { username: 'sam', email: 'sam@demo.test', role: 'staff', password: 'staff-password-42' })).status).toBe(201);
    staff = await userToken('sam', 'staff-password-42');
  });
  afterAll(async () => server?.stop());

  it('answers 401 with a Bearer challenge without a valid token', async () => {
    const none = await adminCall(issuer, undefined, 'GET', '/tenants');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(none.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect((await adminCall(issuer, 'not-a-token', 'GET', '/tenants')).status).toBe(401);
  });

  it('refuses a member (no admin scope is ever granted to members)', async () => {
    const member = await userToken('alice', DEMO.password);
    expect((await adminCall(issuer, member, 'GET', '/tenants/demo/users')).status).toBe(403);
  });

  it("never lets a tenant's integration act as an operator, whatever scopes it holds", async () => {
    await new ClientRepository(server.gatehouse.database.knex).upsert({ client_id: 'sneaky', tenant_id: demoTenantId, kind: 'integration', name: 'Sneaky', scopes: 'admin', secret_hash: hashClientSecret('sneaky-secret') });
    const token = (await oidc.clientCredentialsGrant(await discoverClient(issuer, 'sneaky', 'sneaky-secret'), { scope: 'admin' })).access_token;
    const answer = await adminCall(issuer, token, 'GET', '/tenants');
    expect(answer.status).toBe(403);
    expect(answer.body.title).toMatch(/not an operator/);
  });

  it('lets operators create and see every tenant; a duplicate slug is 409', async () => {
    const list = await adminCall(issuer, operator, 'GET', '/tenants?limit=200');
    expect(list.body.items.map((t: { slug: string }) => t.slug)).toEqual(expect.arrayContaining(['demo', 'acme']));
    expect((await adminCall(issuer, operator, 'POST', '/tenants', { slug: 'acme', name: 'Again' })).status).toBe(409);
    expect((await adminCall(issuer, operator, 'GET', '/tenants/acme/users')).status).toBe(200);
  });

  it("keeps a tenant admin inside their tenant: another tenant's objects are 404, creating tenants 403", async () => {
    const list = await adminCall(issuer, tenantAdmin, 'GET', '/tenants');
    expect(list.body.items.map((t: { slug: string }) => t.slug)).toEqual(['demo']);
    expect((await adminCall(issuer, tenantAdmin, 'GET', '/tenants/acme')).status).toBe(404);
    expect((await adminCall(issuer, tenantAdmin, 'GET', '/tenants/acme/users')).status).toBe(404);
    expect((await adminCall(issuer, tenantAdmin, 'POST', '/tenants', { slug: 'mine', name: 'Mine' })).status).toBe(403);
    const acmeUser = await adminCall(issuer, operator, 'POST', '/tenants/acme/users', { username: 'acme-bob', email: 'bob@acme.test', password: 'bob-password-123' });
    expect((await adminCall(issuer, tenantAdmin, 'GET', `/tenants/demo/users/${acmeUser.body.id}`)).status).toBe(404);
    expect((await adminCall(issuer, tenantAdmin, 'PATCH', '/tenants/demo', { settings: { events: { retention_days: 30 } } })).status).toBe(200);
  });

  it('lets staff manage members only and give no other role', async () => {
    const member = await adminCall(issuer, staff, 'POST', '/tenants/demo/users', { username: 'mia', email: 'mia@demo.test', password: 'member-password-7' });
    expect(member.status).toBe(201);
    expect((await adminCall(issuer, staff, 'PATCH', `/tenants/demo/users/${member.body.id}`, { name: 'Mia M.' })).status).toBe(200);
    expect((await adminCall(issuer, staff, 'POST', '/tenants/demo/users', { username: 'boss', email: 'boss@demo.test', role: 'admin', password: 'admin-password-7' })).status).toBe(403);
    expect((await adminCall(issuer, staff, 'PATCH', `/tenants/demo/users/${member.body.id}`, { role: 'staff' })).status).toBe(403);
    const admins = await adminCall(issuer, staff, 'GET', '/tenants/demo/users?q=admin');
    const adminUser = admins.body.items.find((u: { username: string }) => u.username === 'admin');
    expect((await adminCall(issuer, staff, 'PUT', `/tenants/demo/users/${adminUser.id}/password`, { password: 'taken-over-password' })).status).toBe(403);
    expect((await adminCall(issuer, staff, 'PATCH', '/tenants/demo', { name: 'Renamed' })).status).toBe(403);
    expect((await adminCall(issuer, staff, 'GET', '/tenants/demo/clients')).status).toBe(403);
  });

  it('authorizes from the database: a demoted user loses access at once, with the same token', async () => {
    const temp = await adminCall(issuer, tenantAdmin, 'POST', '/tenants/demo/users', { username: 'tess', email: 'tess@demo.test', role: 'staff', password: 'staff-password-43' });
    const token = await userToken('tess', 'staff-password-43');
    expect((await adminCall(issuer, token, 'GET', '/tenants/demo/users')).status).toBe(200);
    expect((await adminCall(issuer, tenantAdmin, 'PATCH', `/tenants/demo/users/${temp.body.id}`, { role: 'member' })).status).toBe(200);
    expect((await adminCall(issuer, token, 'GET', '/tenants/demo/users')).status).toBe(403);
  });

  it('checks 404 before 403: staff asking for another tenant gets 404', async () => {
    expect((await adminCall(issuer, staff, 'GET', '/tenants/acme/clients')).status).toBe(404);
  });
});

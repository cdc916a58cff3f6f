import { startOperatorGatehouse } from '../helpers/operator-gatehouse.js';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { adminCall, createUser } from '../helpers/admin-api.js';
import { discoverClient, signInWithCode } from '../helpers/relying-party.js';
import type { TestGatehouse } from '../helpers/test-gatehouse.js';

/**
 * The attack: staff listed an administrator's sessions (200) while that administrator's events
 * and diagnosis were 403. One rule now holds for every per-user call: staff read and act on
 * their tenant's member users only; admins and operators on everyone. Checked cell by cell.
 */
describe('staff reach member users only, on every per-user call', () => {
  let server: TestGatehouse;
  let issuer: string;
  let operator: string;
  let tenantAdmin: string;
  let staff: string;
  const targets: Record<'admin' | 'staff' | 'member' | 'self', string> = { admin: '', staff: '', member: '', self: '' };

  const userToken = async (username: string, password: string) =>
    (await signInWithCode(await discoverClient(issuer, DEMO.web.clientId, DEMO.web.secret), { username, password, redirectUri: `${issuer}${DEMO.callbackPath}`, scope: 'openid admin' })).tokens.access_token;

  /** Every per-user call, the harmless ones first (the member target must survive until DELETE). */
  const CALLS: { method: string; path: string; body?: unknown }[] = [
    { method: 'GET', path: '' },
    { method: 'GET', path: '/sessions' },
    { method: 'GET', path: '/events' },
    { method: 'GET', path: '/diagnosis' },
    { method: 'PATCH', path: '', body: { name: 'Renamed' } },
    { method: 'POST', path: '/unlock' },
    { method: 'DELETE', path: '/devices' },
    { method: 'POST', path: '/sign-out' },
    { method: 'PUT', path: '/password', body: { password: 'staff-chose-this-9' } },
    { method: 'POST', path: '/password-reset' },
    { method: 'POST', path: '/temporary-password' },
    { method: 'DELETE', path: '' },
  ];

  beforeAll(async () => {
    ({ server, issuer, operator } = await startOperatorGatehouse());
    tenantAdmin = await userToken('admin', DEMO.password);
    const staffUser = await createUser(issuer, operator, { username: 'steph', role: 'staff', password: 'staff-password-42' });
    staff = await userToken('steph', 'staff-password-42');
    targets.self = staffUser.id;
    targets.admin = (await createUser(issuer, operator, { username: 'boss', role: 'admin' })).id;
    targets.staff = (await createUser(issuer, operator, { username: 'colleague', role: 'staff' })).id;
    targets.member = (await createUser(issuer, operator, { username: 'patient-zero' })).id;
    // The administrator is signed in somewhere: there is something to see.
    await userToken('admin', DEMO.password);
  });
  afterAll(async () => server?.stop());

  for (const target of ['admin', 'staff', 'self'] as const) {
    it(`refuses staff every call about a user of role ${target === 'self' ? 'staff (themselves)' : target}`, async () => {
      for (const call of CALLS) {
        const answer = await adminCall(issuer, staff, call.method, `/tenants/demo/users/${targets[target]}${call.path}`, call.body);
        expect({ call: `${call.method} ${call.path}`, status: answer.status }).toEqual({ call: `${call.method} ${call.path}`, status: 403 });
        expect(answer.headers.get('content-type')).toMatch(/problem\+json/);
      }
    });
  }

  it('lets staff make every call about a member', async () => {
    for (const call of CALLS) {
      const answer = await adminCall(issuer, staff, call.method, `/tenants/demo/users/${targets.member}${call.path}`, call.body);
      // 409: the member has a fresh temporary password, so a reset is refused for its state, not for who asks.
      expect({ call: `${call.method} ${call.path}`, allowed: answer.status < 300 || answer.status === 409 }).toEqual({ call: `${call.method} ${call.path}`, allowed: true });
    }
  });

  it("lets the tenant's administrator read the other administrator's and staff's sessions, events and diagnosis", async () => {
    for (const target of ['admin', 'staff'] as const) {
      for (const path of ['', '/sessions', '/events', '/diagnosis']) {
        expect({ target, path, status: (await adminCall(issuer, tenantAdmin, 'GET', `/tenants/demo/users/${targets[target]}${path}`)).status }).toEqual({ target, path, status: 200 });
      }
    }
  });

  it('still answers 404 before 403 for a user of another tenant', async () => {
    expect((await adminCall(issuer, operator, 'POST', '/tenants', { slug: 'other-clinic', name: 'Other clinic' })).status).toBe(201);
    const stranger = await createUser(issuer, operator, { username: 'stranger-admin', tenant: 'other-clinic', role: 'admin' });
    expect((await adminCall(issuer, staff, 'GET', `/tenants/demo/users/${stranger.id}/sessions`)).status).toBe(404);
  });
});

import * as oidc from 'openid-client';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import type { GatehouseEvent } from '../../src/domain/events/event-types.js';
import { OPERATOR_ENV, adminCall, createUser, operatorToken } from '../helpers/admin-api.js';
import { HttpBrowser } from '../helpers/browserless.js';
import { discoverClient } from '../helpers/relying-party.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

/**
 * The attack: `grant_type=constructor` at the token endpoint made the refusal's event type a
 * JavaScript function (a plain-object look-up found Object.prototype.constructor); the batch
 * insert holding it failed, and every event queued with it was lost: wrong passwords and the
 * lock they caused vanished from the audit trail. Administrator actions could be crowded out
 * of the queue the same way.
 */
describe('audit trail: junk event types cannot erase other events', () => {
  let server: TestGatehouse;
  let issuer: string;
  let operator: string;

  beforeAll(async () => {
    server = await startTestGatehouse(fullestStorage(), { env: { ...OPERATOR_ENV, TRUST_PROXY: '1' } });
    issuer = server.issuer;
    operator = await operatorToken(issuer);
  });
  afterAll(async () => server?.stop());

  const eventsOf = (userId: string) => server.gatehouse.database.knex('events').where({ user_id: userId }).orderBy('id');

  const junkGrant = (grantType: string) =>
    fetch(`${issuer}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: grantType, client_id: DEMO.mobile.clientId }) });

  it('keeps every wrong password and the lock while junk grant types are sent alongside', async () => {
    const victim = await createUser(issuer, operator, { username: 'audited' });
    const mobile = await discoverClient(issuer, DEMO.mobile.clientId);
    const browser = new HttpBrowser();
    browser.headers['x-forwarded-for'] = '198.51.100.77';
    const url = oidc.buildAuthorizationUrl(mobile, {
      redirect_uri: `${issuer}${DEMO.callbackPath}`,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const action = new URL(HttpBrowser.formAction(await browser.go(url.toString()), /\/login$/), issuer).toString();

    for (let i = 0; i < 12; i++) {
      const [junk] = await Promise.all([
        Promise.all(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'].map(junkGrant)),
        browser.go(action, { form: { username: 'audited', password: `wrong-guess-${i}` } }),
      ]);
      for (const response of junk) expect(response.status).toBe(400);
    }
    await server.gatehouse.events.flush();

    const events = await eventsOf(victim.id);
    expect(events.filter((e) => e.type === 'login.failed')).toHaveLength(12);
    expect(events.filter((e) => e.type === 'account.locked').length).toBeGreaterThanOrEqual(1);
    expect(server.gatehouse.events.dropped).toBe(0);
    // Nothing of the junk became a type or a reason.
    const types = (await server.gatehouse.database.knex('events').distinct('type')).map((r: { type: string }) => r.type);
    expect(types.some((t) => /function|constructor|proto/.test(t))).toBe(false);
  });

  it('stores an event of an unknown type or reason as `unknown`, the raw value escaped in details, and loses nothing beside it', async () => {
    const user = await createUser(issuer, operator, { username: 'beside-junk' });
    const log = server.gatehouse.events;
    const junk = [
      { type: (() => 0) as unknown as GatehouseEvent['type'], user_id: user.id },
      { type: 'login.failed' as const, reason: 'constructor', user_id: user.id },
      { type: 'login.failed' as const, reason: 'wrong_password', user_id: 'not-a-uuid\u0000', ip: 'x\u0000y', user_agent: '\ud800', details: { note: 'nul\u0000inside' } },
      { type: 'evil"type\u0000' as GatehouseEvent['type'], user_id: user.id, details: { deep: { value: '\u0000' } } },
    ];
    for (let i = 0; i < 50; i++) {
      log.record({ type: 'login.failed', reason: 'wrong_password', user_id: user.id, tenant_id: user.body.tenant });
      log.record(junk[i % junk.length]!);
    }
    await log.flush();
    const events = await eventsOf(user.id);
    expect(events.filter((e) => e.type === 'login.failed' && e.reason === 'wrong_password')).toHaveLength(50);
    const unknownTypes = events.filter((e) => e.type === 'unknown');
    expect(unknownTypes.length).toBeGreaterThan(0);
    expect(unknownTypes.map((e) => e.details.raw_type)).toEqual(expect.arrayContaining([expect.stringMatching(/^\[function/), 'evil"type\\u0000']));
    const unknownReasons = events.filter((e) => e.reason === 'unknown');
    expect(unknownReasons[0].details.raw_reason).toBe('constructor');
    expect(log.dropped).toBe(0);
    // The row with a broken user id and NUL bytes is kept too, its raw id in details.
    const kept = await server.gatehouse.database.knex('events').whereRaw(`details->>'note' = ?`, ['nul\uFFFDinside']);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept[0].details.raw_user_id).toBe('not-a-uuid\\u0000');
  });

  it('writes administrator actions with the change they record, even while the queue is flooded', async () => {
    const target = await createUser(issuer, operator, { username: 'flood-target' });
    const log = server.gatehouse.events;
    const droppedBefore = log.dropped;
    // Fill the background queue past its bound: whatever is queued now is dropped.
    for (let i = 0; i < 12_000; i++) log.record({ type: 'login.failed', reason: 'wrong_password' });
    expect(log.dropped).toBeGreaterThan(droppedBefore);

    const base = `/tenants/demo/users/${target.id}`;
    expect((await adminCall(issuer, operator, 'PUT', `${base}/password`, { password: 'copper-kettle-9876' })).status).toBe(200);
    expect((await adminCall(issuer, operator, 'POST', `${base}/sign-out`)).status).toBe(200);
    expect((await adminCall(issuer, operator, 'PATCH', base, { role: 'staff' })).status).toBe(200);
    expect((await adminCall(issuer, operator, 'POST', `${base}/unlock`)).status).toBe(200);
    expect((await adminCall(issuer, operator, 'DELETE', `${base}/devices`)).status).toBe(200);
    expect((await adminCall(issuer, operator, 'PATCH', base, { disabled: true })).status).toBe(200);
    const client = await adminCall(issuer, operator, 'POST', '/tenants/demo/clients', { kind: 'web', name: 'Audited app', redirect_uris: ['https://app.example.com/cb'] });
    expect(client.status).toBe(201);
    expect((await adminCall(issuer, operator, 'POST', `/tenants/demo/clients/${client.body.client_id}/secrets`, { overlap_days: 0 })).status).toBe(201);
    expect((await adminCall(issuer, operator, 'DELETE', base)).status).toBe(204);

    // Read at once, without waiting for the queue: the events committed with the changes.
    const types = (await eventsOf(target.id)).map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['admin.password_set', 'password.changed', 'admin.user_signed_out', 'user.signed_out', 'admin.user_unlocked', 'admin.devices_forgotten', 'admin.user_updated', 'admin.user_deleted']),
    );
    const updates = (await eventsOf(target.id)).filter((e) => e.type === 'admin.user_updated');
    expect(updates.some((e) => e.details.role?.to === 'staff')).toBe(true);
    const clientEvents = (await server.gatehouse.database.knex('events').where({ client_id: client.body.client_id })).map((e: { type: string }) => e.type);
    expect(clientEvents).toEqual(expect.arrayContaining(['admin.client_created', 'admin.client_secret_rotated', 'client.secret_rotated']));
    await log.flush();
  });
});

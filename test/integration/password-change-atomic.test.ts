import * as oidc from 'openid-client';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { TenantRepository } from '../../src/domain/tenants/tenant.repository.js';
import { UserRepository } from '../../src/domain/users/user.repository.js';
import { createUser, OPERATOR_ENV, operatorToken } from '../helpers/admin-api.js';
import { discoverClient, signInWithCode } from '../helpers/relying-party.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

/**
 * A password set by an administrator, the sign-out everywhere it causes and its audit events are
 * one transaction: if any part fails (here the audit event cannot be written), nothing of it
 * happened: the old password still signs in, the old refresh tokens still refresh.
 */
describe('a password change that fails half-way', () => {
  let server: TestGatehouse;

  beforeAll(async () => {
    server = await startTestGatehouse(fullestStorage(), { env: OPERATOR_ENV });
  });
  afterAll(async () => server?.stop());

  it('changes nothing: neither the password, nor the sign-ins, nor the event log', async () => {
    const { knex } = server.gatehouse.database;
    const created = await createUser(server.issuer, await operatorToken(server.issuer), { username: `half-way-${Date.now()}` });
    const mobile = await discoverClient(server.issuer, DEMO.mobile.clientId);
    const { tokens } = await signInWithCode(mobile, { username: created.body.username, password: created.password!, redirectUri: `${server.issuer}${DEMO.callbackPath}` });
    const users = new UserRepository(knex);
    const before = (await users.findById(created.id))!;
    const tenant = (await new TenantRepository(knex).findById(before.tenant_id))!;
    await server.gatehouse.events.flush();
    const eventsBefore = await knex('events').where({ user_id: created.id }).count<{ count: number }[]>('* as count');

    // The database refuses this user's audit event (a trigger of this test): the commit never comes.
    await knex.raw(`CREATE FUNCTION refuse_audit_of_test() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.type = 'admin.password_set' AND NEW.user_id = '${created.id}' THEN RAISE EXCEPTION 'audit refused by the test'; END IF;
        RETURN NEW;
      END $$`);
    await knex.raw('CREATE TRIGGER refuse_audit_of_test BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION refuse_audit_of_test()');
    try {
      await expect(
        server.gatehouse.services.passwords.change(tenant, before, {
          password: 'an-entirely-new-secret-77',
          signOutReason: 'password_changed_by_admin',
          how: 'by an administrator',
          audit: [{ type: 'admin.password_set', tenant_id: tenant.id, user_id: created.id }],
        }),
      ).rejects.toThrow(/audit refused by the test/);
    } finally {
      await knex.raw('DROP TRIGGER refuse_audit_of_test ON events');
      await knex.raw('DROP FUNCTION refuse_audit_of_test()');
    }

    await server.gatehouse.events.flush();
    const after = (await users.findById(created.id))!;
    expect(after.password_hash).toBe(before.password_hash);
    expect(after.tokens_valid_after).toEqual(before.tokens_valid_after);
    expect((await knex('events').where({ user_id: created.id }).count<{ count: number }[]>('* as count'))[0]!.count).toBe(eventsBefore[0]!.count);
    const refreshed = await oidc.refreshTokenGrant(mobile, tokens.refresh_token!);
    expect(refreshed.access_token).toBeDefined();
  });
});

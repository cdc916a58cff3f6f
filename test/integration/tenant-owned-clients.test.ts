import * as oidc from 'openid-client';
import { UserRepository } from '../../src/domain/users/user.repository.js';
import { hashClientSecret } from '../../src/domain/clients/client-secret.js';
import { ClientRepository } from '../../src/domain/clients/client.repository.js';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { PasswordHasher } from '../../src/domain/passwords/password-hasher.js';
import { TenantRepository } from '../../src/domain/tenants/tenant.repository.js';
import { discoverClient, signInWithCode } from '../helpers/relying-party.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

const ACME_CALLBACK = 'https://acme.example/callback';

describe('tenant-owned clients', () => {
  let server: TestGatehouse;
  let acmeWeb: oidc.Configuration;

  beforeAll(async () => {
    server = await startTestGatehouse(fullestStorage());
    const { knex } = server.gatehouse.database;
    const acme = await new TenantRepository(knex).ensure('acme', 'Acme Clinics');
    await new UserRepository(knex).ensure({ tenant_id: acme.id, username: 'bob', role: 'member', password_hash: await new PasswordHasher(4).hash('bob-password-1') });
    await new ClientRepository(knex).upsert({ client_id: 'acme-web', tenant_id: acme.id, kind: 'web', name: 'Acme portal', redirect_uris: [ACME_CALLBACK], scopes: 'openid profile', secret_hash: hashClientSecret('acme-secret') });
    acmeWeb = await discoverClient(server.issuer, 'acme-web', 'acme-secret');
  });
  afterAll(async () => server?.stop());

  it("lets the tenant's own users sign in", async () => {
    const { tokens } = await signInWithCode(acmeWeb, { username: 'bob', password: 'bob-password-1', redirectUri: ACME_CALLBACK, scope: 'openid profile' });
    expect(tokens.claims()!.preferred_username).toBe('bob');
  });

  it("refuses another tenant's user with access_denied", async () => {
    await expect(signInWithCode(acmeWeb, { username: 'alice', password: DEMO.password, redirectUri: ACME_CALLBACK, scope: 'openid' })).rejects.toMatchObject({ error: 'access_denied' });
  });

  it("never silently reuses one tenant's browser session for another tenant's client", async () => {
    const demoWeb = await discoverClient(server.issuer, DEMO.web.clientId, DEMO.web.secret);
    const { browser } = await signInWithCode(demoWeb, { username: 'alice', password: DEMO.password, redirectUri: `${server.issuer}${DEMO.callbackPath}`, scope: 'openid' });

    const url = oidc.buildAuthorizationUrl(acmeWeb, { redirect_uri: ACME_CALLBACK, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
    const page = await browser.go(url.toString(), {}, ACME_CALLBACK);
    expect(page).toMatch(/name="password"/);

    // The operator-owned demo app, by contrast, reuses the session without asking again.
    const again = oidc.buildAuthorizationUrl(demoWeb, { redirect_uri: `${server.issuer}${DEMO.callbackPath}`, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
    const landed = await browser.go(again.toString(), {}, `${server.issuer}${DEMO.callbackPath}`);
    expect(landed).toMatch(/code=/);
  });

  it('grants the admin scope only to roles that allow it, and never with offline_access', async () => {
    const demoWeb = await discoverClient(server.issuer, DEMO.web.clientId, DEMO.web.secret);
    const redirectUri = `${server.issuer}${DEMO.callbackPath}`;
    const member = await signInWithCode(demoWeb, { username: 'alice', password: DEMO.password, redirectUri, scope: 'openid admin' });
    expect(member.tokens.scope?.split(' ')).not.toContain('admin');
    const admin = await signInWithCode(demoWeb, { username: 'admin', password: DEMO.password, redirectUri, scope: 'openid admin offline_access' });
    expect(admin.tokens.scope?.split(' ')).toContain('admin');
    expect(admin.tokens.refresh_token).toBeUndefined();
  });
});

import * as oidc from 'openid-client';
import { hashClientSecret } from '../../src/domain/clients/client-secret.js';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { discoverClient, signInWithCode, signInWithDevice } from '../helpers/relying-party.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

const OPERATOR = { clientId: 'operator', secret: 'operator-secret-0123456789abcdefghijkl' };
const APP_CALLBACK = 'https://app.example/cb';
const DAY_MS = 24 * 60 * 60 * 1000;

interface ApiResponse {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

describe('admin API: a tenant registers and manages its clients', () => {
  let server: TestGatehouse;
  let issuer: string;
  let operatorToken: string;
  let adminToken: string;
  let memberToken: string;
  let demoTenantId: string;
  /** Every response body and every secret this suite saw, to prove no digest ever leaves. */
  const responseBodies: string[] = [];
  const secretsSeen: string[] = [];

  async function call(token: string, method: string, path: string, body?: unknown): Promise<ApiResponse> {
    const response = await fetch(`${issuer}/admin/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    responseBodies.push(text);
    const parsed = text ? JSON.parse(text) : undefined;
    if (typeof parsed?.client_secret === 'string') secretsSeen.push(parsed.client_secret);
    return { status: response.status, headers: response.headers, body: parsed };
  }

  async function createClient(token: string, tenant: string, body: Record<string, unknown>): Promise<ApiResponse['body']> {
    const created = await call(token, 'POST', `/tenants/${tenant}/clients`, body);
    if (created.status !== 201) throw new Error(`create failed: ${created.status} ${JSON.stringify(created.body)}`);
    return created.body;
  }

  /** The token endpoint answered directly, to see the exact status and error of a refusal. */
  async function clientCredentials(clientId: string, secret: string): Promise<{ status: number; error?: string; access_token?: string }> {
    const response = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'openid' }),
    });
    return { status: response.status, ...((await response.json()) as { error?: string; access_token?: string }) };
  }

  async function eventually<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs = 5000): Promise<T> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value) return value;
      if (Date.now() > until) throw new Error('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function eventsOf(clientId: string): Promise<{ type: string; actor: Record<string, unknown> | null; tenant_id: string | null; client_kind: string | null }[]> {
    await server.gatehouse.events.flush();
    return server.gatehouse.database.knex('events').where({ client_id: clientId }).orderBy('id');
  }

  beforeAll(async () => {
    server = await startTestGatehouse(fullestStorage(), { env: { BOOTSTRAP_OPERATOR_CLIENT_ID: OPERATOR.clientId, BOOTSTRAP_OPERATOR_CLIENT_SECRET: OPERATOR.secret } });
    issuer = server.issuer;
    const operator = await oidc.clientCredentialsGrant(await discoverClient(issuer, OPERATOR.clientId, OPERATOR.secret), { scope: 'admin' });
    operatorToken = operator.access_token;

    const demoWeb = await discoverClient(issuer, DEMO.web.clientId, DEMO.web.secret);
    const redirectUri = `${issuer}${DEMO.callbackPath}`;
    adminToken = (await signInWithCode(demoWeb, { username: 'admin', password: DEMO.password, redirectUri, scope: 'openid admin' })).tokens.access_token;
    memberToken = (await signInWithCode(demoWeb, { username: 'alice', password: DEMO.password, redirectUri, scope: 'openid admin' })).tokens.access_token;

    const acme = await call(operatorToken, 'POST', '/tenants', { slug: 'acme', name: 'Acme Clinics' });
    expect(acme.status).toBe(201);
    demoTenantId = (await call(operatorToken, 'GET', '/tenants/demo')).body.id;
  });
  afterAll(async () => server?.stop());

  describe('creating each kind', () => {
    it('creates a web client whose secret is shown once and which signs users in to its redirect URI', async () => {
      const response = await call(adminToken, 'POST', '/tenants/demo/clients', { kind: 'web', name: 'Field portal', redirect_uris: [APP_CALLBACK] });
      expect(response.status).toBe(201);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const client = response.body;
      expect(client).toMatchObject({
        tenant: demoTenantId,
        kind: 'web',
        name: 'Field portal',
        redirect_uris: [APP_CALLBACK],
        scopes: ['openid', 'profile', 'email', 'phone', 'offline_access'],
        last_used_at: null,
        secrets: [{ kind: 'current', last_used_at: null }],
      });
      expect(client.client_id).toMatch(/^gh_[A-Za-z0-9_-]{20}$/);
      expect(client.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Date.parse(client.created_at)).not.toBeNaN();

      const app = await discoverClient(issuer, client.client_id, client.client_secret);
      const { tokens } = await signInWithCode(app, { username: 'alice', password: DEMO.password, redirectUri: APP_CALLBACK, scope: 'openid profile' });
      expect(tokens.claims()!.preferred_username).toBe('alice');
      expect(tokens.claims()!.aud).toBe(client.client_id);

      // Read back: never the secret again, and the secret's use shows.
      const read = await eventually(async () => {
        const r = await call(adminToken, 'GET', `/tenants/demo/clients/${client.client_id}`);
        return r.body.secrets[0].last_used_at && r;
      });
      expect(read.status).toBe(200);
      expect(read.body.client_secret).toBeUndefined();
      expect(read.body.last_used_at).not.toBeNull();
      expect(Date.parse(read.body.secrets[0].created_at)).not.toBeNaN();
    });

    it('creates an integration client whose secret gets client_credentials tokens', async () => {
      const client = await createClient(operatorToken, 'demo', { kind: 'integration', name: 'Billing sync' });
      expect(client).toMatchObject({ kind: 'integration', redirect_uris: [], scopes: ['openid'], tenant: demoTenantId });
      expect(client.client_secret).toBeDefined();

      const tokens = await oidc.clientCredentialsGrant(await discoverClient(issuer, client.client_id, client.client_secret), { scope: 'openid' });
      expect(tokens.access_token).toBeDefined();
      expect(tokens.refresh_token).toBeUndefined();
    });

    it('creates a public mobile client (no secret) that signs in with PKCE to a private-use scheme or a loopback listener', async () => {
      const client = await createClient(adminToken, 'demo', { kind: 'mobile', name: 'Technician app', redirect_uris: ['com.example.fieldapp:/callback', 'http://127.0.0.1/cb'] });
      expect(client).toMatchObject({ kind: 'mobile', scopes: ['openid', 'profile', 'email', 'phone', 'offline_access'] });
      expect(client.client_secret).toBeUndefined();
      expect(client.secrets).toBeUndefined();

      const app = await discoverClient(issuer, client.client_id);
      // RFC 8252 §7.3: the app listens on whatever port is free.
      const { tokens } = await signInWithCode(app, { username: 'alice', password: DEMO.password, redirectUri: 'http://127.0.0.1:49152/cb', scope: 'openid offline_access' });
      expect(tokens.refresh_token).toBeDefined();
    });

    it('creates a public downloader client (no secret, no redirect URIs) that signs in with the device grant', async () => {
      const client = await createClient(adminToken, 'demo', { kind: 'downloader', name: 'Photo uploader' });
      expect(client).toMatchObject({ kind: 'downloader', redirect_uris: [], scopes: ['openid', 'profile', 'offline_access'] });
      expect(client.client_secret).toBeUndefined();

      const tokens = await signInWithDevice(await discoverClient(issuer, client.client_id), { username: 'alice', password: DEMO.password });
      expect(tokens.refresh_token).toBeDefined();
    });

    it('takes explicit scopes, and admin for web clients', async () => {
      const client = await createClient(adminToken, 'demo', { kind: 'web', name: 'Back office', redirect_uris: ['http://localhost:8080/cb'], scopes: ['openid', 'admin', 'openid'] });
      expect(client.scopes).toEqual(['openid', 'admin']);
    });

    it('refuses to make a tenant client an operator: there is no field for it', async () => {
      const refused = await call(adminToken, 'POST', '/tenants/demo/clients', { kind: 'integration', name: 'Sneaky', is_operator: true });
      expect(refused.status).toBe(400);
      const row = await server.gatehouse.database.knex('clients').where({ tenant_id: demoTenantId }).where({ is_operator: true }).first();
      expect(row).toBeUndefined();
    });
  });

  describe('invalid bodies answer 400 problems naming the field', () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['an unknown kind', { kind: 'robot', name: 'x' }, 'kind'],
      ['an empty name', { kind: 'integration', name: ' ' }, 'name'],
      ['a web client without redirect URIs', { kind: 'web', name: 'x' }, 'redirect_uris'],
      ['plain http to a real host', { kind: 'web', name: 'x', redirect_uris: ['https://ok.example/cb', 'http://app.example/cb'] }, 'redirect_uris.1'],
      ['a fragment', { kind: 'web', name: 'x', redirect_uris: ['https://app.example/cb#done'] }, 'redirect_uris.0'],
      ['a mobile scheme that is no reverse domain', { kind: 'mobile', name: 'x', redirect_uris: ['myapp:/cb'] }, 'redirect_uris.0'],
      ['a mobile client on localhost by name', { kind: 'mobile', name: 'x', redirect_uris: ['http://localhost/cb'] }, 'redirect_uris.0'],
      ['redirect URIs for a downloader', { kind: 'downloader', name: 'x', redirect_uris: ['https://app.example/cb'] }, 'redirect_uris'],
      ['redirect URIs for an integration', { kind: 'integration', name: 'x', redirect_uris: ['https://app.example/cb'] }, 'redirect_uris'],
      ['an unknown scope', { kind: 'integration', name: 'x', scopes: ['openid', 'superuser'] }, 'scopes.1'],
      ['no scopes at all', { kind: 'integration', name: 'x', scopes: [] }, 'scopes'],
      ['admin for an integration', { kind: 'integration', name: 'x', scopes: ['openid', 'admin'] }, 'scopes.1'],
      ['offline_access for an integration', { kind: 'integration', name: 'x', scopes: ['offline_access'] }, 'scopes.0'],
      ['admin for a mobile app', { kind: 'mobile', name: 'x', redirect_uris: ['com.example.app:/cb'], scopes: ['openid', 'admin'] }, 'scopes.1'],
      ['admin for a downloader', { kind: 'downloader', name: 'x', scopes: ['admin'] }, 'scopes.0'],
      ['redirect URIs that are not a list', { kind: 'web', name: 'x', redirect_uris: APP_CALLBACK }, 'redirect_uris'],
    ];

    it.each(cases)('refuses %s', async (_what, body, field) => {
      const response = await call(adminToken, 'POST', '/tenants/demo/clients', body);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('refuses fields it does not know, naming them', async () => {
      const response = await call(adminToken, 'POST', '/tenants/demo/clients', { kind: 'integration', name: 'x', client_secret: 'chosen-by-me' });
      expect(response.status).toBe(400);
      expect(JSON.stringify(response.body.errors)).toContain('client_secret');
    });

    it('checks changes against the kind of the client', async () => {
      const integration = await createClient(adminToken, 'demo', { kind: 'integration', name: 'Reports' });
      const web = await createClient(adminToken, 'demo', { kind: 'web', name: 'Portal', redirect_uris: [APP_CALLBACK] });
      const cases: [string, Record<string, unknown>, string][] = [
        [integration.client_id, { scopes: ['openid', 'admin'] }, 'scopes.1'],
        [integration.client_id, { redirect_uris: [APP_CALLBACK] }, 'redirect_uris'],
        [web.client_id, { redirect_uris: [] }, 'redirect_uris'],
        [web.client_id, { redirect_uris: ['ftp://app.example/cb'] }, 'redirect_uris.0'],
        [web.client_id, { kind: 'integration' }, '(body)'],
      ];
      for (const [id, body, field] of cases) {
        const response = await call(adminToken, 'PATCH', `/tenants/demo/clients/${id}`, body);
        expect(response.status).toBe(400);
        expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
    });

    it.each([[31], [-1], [1.5], ['7']])('refuses overlap_days %p', async (overlap) => {
      const client = await createClient(adminToken, 'demo', { kind: 'integration', name: 'Overlap' });
      const response = await call(adminToken, 'POST', `/tenants/demo/clients/${client.client_id}/secrets`, { overlap_days: overlap });
      expect(response.status).toBe(400);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain('overlap_days');
    });
  });

  describe('who may see and change which clients', () => {
    let acmeClient: { client_id: string };

    beforeAll(async () => {
      acmeClient = await createClient(operatorToken, 'acme', { kind: 'integration', name: 'Acme lab feed' });
    });

    it("answers 404 to a tenant admin for another tenant's clients, whatever the path", async () => {
      const acmeId = (await call(operatorToken, 'GET', '/tenants/acme')).body.id as string;
      for (const tenant of ['acme', acmeId]) {
        expect((await call(adminToken, 'GET', `/tenants/${tenant}/clients`)).status).toBe(404);
        expect((await call(adminToken, 'POST', `/tenants/${tenant}/clients`, { kind: 'integration', name: 'x' })).status).toBe(404);
        expect((await call(adminToken, 'GET', `/tenants/${tenant}/clients/${acmeClient.client_id}`)).status).toBe(404);
      }
      // The acme client's id under the admin's own tenant is just as unknown.
      const own = `/tenants/demo/clients/${acmeClient.client_id}`;
      expect((await call(adminToken, 'GET', own)).status).toBe(404);
      expect((await call(adminToken, 'PATCH', own, { name: 'mine now' })).status).toBe(404);
      expect((await call(adminToken, 'POST', `${own}/secrets`, {})).status).toBe(404);
      expect((await call(adminToken, 'DELETE', own)).status).toBe(404);
      expect((await call(operatorToken, 'GET', `/tenants/acme/clients/${acmeClient.client_id}`)).body.name).toBe('Acme lab feed');
    });

    it('keeps operator-owned clients out of every tenant', async () => {
      for (const token of [adminToken, operatorToken]) {
        expect((await call(token, 'GET', `/tenants/demo/clients/${DEMO.web.clientId}`)).status).toBe(404);
        expect((await call(token, 'POST', `/tenants/demo/clients/${OPERATOR.clientId}/secrets`, {})).status).toBe(404);
        expect((await call(token, 'DELETE', `/tenants/demo/clients/${DEMO.web.clientId}`)).status).toBe(404);
      }
      const listed = (await call(operatorToken, 'GET', '/tenants/demo/clients?limit=200')).body.items.map((c: { client_id: string }) => c.client_id);
      expect(listed).toContain(DEMO.integration.clientId);
      expect(listed).not.toContain(DEMO.web.clientId);
      expect(listed).not.toContain(OPERATOR.clientId);
    });

    it('answers 403 to a member, and 404 before 403 for an unknown tenant', async () => {
      expect((await call(memberToken, 'GET', '/tenants/demo/clients')).status).toBe(403);
      expect((await call(memberToken, 'POST', '/tenants/demo/clients', { kind: 'integration', name: 'x' })).status).toBe(403);
      expect((await call(adminToken, 'GET', '/tenants/no-such-tenant/clients')).status).toBe(404);
    });

    it('lets operators manage every tenant', async () => {
      const renamed = await call(operatorToken, 'PATCH', `/tenants/acme/clients/${acmeClient.client_id}`, { name: 'Acme lab results' });
      expect(renamed.status).toBe(200);
      expect(renamed.body.name).toBe('Acme lab results');
    });
  });

  describe('listing', () => {
    it('pages through every client of the tenant once, in creation order', async () => {
      await call(operatorToken, 'POST', '/tenants', { slug: 'pager', name: 'Pager Ltd' });
      const created: string[] = [];
      for (let i = 0; i < 5; i++) created.push((await createClient(operatorToken, 'pager', { kind: 'integration', name: `Feed ${i}` })).client_id);

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: ApiResponse = await call(operatorToken, 'GET', `/tenants/pager/clients?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.status).toBe(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.items.map((c: { client_id: string }) => c.client_id));
        cursor = page.body.next_cursor;
      } while (cursor);
      expect(seen).toEqual(created);
    });

    it('refuses a cursor it did not make', async () => {
      const response = await call(operatorToken, 'GET', '/tenants/demo/clients?cursor=not-a-cursor');
      expect(response.status).toBe(400);
      expect(response.body.errors[0].field).toBe('cursor');
    });
  });

  describe('changing', () => {
    it('applies new redirect URIs at once: the old one is refused, the new one signs in', async () => {
      const client = await createClient(adminToken, 'demo', { kind: 'web', name: 'Portal', redirect_uris: [APP_CALLBACK] });
      const app = await discoverClient(issuer, client.client_id, client.client_secret);
      await signInWithCode(app, { username: 'alice', password: DEMO.password, redirectUri: APP_CALLBACK, scope: 'openid' });

      const moved = 'https://new.example/callback';
      const patched = await call(adminToken, 'PATCH', `/tenants/demo/clients/${client.client_id}`, { name: 'New portal', redirect_uris: [moved], scopes: ['openid', 'profile'] });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ name: 'New portal', redirect_uris: [moved], scopes: ['openid', 'profile'] });

      await expect(signInWithCode(app, { username: 'alice', password: DEMO.password, redirectUri: APP_CALLBACK, scope: 'openid' })).rejects.toThrow();
      const { tokens } = await signInWithCode(app, { username: 'alice', password: DEMO.password, redirectUri: moved, scope: 'openid profile' });
      expect(tokens.claims()!.preferred_username).toBe('alice');

      // The sign-ins through the client are events too (login.succeeded); here, the administrators'.
      const events = (await eventsOf(client.client_id)).filter((e) => e.type.startsWith('admin.'));
      expect(events.map((e) => e.type)).toEqual(['admin.client_created', 'admin.client_updated']);
      expect(events[1]!.actor).toMatchObject({ type: 'user', username: 'admin', role: 'admin' });
    });
  });

  describe('rotating a secret', () => {
    it('keeps the previous secret working during the overlap, and refuses it at once with overlap 0', async () => {
      const client = await createClient(adminToken, 'demo', { kind: 'integration', name: 'Rotated' });
      const first = client.client_secret as string;
      expect((await clientCredentials(client.client_id, first)).status).toBe(200);

      const rotated = await call(adminToken, 'POST', `/tenants/demo/clients/${client.client_id}/secrets`, {});
      expect(rotated.status).toBe(201);
      expect(rotated.headers.get('cache-control')).toBe('no-store');
      const second = rotated.body.client_secret as string;
      expect(second).not.toBe(first);
      expect(rotated.body.client_id).toBe(client.client_id);
      // Seven days by default.
      expect(Math.abs(Date.parse(rotated.body.previous_secret_expires_at) - (Date.now() + 7 * DAY_MS))).toBeLessThan(60_000);

      expect((await clientCredentials(client.client_id, second)).status).toBe(200);
      expect((await clientCredentials(client.client_id, first)).status).toBe(200);
      const secrets = await eventually(async () => {
        const read = await call(adminToken, 'GET', `/tenants/demo/clients/${client.client_id}`);
        return read.body.secrets[1]?.last_used_at && read.body.secrets;
      });
      // The current secret's own use is coalesced per client (a write a minute), so it may not show yet.
      expect(secrets).toEqual([
        expect.objectContaining({ kind: 'current', created_at: expect.any(String) }),
        { kind: 'previous', expires_at: rotated.body.previous_secret_expires_at, last_used_at: expect.any(String) },
      ]);

      const immediate = await call(adminToken, 'POST', `/tenants/demo/clients/${client.client_id}/secrets`, { overlap_days: 0 });
      expect(immediate.status).toBe(201);
      const third = immediate.body.client_secret as string;
      expect((await clientCredentials(client.client_id, third)).status).toBe(200);
      expect(await clientCredentials(client.client_id, second)).toMatchObject({ status: 401, error: 'invalid_client' });
      // The secret before it was replaced as "previous", so it ended too.
      expect(await clientCredentials(client.client_id, first)).toMatchObject({ status: 401, error: 'invalid_client' });

      const events = await eventsOf(client.client_id);
      expect(events.filter((e) => e.type === 'admin.client_secret_rotated')).toHaveLength(2);
      const rotatedEvents = events.filter((e) => e.type === 'client.secret_rotated');
      expect(rotatedEvents).toHaveLength(2);
      expect(rotatedEvents[0]).toMatchObject({ tenant_id: demoTenantId, client_kind: 'integration', actor: { type: 'user', username: 'admin' } });
    });

    it('rotates a web client too, with a chosen overlap', async () => {
      const client = await createClient(operatorToken, 'demo', { kind: 'web', name: 'Rotated portal', redirect_uris: [APP_CALLBACK] });
      const rotated = await call(operatorToken, 'POST', `/tenants/demo/clients/${client.client_id}/secrets`, { overlap_days: 1 });
      expect(rotated.status).toBe(201);
      expect(Math.abs(Date.parse(rotated.body.previous_secret_expires_at) - (Date.now() + DAY_MS))).toBeLessThan(60_000);
      const app = await discoverClient(issuer, client.client_id, rotated.body.client_secret);
      await signInWithCode(app, { username: 'alice', password: DEMO.password, redirectUri: APP_CALLBACK, scope: 'openid' });
      const events = await eventsOf(client.client_id);
      expect(events.find((e) => e.type === 'admin.client_secret_rotated')!.actor).toEqual({ type: 'operator', client_id: OPERATOR.clientId });
    });

    it.each(['mobile', 'downloader'])('answers 409 for a public %s client, which has no secret', async (kind) => {
      const client = await createClient(adminToken, 'demo', { kind, name: 'Public', ...(kind === 'mobile' ? { redirect_uris: ['com.example.app:/cb'] } : {}) });
      const response = await call(adminToken, 'POST', `/tenants/demo/clients/${client.client_id}/secrets`, {});
      expect(response.status).toBe(409);
      expect(response.body.code).toBe('conflict');
    });
  });

  describe('deleting', () => {
    it('stops an integration client from getting tokens', async () => {
      const client = await createClient(adminToken, 'demo', { kind: 'integration', name: 'Doomed' });
      expect((await clientCredentials(client.client_id, client.client_secret)).status).toBe(200);

      const deleted = await call(adminToken, 'DELETE', `/tenants/demo/clients/${client.client_id}`);
      expect(deleted.status).toBe(204);
      expect(await clientCredentials(client.client_id, client.client_secret)).toMatchObject({ status: 401, error: 'invalid_client' });
      expect((await call(adminToken, 'GET', `/tenants/demo/clients/${client.client_id}`)).status).toBe(404);
      expect((await call(adminToken, 'DELETE', `/tenants/demo/clients/${client.client_id}`)).status).toBe(404);

      const events = await eventsOf(client.client_id);
      expect(events.at(-1)).toMatchObject({ type: 'admin.client_deleted', actor: { type: 'user', username: 'admin' } });
    });

    it("removes a web client's grants and refresh tokens, and its access tokens stop working", async () => {
      const client = await createClient(adminToken, 'demo', { kind: 'web', name: 'Doomed portal', redirect_uris: [APP_CALLBACK] });
      const app = await discoverClient(issuer, client.client_id, client.client_secret);
      const { tokens } = await signInWithCode(app, { username: 'alice', password: DEMO.password, redirectUri: APP_CALLBACK, scope: 'openid offline_access' });
      const { knex } = server.gatehouse.database;
      expect(Number((await knex('oidc_artifacts').where({ client_id: client.client_id }).count<{ count: number }[]>('* as count'))[0]!.count)).toBeGreaterThan(0);

      expect((await call(adminToken, 'DELETE', `/tenants/demo/clients/${client.client_id}`)).status).toBe(204);
      expect(Number((await knex('oidc_artifacts').where({ client_id: client.client_id }).count<{ count: number }[]>('* as count'))[0]!.count)).toBe(0);
      const refused = await oidc.refreshTokenGrant(app, tokens.refresh_token!).then(
        () => undefined,
        (err: unknown) => err as { status?: number; cause?: unknown },
      );
      expect(refused?.status).toBe(401);
      expect(JSON.stringify(refused?.cause)).toContain('invalid_client');
      await expect(oidc.fetchUserInfo(app, tokens.access_token, tokens.claims()!.sub)).rejects.toThrow();
    });
  });

  it('publishes the client calls in the OpenAPI document', async () => {
    const document = (await (await fetch(`${issuer}/admin/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(document.paths['/tenants/{t}/clients']!)).toEqual(expect.arrayContaining(['get', 'post']));
    expect(Object.keys(document.paths['/tenants/{t}/clients/{id}']!)).toEqual(expect.arrayContaining(['get', 'patch', 'delete']));
    expect(document.paths['/tenants/{t}/clients/{id}/secrets']!.post).toBeDefined();
  });

  it('never answers with a digest of any secret', async () => {
    const { knex } = server.gatehouse.database;
    const stored = await knex('clients').select('secret_hash', 'previous_secret_hash');
    const digests = new Set([...stored.flatMap((row: { secret_hash: string | null; previous_secret_hash: string | null }) => [row.secret_hash, row.previous_secret_hash]), ...secretsSeen.map(hashClientSecret)].filter(Boolean) as string[]);
    expect(secretsSeen.length).toBeGreaterThan(5);
    expect(responseBodies.length).toBeGreaterThan(50);
    for (const body of responseBodies) {
      // No field named after a hash (random ids and secrets may spell "hash" by chance).
      expect(body).not.toMatch(/"[a-z_]*hash[a-z_]*"\s*:/i);
      for (const digest of digests) expect(body).not.toContain(digest);
    }
  });
});

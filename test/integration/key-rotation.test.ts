import { createHmac, createPublicKey, randomBytes, verify } from 'node:crypto';
import * as oidc from 'openid-client';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { runKeysCommand } from '../../src/app/keys-command.js';
import { loadKeysCommandConfig } from '../../src/infrastructure/config/config.js';
import { KeyEncryption, parseKeyEncryptionKey } from '../../src/infrastructure/keys/key-encryption.js';
import { OPERATOR_ENV, adminCall, operatorToken } from '../helpers/admin-api.js';
import { HttpBrowser } from '../helpers/browserless.js';
import { discoverClient, signInWithCode } from '../helpers/relying-party.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

type Jwk = Record<string, unknown> & { kid: string; key_ops?: string[] };

const KEY_ENCRYPTION_KEY = randomBytes(32).toString('base64');
// Short times so a whole rotation fits in a test: published 2 s before signing, replicas re-read every second.
const RING_ENV = { KEY_ENCRYPTION_KEY, KEY_PUBLISH_SECONDS: '2', KEY_REFRESH_SECONDS: '1', SIGNING_KEY_RETENTION_SECONDS: '2', COOKIE_KEY_RETENTION_SECONDS: '60' };

function header(jwt: string): { kid: string; alg: string } {
  return JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as { kid: string; alg: string };
}

/** Checks a JWS signature against a published key, as a relying party does. */
function verifiesWith(jwt: string, keys: Jwk[]): boolean {
  const [h, p, s] = jwt.split('.') as [string, string, string];
  const key = keys.find((candidate) => candidate.kid === header(jwt).kid);
  if (!key) return false;
  const alg = header(jwt).alg;
  return verify(alg === 'EdDSA' ? null : 'sha256', Buffer.from(`${h}.${p}`), { key: createPublicKey({ key: key as never, format: 'jwk' }), ...(alg === 'ES256' ? { dsaEncoding: 'ieee-p1363' as const } : {}) }, Buffer.from(s, 'base64url'));
}

async function until<T>(probe: () => Promise<T | undefined>, what: string, ms = 8_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

describe('signing and cookie keys in the database', () => {
  let server: TestGatehouse;
  let admin: string;

  beforeAll(async () => {
    server = await startTestGatehouse(fullestStorage(), { env: { ...OPERATOR_ENV, ...RING_ENV } });
    admin = await operatorToken(server.issuer);
  });
  afterAll(async () => server?.stop());

  const jwks = async (): Promise<Jwk[]> => ((await (await fetch(`${server.issuer}/jwks`)).json()) as { keys: Jwk[] }).keys;
  const redirectUri = () => `${server.issuer}${DEMO.callbackPath}`;

  it('keeps the private parts sealed in the database', async () => {
    const rows = await server.gatehouse.database.knex('key_ring').select('sealed', 'public_jwk', 'use');
    expect(rows.map((row: { use: string }) => row.use).sort()).toEqual(['cookie', 'sig']);
    for (const row of rows as { sealed: string; public_jwk: Record<string, unknown> | null }[]) {
      expect(row.sealed).toMatch(/^v1\./);
      expect(row.public_jwk ?? {}).not.toHaveProperty('d');
    }
    expect((await jwks()).every((key) => !('d' in key))).toBe(true);
  });

  it('publishes a new signing key before it signs, switches on time on its own, and retires the old one while old tokens verify until then', async () => {
    const web = await discoverClient(server.issuer, DEMO.web.clientId, DEMO.web.secret);
    const before = await signInWithCode(web, { username: 'alice', password: DEMO.password, redirectUri: redirectUri(), scope: 'openid offline_access' });
    const oldKid = header(before.tokens.id_token!).kid;
    expect((await jwks()).map((key) => key.kid)).toEqual([oldKid]);

    const rotated = await adminCall(server.issuer, admin, 'POST', '/keys/rotations', { use: 'signing' });
    expect(rotated.status).toBe(201);
    const newKid = rotated.body.kid as string;
    expect(rotated.body).toMatchObject({ use: 'signing', alg: 'RS256', retiring: [{ kid: oldKid }] });

    // Published at once, marked for verification only: the old key still signs.
    const published = await jwks();
    expect(published.find((key) => key.kid === newKid)?.key_ops).toEqual(['verify']);
    const during = await signInWithCode(web, { username: 'admin', password: DEMO.password, redirectUri: redirectUri(), scope: 'openid' });
    expect(header(during.tokens.id_token!).kid).toBe(oldKid);
    // A second rotation waits for this one.
    expect((await adminCall(server.issuer, admin, 'POST', '/keys/rotations', { use: 'signing' })).status).toBe(409);

    // At active_at every replica switches by itself (no restart, no call).
    await until(async () => ((await jwks()).find((key) => key.kid === newKid)?.key_ops === undefined ? true : undefined), 'the new key to sign');
    const after = await signInWithCode(web, { username: 'alice', password: DEMO.password, redirectUri: redirectUri(), scope: 'openid' });
    expect(header(after.tokens.id_token!).kid).toBe(newKid);
    // Tokens from before the switch still verify against the published set.
    const bothPublished = await jwks();
    expect(verifiesWith(before.tokens.id_token!, bothPublished)).toBe(true);
    expect(verifiesWith(after.tokens.id_token!, bothPublished)).toBe(true);

    // After the retention the old key leaves JWKS; refresh tokens (opaque, stored) keep working.
    await until(async () => ((await jwks()).some((key) => key.kid === oldKid) ? undefined : true), 'the old key to retire');
    const refreshed = await oidc.refreshTokenGrant(web, before.tokens.refresh_token!);
    expect(header(refreshed.id_token!).kid).toBe(newKid);

    const listed = await adminCall(server.issuer, admin, 'GET', '/keys');
    expect(listed.body.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ kid: newKid, use: 'signing', state: 'active' }), expect.objectContaining({ kid: oldKid, use: 'signing', state: 'retired' })]),
    );
    await server.gatehouse.events.flush();
    const event = await server.gatehouse.database.knex('events').where({ type: 'admin.key_rotated' }).first<{ details: { kid: string } }>();
    expect(event.details.kid).toBe(newKid);
  });

  it('rotates the cookie key without ending a browser session in flight', async () => {
    const web = await discoverClient(server.issuer, DEMO.web.clientId, DEMO.web.secret);
    const browser = new HttpBrowser();
    await signInWithCode(web, { username: 'alice', password: DEMO.password, redirectUri: redirectUri(), scope: 'openid', browser });
    // The session carries the next sign-in: no password is asked (a wrong one would fail).
    await signInWithCode(web, { username: 'alice', password: 'not-asked', redirectUri: redirectUri(), scope: 'openid', browser });

    const rotated = await adminCall(server.issuer, admin, 'POST', '/keys/rotations', { use: 'cookie' });
    expect(rotated.status).toBe(201);
    await until(async () => ((await adminCall(server.issuer, admin, 'GET', '/keys')).body.items.some((key: { kid: string; state: string }) => key.kid === rotated.body.kid && key.state === 'active') ? true : undefined), 'the new cookie key to sign');
    await server.gatehouse.refreshKeys();

    // Cookies signed with the previous key are still accepted, and new ones are signed with the new key.
    await signInWithCode(web, { username: 'alice', password: 'not-asked', redirectUri: redirectUri(), scope: 'openid', browser });
    expect(await cookieSigner(rotated.body.kid as string)).toBe(rotated.body.kid);
    const fresh = new HttpBrowser();
    await signInWithCode(web, { username: 'admin', password: DEMO.password, redirectUri: redirectUri(), scope: 'openid', browser: fresh });
    await signInWithCode(web, { username: 'admin', password: 'not-asked', redirectUri: redirectUri(), scope: 'openid', browser: fresh });
  });

  /** Which cookie key signs a cookie the provider sets now (Koa: HMAC-SHA1 of name=value, base64url). */
  async function cookieSigner(expected: string): Promise<string | undefined> {
    const web = await discoverClient(server.issuer, DEMO.web.clientId, DEMO.web.secret);
    const url = oidc.buildAuthorizationUrl(web, { redirect_uri: redirectUri(), scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
    const response = await fetch(url, { redirect: 'manual' });
    const cookies = new Map(response.headers.getSetCookie().map((line) => line.split(';')[0]!.split('=') as [string, string]));
    const [name, signature] = [...cookies].find(([key]) => key.endsWith('.sig'))!;
    const cookie = name.slice(0, -'.sig'.length);
    const encryption = new KeyEncryption(parseKeyEncryptionKey(KEY_ENCRYPTION_KEY)!);
    const rows = (await server.gatehouse.database.knex('key_ring').where({ use: 'cookie' })) as { kid: string; sealed: string; kek_id: string }[];
    const signer = rows.find((row) => createHmac('sha1', encryption.open(row.sealed, row.kid, row.kek_id)).update(`${cookie}=${cookies.get(cookie)}`).digest('base64url') === signature);
    expect(rows.some((row) => row.kid === expected)).toBe(true);
    return signer?.kid;
  }

  it('rotates from the command line, and refuses a rotation for alg on cookie keys', async () => {
    // The embedded database belongs to the running server; the command line needs a real one.
    if (server.gatehouse.database.embedded) return;
    const config = loadKeysCommandConfig({ ...RING_ENV, DATABASE_URL: serverDatabaseUrl(server) });
    const lines: string[] = [];
    expect(await runKeysCommand(['rotate', 'signing', '--alg', 'ES256'], config, (line) => lines.push(line))).toBe(0);
    expect(lines[0]).toMatch(/^new ES256 signing key \S+: published now, signs from /);
    expect(await runKeysCommand(['rotate', 'cookie', '--alg', 'ES256'], config, (line) => lines.push(line))).toBe(2);
    expect(await runKeysCommand(['list'], config, (line) => lines.push(line))).toBe(0);
    expect(lines.some((line) => /^signing\s+ES256\s+published\s/.test(line))).toBe(true);
    expect(lines.join('\n')).not.toMatch(/"d"/);
    // A key of another algorithm joins the RS256 one (which keeps signing for RS256 clients), published first.
    await server.gatehouse.refreshKeys();
    const keys = await jwks();
    expect(keys.find((key) => key.alg === 'ES256')).toMatchObject({ kty: 'EC', crv: 'P-256', key_ops: ['verify'] });
    expect(keys.find((key) => key.alg === 'RS256' && key.key_ops === undefined)).toBeDefined();
  });
});

/** The scratch database of the running server, for the command line to reach. */
function serverDatabaseUrl(server: TestGatehouse): string {
  const connection = server.gatehouse.database.knex.client.config.connection as { connectionString?: string; user?: string; host?: string; port?: string; database?: string };
  if (connection.connectionString) return connection.connectionString;
  return `postgres://${connection.user}@${connection.host}:${connection.port}/${connection.database}`;
}

import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

/**
 * An operator secret from `openssl rand -base64` (with `+`, `/`, `=`) works whether the client
 * form-urlencodes HTTP Basic credentials first (RFC 6749 §2.3.1, as OAuth libraries do) or sends
 * them as they are (`curl -u id:secret`, most HTTP tools).
 */
describe('client secrets with base64 characters in HTTP Basic', () => {
  const clientId = 'operator';
  // `%zz` is not valid form-urlencoding: only an as-is sender can mean it.
  const secret = 'Xq3+/vB8=kP2rT9wLm4ZsN7yCj1HdF6gQe0uA5oI%zz';
  let server: TestGatehouse;

  beforeAll(async () => {
    server = await startTestGatehouse(fullestStorage(), { env: { BOOTSTRAP_OPERATOR_CLIENT_ID: clientId, BOOTSTRAP_OPERATOR_CLIENT_SECRET: secret } });
  });
  afterAll(async () => server?.stop());

  async function token(init: { user?: string; password?: string; body?: URLSearchParams }): Promise<{ status: number; body: Record<string, unknown> }> {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (init.user !== undefined) headers.authorization = `Basic ${Buffer.from(`${init.user}:${init.password}`).toString('base64')}`;
    const response = await fetch(`${server.issuer}/token`, { method: 'POST', headers, body: init.body ?? new URLSearchParams({ grant_type: 'client_credentials', scope: 'admin' }) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('accepts the secret as curl -u sends it (not encoded)', async () => {
    const answer = await token({ user: clientId, password: secret });
    expect(answer.status).toBe(200);
    expect(answer.body.access_token).toEqual(expect.any(String));
  });

  it('accepts the secret form-urlencoded, as RFC 6749 asks', async () => {
    expect((await token({ user: encodeURIComponent(clientId), password: encodeURIComponent(secret) })).status).toBe(200);
  });

  it('accepts the secret in the form body (client_secret_post)', async () => {
    expect((await token({ body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'admin', client_id: clientId, client_secret: secret }) })).status).toBe(200);
  });

  it('still refuses a wrong secret, a plus read as a space included', async () => {
    expect((await token({ user: clientId, password: secret.replace('+', ' ') })).status).toBe(401);
    expect((await token({ user: clientId, password: `${secret}x` })).status).toBe(401);
    expect((await token({ user: clientId, password: encodeURIComponent(`${secret}x`) })).status).toBe(401);
  });
});

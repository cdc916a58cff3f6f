import { Writable } from 'node:stream';
import * as oidc from 'openid-client';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { monthOf } from '../../src/domain/second-factor/sms/sms-budget.js';
import { OPERATOR, OPERATOR_ENV, adminCall, createUser, operatorToken } from '../helpers/admin-api.js';
import { discoverClient, signInWithCode } from '../helpers/relying-party.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

type LogLine = Record<string, unknown> & { msg?: string; request_id?: string };

/** Parses a Prometheus text exposition into `name{labels}` → value. */
function parseMetrics(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    series.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return series;
}

/** The value of the one series of `name` whose labels include every given label. */
function value(series: Map<string, number>, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const found = [...series].filter(([key]) => (key === name || key.startsWith(`${name}{`)) && wanted.every((pair) => key.includes(pair)));
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${found.length} series: ${found.map(([k]) => k).join(', ')}`);
  return found[0]?.[1];
}

describe('metrics port and access log', () => {
  let server: TestGatehouse;
  const lines: LogLine[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });

  beforeAll(async () => {
    server = await startTestGatehouse(fullestStorage(), { env: { ...OPERATOR_ENV, LOG_LEVEL: 'debug' }, logDestination: destination });
  });
  afterAll(async () => server?.stop());

  async function scrape(): Promise<Map<string, number>> {
    const response = await fetch(server.metricsUrl());
    expect(response.status).toBe(200);
    return parseMetrics(await response.text());
  }

  it('counts sign-ins, tokens, refusals, messages and requests by route template, and logs one line per request with its id', async () => {
    const { issuer } = server;
    const redirectUri = `${issuer}${DEMO.callbackPath}`;
    const web = await discoverClient(issuer, DEMO.web.clientId, DEMO.web.secret);

    // A failed then a successful sign-in, a code exchanged for tokens.
    await expect(signInWithCode(web, { username: 'alice', password: 'not-her-password', redirectUri, scope: 'openid' })).rejects.toThrow();
    const { tokens } = await signInWithCode(web, { username: 'alice', password: DEMO.password, redirectUri, scope: 'openid' });
    // client_credentials for the integration and the operator; a refused client authentication
    // carrying the caller's request id.
    const integration = await discoverClient(issuer, DEMO.integration.clientId, DEMO.integration.secret);
    await oidc.clientCredentialsGrant(integration, {});
    const refused = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${DEMO.integration.clientId}:wrong-secret`).toString('base64')}`, 'x-request-id': 'support-ticket-4711' },
      body: 'grant_type=client_credentials',
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('x-request-id')).toBe('support-ticket-4711');
    // An unacceptable id is replaced, never echoed.
    const replaced = await fetch(`${issuer}/healthz`, { headers: { 'x-request-id': 'two words' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    // An admin call with ids in its path, which creates a user and emails a temporary password.
    const admin = await operatorToken(issuer);
    const created = await createUser(issuer, admin, { username: 'metrics-mia', password: null });
    expect((await adminCall(issuer, admin, 'GET', `/tenants/demo/users/${created.id}`)).status).toBe(200);
    // Probes, one of them failing would not count as an error either.
    expect((await fetch(`${issuer}/readyz`)).status).toBe(200);
    // A tenant at 80 % of its SMS budget (500 by default).
    const knex = server.gatehouse.database.knex;
    const demoTenant = await knex('tenants').where({ slug: DEMO.tenant.slug }).first<{ id: string }>();
    await knex('sms_usage').insert({ tenant_id: demoTenant.id, month: monthOf(new Date()), sent: 400 }).onConflict(['tenant_id', 'month']).merge();
    await server.gatehouse.events.flush();

    // /metrics is not on the public port.
    expect((await fetch(`${issuer}/metrics`)).status).toBe(404);

    const series = await scrape();
    expect(value(series, 'gatehouse_build_info', { version: '0.1.0' })).toBe(1);
    expect(value(series, 'gatehouse_sign_ins_total', { outcome: 'succeeded', client_kind: 'web', reason: 'password' })).toBe(1);
    expect(value(series, 'gatehouse_sign_ins_total', { outcome: 'failed', client_kind: 'web', reason: 'wrong_password' })).toBe(1);
    expect(value(series, 'gatehouse_tokens_issued_total', { grant: 'authorization_code', client_kind: 'web' })).toBe(1);
    // The demo integration and the operator client are both of kind integration.
    expect(value(series, 'gatehouse_tokens_issued_total', { grant: 'client_credentials', client_kind: 'integration' })).toBe(2);
    expect(value(series, 'gatehouse_token_refusals_total', { grant: 'client_authentication', client_kind: 'integration' })).toBe(1);
    expect(value(series, 'gatehouse_messages_total', { channel: 'email', status: 'sent' })).toBeGreaterThanOrEqual(1);
    expect(value(series, 'gatehouse_http_request_duration_seconds_count', { route: '/token', method: 'POST', status: '200' })).toBe(3);
    expect(value(series, 'gatehouse_http_request_duration_seconds_count', { route: '/token', method: 'POST', status: '401' })).toBe(1);
    expect(value(series, 'gatehouse_http_request_duration_seconds_count', { route: '/auth', method: 'GET', status: '303' })).toBe(2);
    expect(value(series, 'gatehouse_http_request_duration_seconds_count', { route: '/interaction/:uid/login', method: 'POST', status: '401' })).toBe(1);
    expect(value(series, 'gatehouse_http_request_duration_seconds_count', { route: '/interaction/:uid/login', method: 'POST', status: '303' })).toBe(1);
    const adminUserRoute = [...series.keys()].find((key) => key.startsWith('gatehouse_http_request_duration_seconds_count{') && key.includes('method="GET"') && key.includes('route="/admin/v1/tenants/:t/users/:id"'));
    expect(adminUserRoute).toBeDefined();
    // Route templates only: no series names an interaction, a user or any other id.
    const routes = [...series.keys()].flatMap((key) => /route="([^"]*)"/.exec(key)?.[1] ?? []);
    const template = /^(unmatched|\/|(\/(:\w+|v1|[a-z.][a-z._-]*))+)$/;
    expect(routes.filter((route) => !template.test(route))).toEqual([]);
    expect(routes).not.toContain('/healthz');
    expect(routes).not.toContain('/readyz');
    expect(value(series, 'gatehouse_sms_budget_used_ratio', { tenant: DEMO.tenant.slug })).toBeCloseTo(0.8);
    expect(value(series, 'gatehouse_sms_monthly_budget', { tenant: DEMO.tenant.slug })).toBe(500);
    expect(value(series, 'gatehouse_signing_key_age_seconds', { alg: 'RS256' })).toBeGreaterThanOrEqual(0);
    expect(value(series, 'gatehouse_db_pool_max')).toBeGreaterThan(0);
    expect(value(series, 'gatehouse_db_pool_connections', { state: 'pending_acquire' })).toBe(0);
    expect(value(series, 'gatehouse_events_queued')).toBe(0);
    expect(value(series, 'gatehouse_events_dropped_total')).toBe(0);
    if (server.storage === 'postgres+redis') expect(value(series, 'gatehouse_redis_up')).toBe(1);

    // One access-log line per request, with the route template, never the path or query.
    const access = lines.filter((line) => line.msg === 'request');
    for (const line of access) {
      expect(line).toEqual(expect.objectContaining({ request_id: expect.any(String), method: expect.any(String), route: expect.any(String), status: expect.any(Number), duration_ms: expect.any(Number) }));
    }
    const refusedLine = access.find((line) => line.request_id === 'support-ticket-4711');
    expect(refusedLine).toMatchObject({ method: 'POST', route: '/token', status: 401, client_id: DEMO.integration.clientId });
    expect(access.filter((line) => line.route === '/readyz')).toEqual([expect.objectContaining({ level: 20, status: 200 })]);
    const everything = JSON.stringify(lines);
    expect(everything).not.toContain(DEMO.password);
    expect(everything).not.toContain('not-her-password');
    expect(everything).not.toContain(tokens.access_token);
    expect(everything).not.toContain(OPERATOR.secret);
    expect(everything).not.toContain('code=');
    expect(everything).not.toContain(created.id);

    // The request id reaches the event the request recorded, and every line of that request.
    const refusal = await knex('events').where({ type: 'client.auth_failed' }).first<{ request_id: string }>();
    expect(refusal.request_id).toBe('support-ticket-4711');
    const creation = access.find((line) => line.method === 'POST' && line.route === '/admin/v1/tenants/:t/users');
    expect(creation).toBeDefined();
    const sameRequest = () => lines.filter((line) => line.request_id === creation!.request_id).map((line) => line.msg);
    expect(sameRequest()).toContain('request');
    const createdEvent = await knex('events').where({ type: 'admin.user_created' }).first<{ request_id: string }>();
    expect(createdEvent.request_id).toBe(creation!.request_id);
    // The invitation leaves later, from the outbox's worker, still under the request's id.
    for (let wait = 0; wait < 100 && !sameRequest().includes('dev outbox: email'); wait++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sameRequest()).toContain('dev outbox: email');
  });

  it('serves only GET /metrics on the metrics port', async () => {
    const base = server.metricsUrl().replace(/\/metrics$/, '');
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(404);
  });

  it('logs a database error as JSON with its SQLSTATE and the request id, answers without internals and counts the 500', async () => {
    const knex = server.gatehouse.database.knex;
    const admin = await operatorToken(server.issuer);
    await knex.raw('ALTER TABLE events RENAME TO events_away');
    let response: Response;
    try {
      response = await fetch(`${server.issuer}/admin/v1/tenants/demo/events`, { headers: { authorization: `Bearer ${admin}`, 'x-request-id': 'pg-error-check' } });
    } finally {
      await knex.raw('ALTER TABLE events_away RENAME TO events');
    }
    expect(response.status).toBe(500);
    expect(response.headers.get('x-request-id')).toBe('pg-error-check');
    const body = await response.text();
    expect(body).not.toMatch(/events|select|42P01/i);
    const failure = lines.find((line) => line.request_id === 'pg-error-check' && line.msg === 'request failed');
    expect(failure).toMatchObject({ level: 50, err: { code: '42P01', severity: 'ERROR' } });
    const series = await scrape();
    expect(value(series, 'gatehouse_http_request_duration_seconds_count', { route: '/admin/v1/tenants/:t/events', method: 'GET', status: '500' })).toBe(1);
  });
});

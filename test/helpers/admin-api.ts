import * as oidc from 'openid-client';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { discoverClient, signInWithCode } from './relying-party.js';

export const OPERATOR = { clientId: 'operator', secret: 'operator-secret-0123456789abcdefghijkl' };
export const OPERATOR_ENV = { BOOTSTRAP_OPERATOR_CLIENT_ID: OPERATOR.clientId, BOOTSTRAP_OPERATOR_CLIENT_SECRET: OPERATOR.secret };

/** An admin-scoped token of the bootstrap operator client. */
export async function operatorToken(issuer: string): Promise<string> {
  const config = await discoverClient(issuer, OPERATOR.clientId, OPERATOR.secret);
  return (await oidc.clientCredentialsGrant(config, { scope: 'admin' })).access_token;
}

/** An admin-scoped token of the demo tenant's administrator, signed in through the demo web app. */
export async function demoAdminToken(issuer: string): Promise<string> {
  const web = await discoverClient(issuer, DEMO.web.clientId, DEMO.web.secret);
  return (await signInWithCode(web, { username: 'admin', password: DEMO.password, redirectUri: `${issuer}${DEMO.callbackPath}`, scope: 'openid admin' })).tokens.access_token;
}

export interface AdminResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** Calls the admin API as `token` (or anonymously) and returns status, parsed body and headers. */
export async function adminCall<T = any>(issuer: string, token: string | undefined, method: string, path: string, body?: unknown): Promise<AdminResponse<T>> {
  const response = await fetch(`${issuer}/admin/v1${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

export interface NewTestUser {
  username: string;
  /** Tenant id or slug; `demo` by default. */
  tenant?: string;
  /** Omitted: a random valid one. `null`: none, so the user is emailed a temporary password. */
  password?: string | null;
  email?: string;
  [field: string]: unknown;
}

/** Creates a user through the admin API as `token`; fails loudly unless it answers 201. */
export async function createUser(issuer: string, token: string, user: NewTestUser): Promise<{ id: string; password?: string; body: any }> {
  const { tenant = 'demo', password: given, username, email, ...fields } = user;
  const password = given === null ? undefined : (given ?? `amber-lantern-${Math.random().toString(36).slice(2, 8)}`);
  const created = await adminCall(issuer, token, 'POST', `/tenants/${tenant}/users`, { username, email: email ?? `${username}@${tenant}.test`, ...(password ? { password } : {}), ...fields });
  if (created.status !== 201) throw new Error(`creating ${username} answered ${created.status}: ${JSON.stringify(created.body)}`);
  return { id: created.body.id, password, body: created.body };
}

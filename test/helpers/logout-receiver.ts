import { createPublicKey, verify } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A logout token as an app receives it: verified against the issuer's JWKS, header and claims. */
export interface ReceivedLogoutToken {
  header: { alg: string; kid?: string; typ?: string };
  claims: { iss: string; aud: string | string[]; iat: number; exp: number; jti: string; sub?: string; sid?: string; events: Record<string, unknown>; nonce?: unknown };
}

/**
 * A web app's back-channel logout endpoint on a free loopback port: keeps every logout token
 * posted to it and answers with `status` (200 unless a test makes it fail).
 */
export class LogoutReceiver {
  readonly received: string[] = [];
  status = 200;
  private server?: http.Server;
  url = '';

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        if (req.method === 'POST' && req.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) {
          const token = new URLSearchParams(body).get('logout_token');
          if (token) this.received.push(token);
        }
        res.writeHead(this.status, { 'cache-control': 'no-store' }).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/backchannel-logout`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Waits for `count` tokens in all and returns them. */
  async tokens(count: number, timeoutMs = 5000): Promise<string[]> {
    const until = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (Date.now() > until) throw new Error(`${this.received.length} logout tokens received, ${count} expected`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return this.received.slice(0, count);
  }
}

/** Verifies a JWS signed with RS256/PS256/ES256 against the issuer's JWKS, as an app would. */
export async function verifyJwt(issuer: string, jwt: string): Promise<{ header: Record<string, unknown>; claims: Record<string, unknown> }> {
  const [h, p, s] = jwt.split('.');
  const header = JSON.parse(Buffer.from(h!, 'base64url').toString()) as { alg: string; kid?: string };
  const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as { jwks_uri: string };
  const { keys } = (await (await fetch(discovery.jwks_uri)).json()) as { keys: Record<string, unknown>[] };
  const jwk = keys.find((k) => k.kid === header.kid) ?? keys[0];
  const key = createPublicKey({ key: jwk as never, format: 'jwk' });
  const data = Buffer.from(`${h}.${p}`);
  const signature = Buffer.from(s!, 'base64url');
  const ok =
    header.alg === 'RS256'
      ? verify('sha256', data, key, signature)
      : header.alg === 'PS256'
        ? verify('sha256', data, { key, padding: 6, saltLength: 32 }, signature)
        : header.alg === 'ES256'
          ? verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature)
          : false;
  if (!ok) throw new Error(`signature of a ${header.alg} JWT does not verify`);
  return { header, claims: JSON.parse(Buffer.from(p!, 'base64url').toString()) };
}

export async function verifyLogoutToken(issuer: string, token: string): Promise<ReceivedLogoutToken> {
  return (await verifyJwt(issuer, token)) as unknown as ReceivedLogoutToken;
}

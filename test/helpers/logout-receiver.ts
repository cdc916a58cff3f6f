import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyJwt } from './jwt.js';

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

export async function verifyLogoutToken(issuer: string, token: string): Promise<ReceivedLogoutToken> {
  return (await verifyJwt(issuer, token)) as unknown as ReceivedLogoutToken;
}

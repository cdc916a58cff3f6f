import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isPublicAddress, postForm } from './outbound-post.js';

describe('posting to a URL a tenant registered', () => {
  let server: http.Server;
  let port: number;
  const received: string[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push(body);
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const options = (publicOnly: boolean) => ({ timeoutMs: 2_000, publicOnly, userAgent: 'test' });

  it('tells public unicast addresses from private, loopback, link-local, metadata and mapped ones', () => {
    for (const address of ['8.8.8.8', '2a00:1450:4001:82b::200e']) expect(isPublicAddress(address)).toBe(true);
    for (const address of ['10.0.0.1', '172.16.5.4', '192.168.1.1', '127.0.0.1', '169.254.169.254', '0.0.0.0', '100.64.0.1', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', 'not-an-ip']) {
      expect(isPublicAddress(address)).toBe(false);
    }
  });

  it('posts the form and answers the status when private addresses are allowed (outside production)', async () => {
    await expect(postForm(`http://127.0.0.1:${port}/logout`, { logout_token: 'abc' }, options(false))).resolves.toBe(204);
    expect(received).toContain('logout_token=abc');
  });

  it('refuses, without connecting, a loopback literal, a mapped literal and a name that resolves to loopback in production', async () => {
    const before = received.length;
    for (const url of [`http://127.0.0.1:${port}/logout`, `http://[::ffff:127.0.0.1]:${port}/logout`, `http://[::1]:${port}/logout`, `http://localhost:${port}/logout`]) {
      await expect(postForm(url, { logout_token: 'abc' }, options(true))).rejects.toMatchObject({ code: 'EPRIVATEADDRESS' });
    }
    expect(received.length).toBe(before);
  });
});

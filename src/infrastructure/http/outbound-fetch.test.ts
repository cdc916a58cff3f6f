import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { publicOnlyFetch } from './outbound-fetch.js';

/** The fetch for tenants' provider URLs never reaches a private address, by literal or by name. */
describe('publicOnlyFetch', () => {
  let server: http.Server;
  let hits = 0;

  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      hits += 1;
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each(['127.0.0.1', 'localhost', '[::1]', '169.254.169.254', '10.0.0.1'])('refuses %s without connecting', async (host) => {
    const port = (server.address() as AddressInfo).port;
    await expect(publicOnlyFetch(`http://${host}:${port}/.well-known/openid-configuration`, {})).rejects.toMatchObject({ code: 'EPRIVATEADDRESS' });
    expect(hits).toBe(0);
  });
});

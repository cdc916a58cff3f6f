import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseAnswer, RawHttpConnection } from '../../bench/support/raw-http.js';

/**
 * The paced load's HTTP client: one keep-alive connection, one request at a time. It must read
 * every answer a server sends it exactly (a refresh chain takes its next token from the body),
 * and a broken connection must fail the request under way and never the next one.
 */
describe("the bench's raw HTTP connection", () => {
  let server: http.Server;
  let port: number;
  const sockets = new Set<unknown>();
  const seen: { method?: string; url?: string; body: string; headers: http.IncomingHttpHeaders }[] = [];

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      sockets.add(request.socket);
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        seen.push({ method: request.method, url: request.url, body, headers: request.headers });
        if (request.url === '/chunked') {
          response.setHeader('set-cookie', ['a=1', 'b=2']);
          response.write('{"part":');
          setTimeout(() => response.end('"two"}'), 20);
        } else if (request.url === '/close') {
          response.setHeader('connection', 'close');
          response.end('bye');
        } else if (request.url === '/never') {
          // No answer: the client gives up.
        } else if (request.url === '/empty') {
          response.statusCode = 204;
          response.end();
        } else {
          response.setHeader('content-type', 'application/json');
          response.end(JSON.stringify({ echo: body, long: 'é'.repeat(40_000) }));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sends requests with their headers and body on one kept-alive connection, and reads long, chunked and empty answers', async () => {
    const connection = new RawHttpConnection('127.0.0.1', port, 5_000);
    sockets.clear();
    const first = await connection.request({ method: 'POST', path: '/token', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic abc' }, body: 'grant_type=refresh_token&refresh_token=ü' });
    expect(first.status).toBe(200);
    expect(JSON.parse(first.body)).toEqual({ echo: 'grant_type=refresh_token&refresh_token=ü', long: 'é'.repeat(40_000) });
    expect(seen.at(-1)).toMatchObject({ method: 'POST', url: '/token', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic abc', host: `127.0.0.1:${port}` } });

    const chunked = await connection.request({ path: '/chunked' });
    expect({ status: chunked.status, body: chunked.body, cookies: chunked.headers['set-cookie'] }).toEqual({ status: 200, body: '{"part":"two"}', cookies: ['a=1', 'b=2'] });
    expect((await connection.request({ path: '/empty' })).status).toBe(204);
    expect(JSON.parse((await connection.request({ path: '/again', body: 'x' })).body).echo).toBe('x');
    expect(sockets.size).toBe(1);
    connection.close();
  });

  it('opens a new connection after the server closed one, and fails only the request that timed out', async () => {
    const connection = new RawHttpConnection('127.0.0.1', port, 300);
    sockets.clear();
    expect((await connection.request({ path: '/close' })).body).toBe('bye');
    expect((await connection.request({ path: '/after-close' })).status).toBe(200);
    await expect(connection.request({ path: '/never' })).rejects.toThrow('timeout');
    expect((await connection.request({ path: '/after-timeout' })).status).toBe(200);
    // The server ends an idle connection (its keep-alive timeout): the next request opens another.
    server.closeIdleConnections();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await connection.request({ path: '/after-idle-close' })).status).toBe(200);
    expect(sockets.size).toBe(4);
    connection.close();
  });

  it('waits for the rest of an answer that arrives in pieces', () => {
    const whole = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\nX-A: 2\r\n\r\nhello');
    for (let cut = 0; cut < whole.length; cut++) expect(parseAnswer(whole.subarray(0, cut))).toBe('incomplete');
    expect(parseAnswer(whole)).toEqual({ status: 200, body: 'hello', headers: { 'content-length': '5', 'x-a': ['1', '2'] } });
    const chunked = Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n');
    for (let cut = 0; cut < chunked.length; cut++) expect(parseAnswer(chunked.subarray(0, cut))).toBe('incomplete');
    expect(parseAnswer(chunked)).toMatchObject({ status: 200, body: 'abcde' });
  });
});

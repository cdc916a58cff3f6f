import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { answerMalformedRequests } from './malformed-requests.js';

/** A server that answers what it can parse slowly enough for the client to still be sending. */
async function startServer(): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    res.statusCode = req.method === 'TRACE' ? 405 : 200;
    res.setHeader('content-type', 'text/plain');
    setTimeout(() => res.end(req.method === 'TRACE' ? 'method not allowed' : 'ok'), 5);
  });
  answerMalformedRequests(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface Answer {
  status: number;
  connection?: string;
  contentType?: string;
  body: string;
}

/** Node's own client, as the fuzzing of the public endpoints sends: keep-alive, body as given. */
function send(port: number, agent: http.Agent, method: string, body?: Buffer, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: '/', agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection, contentType: res.headers['content-type'], body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('requests that are not HTTP', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let agent: http.Agent;
  beforeEach(async () => {
    server = await startServer();
    agent = new http.Agent({ keepAlive: true, maxSockets: 50 });
  });
  afterEach(async () => {
    agent.destroy();
    await server.close();
  });

  it('answers an unknown method with a 70 kB body with a problem document, never a reset, 300 at once', async () => {
    const body = Buffer.alloc(70_000, 'a');
    const answers = await Promise.allSettled(
      Array.from({ length: 300 }, () => send(server.port, agent, 'FOO', body, { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(body.length) })),
    );
    const resets = answers.filter((answer) => answer.status === 'rejected').map((answer) => String((answer as PromiseRejectedResult).reason));
    expect(resets).toEqual([]);
    const first = (answers[0] as PromiseFulfilledResult<Answer>).value;
    expect(first).toMatchObject({ status: 400, connection: 'close', contentType: 'application/problem+json' });
    expect(JSON.parse(first.body)).toEqual({ type: 'about:blank', status: 400, title: 'Bad Request', detail: 'The request is not valid HTTP/1.1.' });
    for (const answer of answers) expect((answer as PromiseFulfilledResult<Answer>).value.status).toBe(400);
    // The connections were closed, not left to the keep-alive: the next request gets a new one.
    expect(await send(server.port, agent, 'GET')).toMatchObject({ status: 200, body: 'ok' });
  });

  it('answers a request whose body came without its length, then closes the connection gently', async () => {
    // Node's client sends a TRACE's body with neither Content-Length nor chunked framing: the
    // server reads those bytes as a second, broken request.
    const body = Buffer.alloc(70_000, 'a');
    for (let round = 0; round < 20; round += 1) {
      const answer = await send(server.port, agent, 'TRACE', body, { 'content-type': 'application/x-www-form-urlencoded' });
      expect(answer).toMatchObject({ status: 405, connection: 'close', body: 'method not allowed' });
      // The client was told to take a new connection, so its next request does not meet a closing one.
      expect(await send(server.port, agent, 'GET')).toMatchObject({ status: 200, body: 'ok' });
    }
  });

  it('answers headers beyond the limit with 431', async () => {
    const answer = await send(server.port, agent, 'GET', undefined, { cookie: 'x'.repeat(20_000) });
    expect(answer).toMatchObject({ status: 431, connection: 'close', contentType: 'application/problem+json' });
    expect(JSON.parse(answer.body)).toMatchObject({ status: 431, title: 'Request Header Fields Too Large' });
  });

  it('cuts a connection that goes on sending junk after its answer, within seconds', async () => {
    // Half-open: the client keeps its side open after the server's FIN, and keeps sending.
    const socket = net.connect({ port: server.port, host: '127.0.0.1', allowHalfOpen: true });
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('error', () => undefined);
    const junk = setInterval(() => socket.write('junk junk junk\r\n'), 50);
    let ended = false;
    socket.once('end', () => (ended = true));
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    clearInterval(junk);
    expect(received).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(received).toContain('Connection: close');
    // The answer came with the server's FIN; the junk that followed was read, until the cut.
    expect(ended).toBe(true);
  });

  it('leaves a connection the client already reset alone', async () => {
    const socket = net.connect(server.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write('FOO / HTTP/1.1\r\nHost: x\r\n\r\n');
    socket.resetAndDestroy();
    // The server goes on answering others.
    expect(await send(server.port, agent, 'GET')).toMatchObject({ status: 200, body: 'ok' });
  });
});

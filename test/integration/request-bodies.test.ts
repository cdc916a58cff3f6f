import net from 'node:net';
import { parseAnswer, type RawAnswer } from '../../bench/support/raw-http.js';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

/**
 * The bodies of the provider's endpoints are read by Gatehouse's input guard before the provider
 * parses them (input-guard.ts): as clients really send them. A body may arrive in pieces, chunked
 * without a length, larger than any endpoint takes, or never finish.
 */
describe('request bodies at the token endpoint', () => {
  let server: TestGatehouse;
  beforeAll(async () => {
    server = await startTestGatehouse(fullestStorage());
  });
  afterAll(async () => server?.stop());

  const basic = `Basic ${Buffer.from(`${DEMO.integration.clientId}:${DEMO.integration.secret}`).toString('base64')}`;
  const headAs = (contentType: string, extra: string) => `POST /token HTTP/1.1\r\nhost: gatehouse\r\nauthorization: ${basic}\r\ncontent-type: ${contentType}\r\n${extra}\r\n`;
  const head = (extra: string) => headAs('application/x-www-form-urlencoded', extra);

  /** Sends `parts` on one connection, `gapMs` apart, and reads the answer. */
  async function send(parts: (string | Buffer)[], gapMs = 0): Promise<RawAnswer> {
    const url = new URL(server.issuer);
    const socket = net.connect(Number(url.port), url.hostname);
    let received = Buffer.alloc(0);
    const answer = new Promise<RawAnswer>((resolve, reject) => {
      socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        const parsed = parseAnswer(received);
        if (parsed !== 'incomplete') resolve(parsed);
      });
      socket.on('error', reject);
      socket.on('close', () => reject(new Error(`closed without an answer: ${received.toString()}`)));
    });
    await new Promise((resolve) => socket.once('connect', resolve));
    for (const part of parts) {
      socket.write(part);
      if (gapMs) await new Promise((resolve) => setTimeout(resolve, gapMs));
    }
    try {
      return await answer;
    } finally {
      socket.destroy();
    }
  }

  const grant = 'grant_type=client_credentials';

  it('reads a body that arrives in pieces', async () => {
    const answer = await send([head(`content-length: ${grant.length}\r\n`), grant.slice(0, 5), grant.slice(5, 17), grant.slice(17)], 30);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).access_token).toBeTruthy();
  });

  it('reads a chunked body without a length', async () => {
    const chunk = (text: string) => `${text.length.toString(16)}\r\n${text}\r\n`;
    const answer = await send([head('transfer-encoding: chunked\r\n'), chunk(grant.slice(0, 10)), chunk(grant.slice(10)), '0\r\n\r\n'], 20);
    expect(answer.status).toBe(200);
  });

  it('refuses a body larger than any endpoint takes, declared or not, with the OAuth error', async () => {
    const large = `${grant}&padding=${'x'.repeat(60 * 1024)}`;
    for (const answer of [
      await send([head(`content-length: ${large.length}\r\n`)]),
      await send([head('transfer-encoding: chunked\r\n'), `${large.length.toString(16)}\r\n${large}\r\n0\r\n\r\n`]),
    ]) {
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toMatchObject({ error: 'invalid_request' });
    }
  });

  it('refuses a NUL byte or bytes that are not UTF-8 in the body', async () => {
    for (const body of [`${grant}&scope=%00`, Buffer.concat([Buffer.from(`${grant}&scope=`), Buffer.from([0xff, 0xfe])])]) {
      const answer = await send([head(`content-length: ${body.length}\r\n`), body]);
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toMatchObject({ error: 'invalid_request' });
    }
  });

  it('checks the body whatever the case and parameters of its Content-Type, and escapes as well as raw bytes', async () => {
    for (const contentType of ['Application/X-WWW-Form-URLEncoded; charset=UTF-8', ' application/x-www-form-urlencoded ;charset=utf-8']) {
      // %C3%28: an escape whose bytes are not UTF-8.
      for (const body of [`${grant}&scope=%00`, `${grant}&scope=%C3%28`, `${grant}&scope=a\u0000b`]) {
        const answer = await send([headAs(contentType, `content-length: ${Buffer.byteLength(body)}\r\n`), body]);
        expect(answer.status).toBe(400);
        expect(JSON.parse(answer.body)).toMatchObject({ error: 'invalid_request', error_description: 'the request contains characters that are not allowed' });
      }
      const fine = `${grant}&scope=${encodeURIComponent('openid é')}`;
      expect((await send([headAs(contentType, `content-length: ${Buffer.byteLength(fine)}\r\n`), fine])).status).not.toBe(500);
    }
  });

  it('lets clients that leave mid-body go, and goes on answering', async () => {
    const url = new URL(server.issuer);
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        const socket = net.connect(Number(url.port), url.hostname);
        await new Promise((resolve) => socket.once('connect', resolve));
        socket.write(head(`content-length: ${grant.length}\r\n`) + grant.slice(0, 8));
        await new Promise((resolve) => setTimeout(resolve, 20));
        socket.destroy();
      }),
    );
    const answer = await send([head(`content-length: ${grant.length}\r\n`), grant]);
    expect(answer.status).toBe(200);
  });
});

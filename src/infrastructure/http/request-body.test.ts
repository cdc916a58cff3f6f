import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { replaceRequestBody, requestBody } from './request-body.js';

/** What a server handling `req` reports: each reader's view, then what the provider's parser reads. */
type Handler = (req: IncomingMessage) => Promise<unknown>;

async function withServer(handler: Handler, run: (origin: string) => Promise<void>): Promise<void> {
  const server = http.createServer(async (req, res) => {
    try {
      res.end(JSON.stringify(await handler(req)));
    } catch (err) {
      res.statusCode = 500;
      res.end(JSON.stringify({ error: (err as Error).message }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** How the provider reads a body (oidc-provider's selective_body): the request's iterator, once it is readable. */
async function asTheProviderReads(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req.iterator({ destroyOnReturn: false })) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const text = (body: Buffer | 'too_large') => (body === 'too_large' ? body : body.toString('utf8'));

describe('requestBody', () => {
  it('reads the body from the socket once, however many parts ask, and hands the same bytes to the provider', async () => {
    await withServer(
      async (req) => {
        const first = await requestBody(req);
        const second = await requestBody(req);
        return { same: first === second, first: text(first), provider: await asTheProviderReads(req), readable: req.readable };
      },
      async (origin) => {
        const answer = await (await fetch(origin, { method: 'POST', body: 'token=abc&token_type_hint=access_token' })).json();
        expect(answer).toEqual({ same: true, first: 'token=abc&token_type_hint=access_token', provider: 'token=abc&token_type_hint=access_token', readable: true });
      },
    );
  });

  it('gives every later reader, and the provider, the body a part replaced, with its length', async () => {
    await withServer(
      async (req) => {
        await requestBody(req);
        replaceRequestBody(req, Buffer.from('token=rewritten'));
        return { later: text(await requestBody(req)), provider: await asTheProviderReads(req), length: req.headers['content-length'] };
      },
      async (origin) => {
        const answer = await (await fetch(origin, { method: 'POST', body: 'token=eyJ.a.b' })).json();
        expect(answer).toEqual({ later: 'token=rewritten', provider: 'token=rewritten', length: '15' });
      },
    );
  });

  it('answers too_large, to every reader, for a body declared or sent beyond 56 KiB', async () => {
    await withServer(
      async (req) => [text(await requestBody(req)), text(await requestBody(req))],
      async (origin) => {
        const big = 'x'.repeat(57 * 1024);
        expect(await (await fetch(origin, { method: 'POST', body: big })).json()).toEqual(['too_large', 'too_large']);
        // Chunked, without a length: counted as it arrives.
        const chunked = new ReadableStream({
          start(controller) {
            for (let i = 0; i < 60; i++) controller.enqueue(new TextEncoder().encode('y'.repeat(1024)));
            controller.close();
          },
        });
        const answer = await fetch(origin, { method: 'POST', body: chunked, duplex: 'half' } as RequestInit);
        expect(await answer.json()).toEqual(['too_large', 'too_large']);
      },
    );
  });

  it('keeps the bodies of 300 requests at once apart', async () => {
    await withServer(
      async (req) => {
        const body = await requestBody(req);
        return { read: text(body), provider: await asTheProviderReads(req) };
      },
      async (origin) => {
        const answers = await Promise.all(
          Array.from({ length: 300 }, async (_, i) => (await fetch(origin, { method: 'POST', body: `token=t${i}` })).json() as Promise<{ read: string; provider: string }>),
        );
        answers.forEach((answer, i) => expect(answer).toEqual({ read: `token=t${i}`, provider: `token=t${i}` }));
      },
    );
  });
});

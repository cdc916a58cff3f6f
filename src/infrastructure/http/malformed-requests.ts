import type http from 'node:http';
import type net from 'node:net';
import { problemDocument, type Problem } from './problem.js';

/** How long a refused connection is read (and what arrives discarded) before it is cut. */
const LINGER_MS = 2_000;

/**
 * Bytes that are not HTTP (an unknown method such as `FOO`, a broken header, a body after a
 * `TRACE` without its length, which reads as the next request) never reach Koa: Node's parser
 * refuses them. Node's own answer writes a bare `400` and destroys the connection at once, and
 * a connection destroyed while the client is still sending is reset: the client's kernel drops
 * the `400` it had not read yet and the client sees `ECONNRESET` instead of an answer.
 *
 * Here the answer is a problem document (as every API error of Gatehouse is), the connection is
 * closed after it (FIN, not reset), and what the client still sends is read and discarded until
 * it closes its side, for at most `LINGER_MS`, so the client reads the answer.
 */
export function answerMalformedRequests(server: http.Server): void {
  const answered = new WeakSet<net.Socket>();
  server.on('clientError', (err: NodeJS.ErrnoException, socket: net.Socket) => {
    // The parser, once broken, reports every later chunk of the connection again.
    if (answered.has(socket)) return;
    answered.add(socket);
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const pending = (socket as { _httpMessage?: http.ServerResponse | null })._httpMessage;
    // Set from the moment a response is given this connection until it has been sent.
    if (pending) {
      // A request before the broken bytes is still being answered (a TRACE whose body came
      // without its length, say): it gets its answer, then the connection closes. The broken
      // bytes were no request and get none; an answer in front of the pending one would be
      // taken for it.
      if (pending.headersSent) {
        pending.once('finish', () => closeGently(socket));
        return;
      }
      // Its answer says `Connection: close`, so the client sends nothing more on it; Node then
      // ends the connection with destroySoon(), which would cut it at once: close gently instead.
      pending.shouldKeepAlive = false;
      (socket as { destroySoon(): void }).destroySoon = () => closeGently(socket);
      return;
    }
    closeGently(socket, rawProblem(problemFor(err.code)));
  });
}

/** Ends the connection after `last` and reads on until the client closes, for at most LINGER_MS. */
function closeGently(socket: net.Socket, last?: string): void {
  if (last === undefined) socket.end();
  else socket.end(last);
  const cut = setTimeout(() => socket.destroy(), LINGER_MS);
  cut.unref();
  socket.once('close', () => clearTimeout(cut));
}

function problemFor(code: string | undefined): Problem {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, title: 'Request Header Fields Too Large', detail: 'The request headers are too large.' };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, title: 'Content Too Large', detail: 'The chunk extensions of the request body are too large.' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, title: 'Request Timeout', detail: 'The request did not arrive in time.' };
    default:
      return { status: 400, title: 'Bad Request', detail: 'The request is not valid HTTP/1.1.' };
  }
}

/** A whole HTTP response as bytes: there is no response object for a request Node could not parse. */
function rawProblem(problem: Problem): string {
  const body = JSON.stringify(problemDocument(problem));
  return [
    `HTTP/1.1 ${problem.status} ${problem.title}`,
    'Content-Type: application/problem+json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Cache-Control: no-store',
    'X-Content-Type-Options: nosniff',
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

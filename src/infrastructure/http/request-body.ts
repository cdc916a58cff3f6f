import type { IncomingMessage } from 'node:http';

// The provider refuses bodies beyond 56 KiB itself; nothing of Gatehouse's needs more.
const BODY_LIMIT = 56 * 1024;

const BODIES = new WeakMap<IncomingMessage, Promise<Buffer | 'too_large'>>();

/**
 * The body of a request to one of the provider's endpoints, read from the socket once however
 * many parts ask for it (the input guard, the rewrites of introspection, revocation and public
 * clients' token requests), and handed on to the provider's own parser as read, or as a part
 * replaced it (`replaceRequestBody`). Reading it again from the stream, and building a new
 * stream for each rewrite, cost an introspection about 7 % of its CPU (measured).
 */
export function requestBody(req: IncomingMessage): Promise<Buffer | 'too_large'> {
  let body = BODIES.get(req);
  if (!body) {
    body = readBounded(req).then((bytes) => {
      if (bytes !== 'too_large') replay(req, bytes);
      return bytes;
    });
    BODIES.set(req, body);
  }
  return body;
}

/** What the provider (and every later reader) reads instead of the body that was sent. */
export function replaceRequestBody(req: IncomingMessage, bytes: Buffer): void {
  BODIES.set(req, Promise.resolve(bytes));
  req.headers['content-length'] = String(bytes.length);
  replay(req, bytes);
}

/**
 * The body, read from the request's own events: a form of a few hundred bytes has usually
 * arrived with the headers, and an async iterator over the stream cost several times the read.
 */
function readBounded(req: IncomingMessage): Promise<Buffer | 'too_large'> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > BODY_LIMIT) return Promise.resolve('too_large');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const stop = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > BODY_LIMIT) {
        stop();
        req.pause();
        resolve('too_large');
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received));
    };
    const onError = (err: Error) => {
      stop();
      reject(err);
    };
    // A client that goes away mid-body: nothing to answer.
    const onClose = () => onError(new Error('the request closed before its body arrived'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/**
 * Lets the provider read the body it would have read from the socket: its parser iterates the
 * request once it is readable, so the request answers it with these bytes.
 */
function replay(req: IncomingMessage, body: Buffer): void {
  Object.defineProperty(req, 'readable', { value: true, configurable: true });
  // `for await` takes a plain iterator too: no async generator per request.
  const chunks = body.length ? [body] : [];
  Object.defineProperty(req, 'iterator', { configurable: true, value: () => chunks.values() });
}

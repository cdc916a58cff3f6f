import net from 'node:net';

/** What the bench reads of an answer. Header names are in lower case; repeated ones as arrays. */
export interface RawAnswer {
  status: number;
  body: string;
  headers: Record<string, string | string[]>;
}

export interface RawRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string | number | string[] | undefined>;
  body?: string | Buffer;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * One keep-alive HTTP/1.1 connection that sends a request and waits for its answer, one at a
 * time: what a load generator needs and no more. node:http's client (agents, streams, a parser
 * object per answer) cost the paced load several hundred microseconds of CPU per request on two
 * shared cores, about three times autocannon's; that CPU and the pauses it brings were taken
 * from the server under test and counted in its latency. Here a request is one write and an
 * answer one parse of the bytes received.
 *
 * The connection opens on the first request and again after the server closed it or a request
 * failed (an error, `timeoutMs` without an answer): the failed request is rejected, never retried.
 */
export class RawHttpConnection {
  private socket?: net.Socket;
  private received: Buffer[] = [];
  private pending?: { resolve: (answer: RawAnswer) => void; reject: (error: Error) => void; timer: NodeJS.Timeout };

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly timeoutMs: number,
  ) {}

  request(request: RawRequest): Promise<RawAnswer> {
    if (this.pending) return Promise.reject(new Error('a request is already under way on this connection'));
    const socket = this.socket ?? this.connect();
    return new Promise<RawAnswer>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new Error('timeout')), this.timeoutMs);
      this.pending = { resolve, reject, timer };
      socket.write(serialize(this.host, this.port, request));
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private connect(): net.Socket {
    const socket = net.connect({ host: this.host, port: this.port, noDelay: true });
    this.received = [];
    // A connection given up (closed after an answer, or after a failure) may still report its
    // end: only the current one speaks for the request under way.
    socket.on('data', (chunk: Buffer) => this.socket === socket && this.onData(chunk));
    socket.on('error', (error) => this.socket === socket && this.fail(error));
    socket.on('close', () => {
      if (this.socket !== socket) return;
      // Closed while idle (the server's keep-alive timeout): the next request opens another.
      this.socket = undefined;
      this.fail(new Error('connection closed before the answer'));
    });
    this.socket = socket;
    return socket;
  }

  private onData(chunk: Buffer): void {
    this.received.push(chunk);
    if (!this.pending) return;
    const bytes = this.received.length === 1 ? this.received[0]! : Buffer.concat(this.received);
    const answer = parseAnswer(bytes);
    if (answer === 'incomplete') {
      this.received = [bytes];
      return;
    }
    this.received = [];
    const { resolve, timer } = this.pending;
    clearTimeout(timer);
    this.pending = undefined;
    if (answer.headers.connection === 'close') this.close();
    resolve(answer);
  }

  private fail(error: Error): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    clearTimeout(pending.timer);
    this.close();
    pending.reject(error);
  }
}

function serialize(host: string, port: number, request: RawRequest): Buffer {
  const body = request.body === undefined ? undefined : Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body);
  let head = `${request.method ?? 'GET'} ${request.path ?? '/'} HTTP/1.1\r\nhost: ${host}:${port}\r\n`;
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (value === undefined || name.toLowerCase() === 'content-length' || name.toLowerCase() === 'host') continue;
    for (const one of Array.isArray(value) ? value : [value]) head += `${name}: ${one}\r\n`;
  }
  if (body) head += `content-length: ${body.length}\r\n`;
  head += '\r\n';
  return body ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : Buffer.from(head, 'latin1');
}

/** The answer at the start of `bytes`, or 'incomplete' while more must arrive. */
export function parseAnswer(bytes: Buffer): RawAnswer | 'incomplete' {
  const headEnd = bytes.indexOf(HEADER_END);
  if (headEnd < 0) return 'incomplete';
  const lines = bytes.toString('latin1', 0, headEnd).split('\r\n');
  const status = Number(lines[0]!.split(' ')[1]);
  const headers: Record<string, string | string[]> = {};
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const seen = headers[name];
    headers[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  const bodyStart = headEnd + HEADER_END.length;
  if (typeof headers['transfer-encoding'] === 'string' && headers['transfer-encoding'].toLowerCase().includes('chunked')) {
    const body = dechunk(bytes, bodyStart);
    return body === 'incomplete' ? body : { status, headers, body };
  }
  // 1xx, 204 and 304 have no body; every other answer of the servers measured has a length.
  const length = status === 204 || status === 304 || (status >= 100 && status < 200) ? 0 : Number(headers['content-length'] ?? 0);
  if (bytes.length < bodyStart + length) return 'incomplete';
  return { status, headers, body: bytes.toString('utf8', bodyStart, bodyStart + length) };
}

function dechunk(bytes: Buffer, from: number): string | 'incomplete' {
  const parts: Buffer[] = [];
  let at = from;
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', at);
    if (lineEnd < 0) return 'incomplete';
    const size = parseInt(bytes.toString('latin1', at, lineEnd), 16);
    if (Number.isNaN(size)) throw new Error('malformed chunked answer');
    const dataStart = lineEnd + 2;
    if (size === 0) {
      // The last chunk, then (no trailers here) the empty line.
      return bytes.indexOf('\r\n', dataStart) < 0 ? 'incomplete' : Buffer.concat(parts).toString('utf8');
    }
    if (bytes.length < dataStart + size + 2) return 'incomplete';
    parts.push(bytes.subarray(dataStart, dataStart + size));
    at = dataStart + size + 2;
  }
}

import type http from 'node:http';
import net from 'node:net';

/** A connection idle this long is not between two requests of a busy client: it may be closed. */
const IDLE_BEFORE_CLOSE_MS = 250;
const CHECK_EVERY_MS = 50;

export interface DrainOutcome {
  /** Requests still unanswered at the deadline, whose connections were cut. */
  cut: number;
}

interface ConnectionState {
  inFlight: number;
  idleSince: number;
}

/**
 * Stops an HTTP server without dropping a request. A keep-alive client sends its next request
 * the moment the previous answer arrives; closing its connection then (what a plain
 * `server.close()` does to every connection idle at that instant) resets that request before
 * any server saw it. So on `drain`:
 * - no new connections are accepted (a load balancer or client retries elsewhere);
 * - every response still to be written, and every request still to come on an open connection,
 *   is answered with `Connection: close`, so the client knows to reconnect (elsewhere) for the
 *   next one instead of finding its connection gone;
 * - a connection idle long enough that no request is on its way is closed;
 * - at the deadline whatever is left is cut.
 */
export class ConnectionDrain {
  private draining = false;
  private readonly connections = new Map<net.Socket, ConnectionState>();
  private readonly responses = new Set<http.ServerResponse>();

  constructor(private readonly server: http.Server) {
    server.on('connection', (socket: net.Socket) => {
      this.connections.set(socket, { inFlight: 0, idleSince: Date.now() });
      socket.once('close', () => this.connections.delete(socket));
    });
    server.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
      const state = this.connections.get(request.socket);
      if (state) state.inFlight += 1;
      this.responses.add(response);
      if (this.draining) closeAfter(response);
      response.once('close', () => {
        this.responses.delete(response);
        if (state) {
          state.inFlight -= 1;
          state.idleSince = Date.now();
        }
      });
    });
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /** Resolves once every connection is closed, or at `deadline` (epoch ms) after cutting the rest. */
  async drain(deadline: number): Promise<DrainOutcome> {
    this.draining = true;
    for (const response of this.responses) closeAfter(response);
    // net.Server's own close: stops listening without http.Server's closeIdleConnections(),
    // which would reset requests already on their way on momentarily idle connections.
    const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(this.server, () => resolve()));
    let done = false;
    void closed.then(() => (done = true));
    while (!done && Date.now() < deadline) {
      const now = Date.now();
      for (const [socket, state] of this.connections) {
        if (state.inFlight === 0 && now - state.idleSince >= IDLE_BEFORE_CLOSE_MS) socket.destroy();
      }
      await Promise.race([closed, sleep(Math.min(CHECK_EVERY_MS, Math.max(0, deadline - now)))]);
    }
    let cut = 0;
    if (!done) {
      for (const state of this.connections.values()) cut += state.inFlight;
      this.server.closeAllConnections();
      await closed;
    }
    return { cut };
  }
}

function closeAfter(response: http.ServerResponse): void {
  if (!response.headersSent) response.setHeader('Connection', 'close');
  else response.once('finish', () => response.socket?.end());
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

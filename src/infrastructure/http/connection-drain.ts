import type http from 'node:http';
import net from 'node:net';

/**
 * A connection idle this long is not between two requests of a busy client, and no request sent
 * before the drain began can still be waiting unread in it: it may be closed. A quarter of a
 * second was too short: a client on a starved machine (a CI run's test process beside the other
 * suites) sent its next request on a connection idle that long and met the close as a reset.
 */
const IDLE_BEFORE_CLOSE_MS = 1_000;
/** No connection open and none new for this long: the load balancer has stopped sending. */
const QUIET_BEFORE_UNLISTEN_MS = 250;
const CHECK_EVERY_MS = 25;

export interface DrainOutcome {
  /** Requests still unanswered at the deadline, whose connections were cut. */
  cut: number;
}

interface ConnectionState {
  inFlight: number;
  idleSince: number;
}

/**
 * Stops an HTTP server without dropping a request. A plain `server.close()` closes every
 * connection idle at that instant, which resets a keep-alive client's next request already on
 * its way, and closing the listening socket resets the connections the kernel accepted but the
 * server had not taken yet. So on `drain`:
 * - every response still to be written, and every request still to come on an open connection
 *   (old or new), is answered with `Connection: close`: the client (or load balancer) takes its
 *   next request elsewhere instead of finding its connection gone;
 * - a connection idle long enough that no request is on its way is closed;
 * - the server stops listening once no connection is open and none has come for a moment (the
 *   load balancer has taken it out), then resolves;
 * - at the deadline whatever is left is cut.
 */
export class ConnectionDrain {
  private draining = false;
  private lastAcceptAt = 0;
  private readonly connections = new Map<net.Socket, ConnectionState>();
  private readonly responses = new Set<http.ServerResponse>();

  constructor(private readonly server: http.Server) {
    server.on('connection', (socket: net.Socket) => {
      this.lastAcceptAt = Date.now();
      this.connections.set(socket, { inFlight: 0, idleSince: this.lastAcceptAt });
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

  /** Resolves once the server no longer listens and every connection is closed, or at `deadline` (epoch ms) after cutting the rest. */
  async drain(deadline: number): Promise<DrainOutcome> {
    this.draining = true;
    const startedAt = Date.now();
    for (const response of this.responses) closeAfter(response);
    let listening = true;
    let unlistened: Promise<void> = Promise.resolve();
    // net.Server's own close: stops listening without http.Server's closeIdleConnections().
    const unlisten = () => {
      listening = false;
      unlistened = new Promise<void>((resolve) => net.Server.prototype.close.call(this.server, () => resolve()));
    };
    while (Date.now() < deadline) {
      const now = Date.now();
      for (const [socket, state] of this.connections) {
        // Idle counted from the drain's start at the earliest: a request sent just before it
        // may still wait in the socket, unread, on a connection that looks idle.
        if (state.inFlight === 0 && now - Math.max(state.idleSince, startedAt) >= IDLE_BEFORE_CLOSE_MS) socket.destroy();
      }
      if (listening && this.connections.size === 0 && now - Math.max(this.lastAcceptAt, startedAt) >= QUIET_BEFORE_UNLISTEN_MS) unlisten();
      if (!listening && this.connections.size === 0) break;
      await sleep(Math.min(CHECK_EVERY_MS, Math.max(1, deadline - now)));
    }
    let cut = 0;
    if (listening) unlisten();
    if (this.connections.size) {
      for (const state of this.connections.values()) cut += state.inFlight;
      this.server.closeAllConnections();
    }
    await unlistened;
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

import net from 'node:net';

/**
 * - `pass`: bytes go both ways untouched;
 * - `drop-answers`: requests reach the server, but its answer never reaches the client, whose
 *   connection is cut the moment the answer comes (a mobile network losing the response to a
 *   request that succeeded);
 * - `hold-answers`: the same, but the connection stays open and silent (the client times out).
 */
export type ProxyMode = 'pass' | 'drop-answers' | 'hold-answers';

/** A TCP proxy on a free loopback port in front of `targetPort`, whose faults the caller controls. */
export class TcpProxy {
  mode: ProxyMode = 'pass';
  /** Connections whose answer was dropped or held so far. */
  answersLost = 0;
  private readonly pairs = new Set<{ client: net.Socket; upstream: net.Socket; lost: boolean }>();

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<TcpProxy> {
    let proxy: TcpProxy | undefined;
    const server = net.createServer((client) => proxy!.accept(client, targetPort));
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
    });
    proxy = new TcpProxy(server, port);
    return proxy;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Cuts every connection through the proxy now (both sides see a reset). */
  cutAll(): void {
    for (const { client, upstream } of this.pairs) {
      client.resetAndDestroy();
      upstream.resetAndDestroy();
    }
    this.pairs.clear();
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket, targetPort: number): void {
    const upstream = net.connect(targetPort, '127.0.0.1');
    const pair = { client, upstream, lost: false };
    this.pairs.add(pair);
    const forget = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', forget).on('close', forget);
    upstream.on('error', forget).on('close', forget);
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      if (this.mode === 'pass') {
        client.write(chunk);
        return;
      }
      if (!pair.lost) this.answersLost += 1;
      pair.lost = true;
      if (this.mode === 'drop-answers') {
        client.resetAndDestroy();
        upstream.destroy();
      }
      // hold-answers: swallowed; the client waits until it gives up.
    });
  }
}

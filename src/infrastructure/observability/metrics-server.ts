import http from 'node:http';
import type { Logger } from './logger.js';

/** What the server answers with: the text exposition and its content type. */
export interface MetricsCollector {
  contentType: string;
  collect(): Promise<string>;
}

/**
 * `GET /metrics` on its own port (METRICS_PORT), apart from the public one: no ingress route,
 * Service or mistake in a proxy's path rules can publish the figures, and the NetworkPolicy can
 * let only Prometheus reach it. Nothing else is served here.
 */
export async function startMetricsServer(metrics: MetricsCollector, port: number, logger: Logger): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Only GET /metrics is served on this port\n');
      return;
    }
    metrics.collect().then(
      (text) => res.writeHead(200, { 'content-type': metrics.contentType }).end(req.method === 'HEAD' ? undefined : text),
      (err: unknown) => {
        logger.error({ err }, 'could not collect metrics');
        res.writeHead(500, { 'content-type': 'text/plain' }).end('Metrics could not be collected\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`METRICS_PORT: port ${port} is already in use (set METRICS_PORT to a free port)`) : err),
    );
    server.listen(port, resolve);
  });
  // Scrapers keep connections open; they must not hold up a shutdown.
  server.keepAliveTimeout = 5_000;
  return server;
}

import { Router } from '@koa/router';

export interface ReadinessCheck {
  name: string;
  check(): Promise<unknown>;
  /**
   * Reported but not required: Gatehouse serves without it (Redis, whose work PostgreSQL takes
   * over). Taking every replica out of service because Redis is away would turn a slowdown into
   * an outage.
   */
  optional?: boolean;
}

export interface Readiness {
  checks: ReadinessCheck[];
  /** True once the process is shutting down: it must get no new traffic. */
  draining(): boolean;
}

/** /healthz: the process is alive. /readyz: its databases answer and it is not stopping, so it may take traffic. */
export function createHealthRouter(readiness: Readiness): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    if (readiness.draining()) {
      ctx.status = 503;
      ctx.body = { status: 'stopping', checks: {} };
      return;
    }
    const results = await Promise.all(
      readiness.checks.map(async ({ name, check, optional }) => {
        try {
          await withTimeout(check(), 2_000);
          return [name, 'ok', optional] as const;
        } catch {
          return [name, 'unavailable', optional] as const;
        }
      }),
    );
    const ready = results.every(([, state, optional]) => state === 'ok' || optional);
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(results.map(([name, state]) => [name, state])) };
  });
  return router;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms)))]).finally(() => clearTimeout(timer));
}

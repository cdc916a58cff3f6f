import type { Logger } from '../../infrastructure/observability/logger.js';
import type { ExpiredDataCleanup } from './expired-data-cleanup.js';

export interface CleanupSchedule {
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

/**
 * Runs the cleanup every `everyMs` (first after a random part of it, so replicas started
 * together spread out). The timer is unref'd: it never keeps the process alive, and a failed
 * run is logged and retried at the next tick.
 */
export function scheduleCleanup(cleanup: ExpiredDataCleanup, logger: Logger, everyMs = 60 * 60 * 1000): CleanupSchedule {
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout;
  const tick = () => {
    if (running) return;
    running = cleanup
      .run()
      .then((report) => {
        if (Object.values(report).some((n) => n > 0)) logger.info({ deleted: report }, 'expired data cleaned up');
      })
      .catch((err: unknown) => logger.warn({ err }, 'expired data cleanup failed'))
      .finally(() => {
        running = undefined;
      });
  };
  const first = setTimeout(() => {
    tick();
    timer = setInterval(tick, everyMs);
    timer.unref();
  }, Math.floor(Math.random() * everyMs));
  first.unref();
  return {
    async stop() {
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}

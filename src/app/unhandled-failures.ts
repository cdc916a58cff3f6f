import type { Logger } from '../infrastructure/observability/logger.js';

/**
 * A promise rejected with nobody to handle it, or an exception nothing caught, is a bug. Node's
 * default ends the process on the spot and cuts every request in flight on it (a sign-in's form
 * post, an app's refresh: the app sees a reset and cannot tell whether its token was rotated).
 * Instead the failure is logged as JSON like every other line, and the process drains as on
 * SIGTERM and exits with 1: requests under way finish, new connections go to the other
 * processes (a cluster's primary starts a replacement) or wait for the restart.
 */
export function drainOnUnhandledFailures(logger: Logger, drain: (exitCode: number) => void, target: NodeJS.EventEmitter = process): void {
  target.on('unhandledRejection', (reason: unknown) => {
    logger.fatal({ err: reason }, 'a promise failed and nothing handled it (a bug): draining and stopping this process');
    drain(1);
  });
  target.on('uncaughtException', (err: Error) => {
    logger.fatal({ err }, 'an error reached the top of the process (a bug): draining and stopping this process');
    drain(1);
  });
}

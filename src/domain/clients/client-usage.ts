import type { Logger } from '../../infrastructure/observability/logger.js';
import type { ClientRepository } from './client.repository.js';
import type { RunInBackground } from '../../infrastructure/lifecycle/background-tasks.js';

const WRITE_AT_MOST_EVERY_MS = 60_000;

/**
 * Last-used times of clients and their secrets. Successful client authentications happen on the
 * hottest path, so writes are coalesced: at most one a minute per client and secret, never
 * awaited by the request.
 */
export class ClientUsageRecorder {
  private readonly lastWrite = new Map<string, number>();

  constructor(
    private readonly clients: ClientRepository,
    private readonly logger: Logger,
    private readonly background: RunInBackground,
  ) {}

  record(clientId: string, usedPrevious: boolean): void {
    const key = `${clientId}:${usedPrevious ? 'previous' : 'current'}`;
    const now = Date.now();
    if ((this.lastWrite.get(key) ?? 0) > now - WRITE_AT_MOST_EVERY_MS) return;
    if (this.lastWrite.size > 50_000) this.lastWrite.clear();
    this.lastWrite.set(key, now);
    this.background(
      this.clients.recordUse(clientId, usedPrevious, new Date(now)).catch((err: unknown) => {
        this.logger.warn({ err, clientId }, 'could not record client use');
      }),
    );
  }
}

import type { Knex } from 'knex';
import { deleteInBatches } from '../../infrastructure/storage/batched-delete.js';
import type { ArtifactRepository, ExpiredArtifacts } from '../sessions/artifact.repository.js';
import { effectiveSettings } from '../tenants/tenant-settings.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Events of no tenant (unknown usernames, operator-owned clients) are kept like the default. */
const DEFAULT_RETENTION_DAYS = effectiveSettings({}).events.retention_days;
/** Finished or abandoned password resets are kept a day for support, then go. */
const RECOVERY_FLOW_GRACE_MS = DAY_MS;
/** A message still queued after this long lost its job (every retry ends within minutes). */
const MESSAGE_GIVE_UP_MS = DAY_MS;

export interface CleanupReport extends ExpiredArtifacts {
  events: number;
  ephemeral_marks: number;
  /** Sessions of Gatehouse's own web apps (the account page) past their idle expiry. */
  first_party_sessions: number;
  rate_limits: number;
  recovery_flows: number;
  messages: number;
}

/** The instant before which a tenant's events expire. */
export function retentionCutoff(retentionDays: number, now: Date): Date {
  return new Date(now.getTime() - retentionDays * DAY_MS);
}

/**
 * Deletes what has outlived its use: events past their tenant's `events.retention_days`, and
 * expired rows of the tables whose readers already ignore them (provider artifacts including
 * refresh-token tombstones, short-lived marks, rate-limit counters without Redis, password
 * resets). Idempotent, so replicas running it at once only share the work.
 */
export class ExpiredDataCleanup {
  constructor(
    private readonly knex: Knex,
    private readonly artifacts: ArtifactRepository,
  ) {}

  async run(now = new Date()): Promise<CleanupReport> {
    return {
      events: await this.expireEvents(now),
      ...(await this.artifacts.deleteExpired(now)),
      ephemeral_marks: await this.inBatches('ephemeral_marks', (q) => q.where('expires_at', '<', now)),
      first_party_sessions: await this.inBatches('first_party_sessions', (q) => q.where('expires_at', '<', now)),
      // rate-limiter-flexible keeps `expire` as epoch milliseconds; NULL means never.
      rate_limits: await this.inBatches('rate_limits', (q) => q.where('expire', '<', now.getTime())),
      recovery_flows: await this.inBatches('recovery_flows', (q) => q.where('expires_at', '<', new Date(now.getTime() - RECOVERY_FLOW_GRACE_MS))),
      messages: await this.expireMessages(now),
    };
  }

  /**
   * Messages are kept as long as events (support reads both); one still queued a day later is
   * failed, and its payload (a code, a password) forgotten.
   */
  private async expireMessages(now: Date): Promise<number> {
    await this.knex('messages')
      .where('status', 'queued')
      .andWhere('created_at', '<', new Date(now.getTime() - MESSAGE_GIVE_UP_MS))
      .update({ status: 'failed', reason: 'Gatehouse: not sent within a day', payload: null, final_at: now, updated_at: now });
    return this.inBatches('messages', (q) => q.where('created_at', '<', retentionCutoff(DEFAULT_RETENTION_DAYS, now)));
  }

  /** Each tenant keeps its events for its own retention, read through the settings defaults. */
  private async expireEvents(now: Date): Promise<number> {
    let deleted = await this.inBatches('events', (q) => q.whereNull('tenant_id').andWhere('at', '<', retentionCutoff(DEFAULT_RETENTION_DAYS, now)));
    const tenants = await this.knex('tenants').select<{ id: string; settings: unknown }[]>('id', 'settings');
    for (const tenant of tenants) {
      const cutoff = retentionCutoff(effectiveSettings(tenant.settings).events.retention_days, now);
      deleted += await this.inBatches('events', (q) => q.where('tenant_id', tenant.id).andWhere('at', '<', cutoff));
    }
    return deleted;
  }

  private inBatches(table: string, where: (query: Knex.QueryBuilder) => Knex.QueryBuilder): Promise<number> {
    return deleteInBatches(this.knex, table, where);
  }
}

import type { Knex } from 'knex';
import type { Position } from '../../infrastructure/storage/keyset.js';
import type { Actor, EventType } from './event-types.js';

export interface EventRecord {
  id: number;
  at: Date;
  type: EventType;
  tenant_id: string | null;
  user_id: string | null;
  client_id: string | null;
  client_kind: string | null;
  ip: string | null;
  user_agent: string | null;
  reason: string | null;
  actor: Actor | null;
  details: Record<string, unknown> | null;
  /** The X-Request-Id of the request that recorded it (its log lines carry the same). */
  request_id?: string | null;
}

export interface EventFilter {
  tenantId?: string;
  userId?: string;
  clientId?: string;
  /** One type, or a family ending in `.*` (`admin.*`). */
  type?: string;
  since?: Date;
}

/**
 * Reads the event log (written by EventLog). Lists run newest first on (at, id), matching the
 * indexes of migrations/…_event_indexes, and continue after a cursor of the same pair. `at` is
 * always written from a JS Date, so the millisecond a cursor carries is exact.
 */
export class EventRepository {
  constructor(private readonly knex: Knex) {}

  /** One page, newest first; one row more than `limit` tells whether another page follows. */
  async newest(filter: EventFilter, page: { limit: number; before?: Position }): Promise<EventRecord[]> {
    const query = this.filtered(filter).orderBy([{ column: 'at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(page.limit + 1);
    if (page.before) query.whereRaw('(at, id) < (?::timestamptz, ?::bigint)', [page.before.at, page.before.id]);
    return query;
  }

  /** A user's events since `since`, newest first, at most `limit` (what the diagnosis reads). */
  async ofUser(userId: string, since: Date, limit: number): Promise<EventRecord[]> {
    return this.filtered({ userId, since }).orderBy([{ column: 'at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(limit);
  }

  /** A client's events of the given types since `since`, newest first. */
  async ofClient(clientId: string, types: readonly EventType[], since: Date, limit: number): Promise<EventRecord[]> {
    return this.filtered({ clientId, since }).whereIn('type', types).orderBy([{ column: 'at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(limit);
  }

  /**
   * Refused sign-ins through the tenant's own provider that no Gatehouse user was found for, as
   * the upstream named the person (`details.upstream_username`), newest first.
   */
  async ssoRefusalsNaming(tenantId: string, identifiers: string[], since: Date, limit: number): Promise<EventRecord[]> {
    if (identifiers.length === 0) return [];
    return this.filtered({ tenantId, since, type: 'sso.refused' })
      .whereNull('user_id')
      .whereRaw(`lower(details->>'upstream_username') = any(?)`, [identifiers.map((identifier) => identifier.toLowerCase())])
      .orderBy([{ column: 'at', order: 'desc' }, { column: 'id', order: 'desc' }])
      .limit(limit);
  }

  /** Addresses a user failed to sign in from since `since` (the lockout counters cannot list them). */
  async failureIps(userId: string, since: Date): Promise<string[]> {
    const rows = await this.knex('events')
      .distinct('ip')
      .where('user_id', userId)
      .andWhere('at', '>=', since)
      .whereIn('type', ['login.failed', 'account.locked', 'mfa.failed'])
      .whereNotNull('ip')
      .limit(100);
    return rows.map((row: { ip: string }) => row.ip);
  }

  /** `failureIps` of many users in one statement (a page of the admin search). */
  async failureIpsOfMany(userIds: readonly string[], since: Date): Promise<Map<string, string[]>> {
    const byUser = new Map<string, string[]>(userIds.map((id) => [id, []]));
    if (!userIds.length) return byUser;
    const rows: { user_id: string; ip: string }[] = await this.knex('events')
      .distinct('user_id', 'ip')
      .whereIn('user_id', userIds as string[])
      .andWhere('at', '>=', since)
      .whereIn('type', ['login.failed', 'account.locked', 'mfa.failed'])
      .whereNotNull('ip')
      .limit(100 * userIds.length);
    for (const row of rows) byUser.get(row.user_id)?.push(row.ip);
    return byUser;
  }

  private filtered(filter: EventFilter) {
    const query = this.knex<EventRecord>('events').select('*');
    if (filter.tenantId) query.where('tenant_id', filter.tenantId);
    if (filter.userId) query.where('user_id', filter.userId);
    if (filter.clientId) query.where('client_id', filter.clientId);
    if (filter.type?.endsWith('.*')) query.where('type', 'like', `${filter.type.slice(0, -2).replace(/[\\%_]/g, (c) => `\\${c}`)}.%`);
    else if (filter.type) query.where('type', filter.type);
    if (filter.since) query.where('at', '>=', filter.since);
    return query;
  }
}

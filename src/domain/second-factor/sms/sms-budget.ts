import type { Knex } from 'knex';
import type { TenantRecord } from '../../tenants/tenant.js';

export interface SmsUsage {
  month: string;
  sent: number;
  budget: number;
  remaining: number;
}

/** "2026-11": budgets count per calendar month, UTC. */
export function monthOf(date: Date): string {
  return date.toISOString().slice(0, 7);
}

/**
 * Each tenant's SMS count for the month against `sms.monthly_budget`. Taking one is a single
 * conditional upsert, so replicas sending at once can never overshoot the budget.
 */
export class SmsBudget {
  constructor(private readonly knex: Knex) {}

  /** Takes one SMS from the budget; false when it is spent. `crossedAlert` is true once a month, at 80 %. */
  async take(tenantId: string, budget: number, now: Date): Promise<{ allowed: boolean; sent: number; crossedAlert: boolean }> {
    const month = monthOf(now);
    const { rows } = await this.knex.raw<{ rows: { sent: number }[] }>(
      `INSERT INTO sms_usage (tenant_id, month, sent) SELECT ?, ?, 1 WHERE ? > 0
       ON CONFLICT (tenant_id, month) DO UPDATE SET sent = sms_usage.sent + 1 WHERE sms_usage.sent < ?
       RETURNING sent`,
      [tenantId, month, budget, budget],
    );
    if (rows.length === 0) {
      await this.knex('sms_usage').where({ tenant_id: tenantId, month }).whereNull('exhausted_at').update({ exhausted_at: now });
      return { allowed: false, sent: budget, crossedAlert: false };
    }
    const sent = Number(rows[0]!.sent);
    let crossedAlert = false;
    if (sent >= Math.ceil(budget * 0.8)) {
      // Exactly one request wins the alert.
      crossedAlert = (await this.knex('sms_usage').where({ tenant_id: tenantId, month }).whereNull('alerted_at').update({ alerted_at: now })) === 1;
    }
    return { allowed: true, sent, crossedAlert };
  }

  /** This month's usage of a tenant against its own budget (the admin API, the diagnosis). */
  async usage(tenant: Pick<TenantRecord, 'id' | 'settings'>, now: Date): Promise<SmsUsage & { exhausted_at: Date | null }> {
    const budget = tenant.settings.sms.monthly_budget;
    const month = monthOf(now);
    const row = await this.knex('sms_usage').where({ tenant_id: tenant.id, month }).first<{ sent: number; exhausted_at: Date | null } | undefined>();
    const sent = Number(row?.sent ?? 0);
    return { month, sent, budget, remaining: Math.max(0, budget - sent), exhausted_at: row?.exhausted_at ?? (sent >= budget ? now : null) };
  }

  /** Every tenant that sent SMS this month, with its budget (what the metrics report). */
  async useThisMonth(now: Date, tenants: { findByIds(ids: string[]): Promise<TenantRecord[]> }): Promise<{ tenant_id: string; tenant: string; sent: number; budget: number }[]> {
    const rows = await this.knex('sms_usage').where({ month: monthOf(now) }).select<{ tenant_id: string; sent: number }[]>('tenant_id', 'sent');
    const byId = new Map((await tenants.findByIds(rows.map((row) => row.tenant_id))).map((tenant) => [tenant.id, tenant]));
    return rows.flatMap((row) => {
      const tenant = byId.get(row.tenant_id);
      return tenant ? [{ tenant_id: tenant.id, tenant: tenant.slug, sent: Number(row.sent), budget: tenant.settings.sms.monthly_budget }] : [];
    });
  }
}

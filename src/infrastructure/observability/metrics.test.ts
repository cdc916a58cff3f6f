import { Metrics } from './metrics.js';

async function series(metrics: Metrics, name: string): Promise<{ labels: Record<string, string | number>; value: number }[]> {
  const metric = metrics.registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  return (await metric.get()).values.map(({ labels, value }) => ({ labels: labels as Record<string, string | number>, value }));
}

describe('Metrics fed from events', () => {
  it('counts sign-ins, second-factor steps, token refusals and lockouts by client kind and reason', async () => {
    const metrics = new Metrics({ version: '1.2.3', revision: 'abc' });
    metrics.observeEvent({ type: 'login.failed', client_kind: 'mobile', reason: 'wrong_password' });
    metrics.observeEvent({ type: 'login.failed', client_kind: 'mobile', reason: 'wrong_password' });
    metrics.observeEvent({ type: 'login.succeeded', client_kind: 'web', reason: 'password' });
    metrics.observeEvent({ type: 'mfa.code_sent', client_kind: 'web' });
    metrics.observeEvent({ type: 'token.refresh_denied', client_kind: 'mobile', reason: 'replayed' });
    metrics.observeEvent({ type: 'client.auth_failed', client_kind: 'integration', reason: 'client_secret_expired' });
    metrics.observeEvent({ type: 'account.locked', reason: 'username_ip', details: { cause: 'password' } });
    metrics.observeEvent({ type: 'login.failed', client_kind: null, reason: 'a reason with spaces' });

    expect(await series(metrics, 'gatehouse_sign_ins_total')).toEqual(
      expect.arrayContaining([
        { labels: { outcome: 'failed', client_kind: 'mobile', reason: 'wrong_password' }, value: 2 },
        { labels: { outcome: 'succeeded', client_kind: 'web', reason: 'password' }, value: 1 },
        // Odd label values are folded, so a label never carries free text.
        { labels: { outcome: 'failed', client_kind: 'none', reason: 'other' }, value: 1 },
      ]),
    );
    expect(await series(metrics, 'gatehouse_second_factor_total')).toEqual([{ labels: { outcome: 'code_sent', client_kind: 'web', reason: 'none' }, value: 1 }]);
    expect(await series(metrics, 'gatehouse_token_refusals_total')).toEqual(
      expect.arrayContaining([
        { labels: { grant: 'refresh_token', client_kind: 'mobile', reason: 'replayed' }, value: 1 },
        { labels: { grant: 'client_authentication', client_kind: 'integration', reason: 'client_secret_expired' }, value: 1 },
      ]),
    );
    expect(await series(metrics, 'gatehouse_lockouts_total')).toEqual([{ labels: { scope: 'username_ip', cause: 'password' }, value: 1 }]);
    expect((await series(metrics, 'gatehouse_events_recorded_total')).find((s) => s.labels.type === 'login.failed')?.value).toBe(3);
    expect(await series(metrics, 'gatehouse_build_info')).toEqual([{ labels: { version: '1.2.3', revision: 'abc', node_version: process.version }, value: 1 }]);
  });

  it('leaves probes out of the request histogram', async () => {
    const metrics = new Metrics();
    metrics.observeRequest({ route: '/readyz', method: 'GET', status: 503, seconds: 0.01 });
    metrics.observeRequest({ route: '/healthz', method: 'GET', status: 200, seconds: 0.01 });
    metrics.observeRequest({ route: '/token', method: 'POST', status: 200, seconds: 0.02 });
    metrics.observeRequest({ route: '/token', method: 'BREW', status: 405, seconds: 0.02 });
    const histogram = (await metrics.registry.getSingleMetric('gatehouse_http_request_duration_seconds')!.get()).values;
    const counts = histogram.filter((s) => (s as { metricName?: string }).metricName === 'gatehouse_http_request_duration_seconds_count');
    const routes = new Set(counts.map((s) => s.labels.route));
    expect([...routes].sort()).toEqual(['/token']);
    expect(counts.some((s) => s.labels.method === 'other' && s.labels.status === '405')).toBe(true);
  });

  it('reports each tenant\'s SMS budget use from one read per scrape, and keeps the last figures when a read fails', async () => {
    const metrics = new Metrics();
    let reads = 0;
    let fail = false;
    const logged: unknown[] = [];
    metrics.watchSmsBudgets(
      async () => {
        reads++;
        if (fail) throw new Error('database away');
        return [
          { tenant_id: 't1', tenant: 'acme', sent: 400, budget: 500 },
          { tenant_id: 't2', tenant: 'globex', sent: 3, budget: 0 },
        ];
      },
      { warn: (...args: unknown[]) => logged.push(args) } as never,
      0,
    );
    const text = await metrics.registry.metrics();
    expect(reads).toBe(1);
    expect(text).toContain('gatehouse_sms_budget_used_ratio{tenant_id="t1",tenant="acme"} 0.8');
    // A tenant without a budget has no ratio (SMS is off for it), but its count is reported.
    expect(text).not.toContain('gatehouse_sms_budget_used_ratio{tenant_id="t2"');
    expect(text).toContain('gatehouse_sms_sent_this_month{tenant_id="t2",tenant="globex"} 3');
    fail = true;
    expect(await metrics.registry.metrics()).toContain('gatehouse_sms_budget_used_ratio{tenant_id="t1",tenant="acme"} 0.8');
    expect(logged).toHaveLength(1);
  });

  it('counts messages by channel and status', async () => {
    const metrics = new Metrics();
    metrics.message('sms', 'sent');
    metrics.message('sms', 'suppressed', 'number_limit');
    metrics.message('email', 'failed', 'MessageRejected');
    expect(await series(metrics, 'gatehouse_messages_total')).toEqual([
      { labels: { channel: 'sms', status: 'sent', reason: 'none' }, value: 1 },
      { labels: { channel: 'sms', status: 'suppressed', reason: 'number_limit' }, value: 1 },
      { labels: { channel: 'email', status: 'failed', reason: 'MessageRejected' }, value: 1 },
    ]);
  });
});

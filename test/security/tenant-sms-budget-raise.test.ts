import { startOperatorGatehouse } from '../helpers/operator-gatehouse.js';
import { adminCall, demoAdminToken } from '../helpers/admin-api.js';
import type { TestGatehouse } from '../helpers/test-gatehouse.js';

/**
 * The attack: a tenant's administrator raised its own SMS budget to 1,000,000 and allowed more
 * countries (`PATCH /tenants/{t}`), spending the operator's money and opening SMS pumping. The
 * operator now sets each tenant's ceilings (`sms.budget_ceiling`, `sms.country_ceiling`); a
 * tenant administrator can only choose within them.
 */
describe("a tenant administrator raising the tenant's SMS budget", () => {
  let server: TestGatehouse;
  let issuer: string;
  let operator: string;
  let tenantAdmin: string;

  beforeAll(async () => {
    ({ server, issuer, operator } = await startOperatorGatehouse());
    tenantAdmin = await demoAdminToken(issuer);
  });
  afterAll(async () => server?.stop());

  const patch = (token: string, sms: Record<string, unknown>, extra: Record<string, unknown> = {}) => adminCall(issuer, token, 'PATCH', '/tenants/demo', { settings: { sms, ...extra } });

  it('refuses a budget above the ceiling and countries outside it with 422, and the ceilings themselves with 403', async () => {
    const raise = await patch(tenantAdmin, { monthly_budget: 1_000_000 });
    expect(raise.status).toBe(422);
    expect(raise.headers.get('content-type')).toMatch(/problem\+json/);
    expect(raise.body.errors).toEqual([{ field: 'settings.sms.monthly_budget', message: expect.stringMatching(/at most 500/) }]);
    expect((await patch(tenantAdmin, { allowed_countries: ['US', 'RU'] })).status).toBe(422);
    expect((await adminCall(issuer, tenantAdmin, 'PATCH', '/tenants/demo', { settings: { country: 'RU' } })).status).toBe(422);
    expect((await patch(tenantAdmin, { budget_ceiling: 1_000_000 })).status).toBe(403);
    expect((await patch(tenantAdmin, { country_ceiling: ['RU'] })).status).toBe(403);
    const tenant = await adminCall(issuer, operator, 'GET', '/tenants/demo');
    expect(tenant.body.settings.sms).toMatchObject({ monthly_budget: 500, allowed_countries: [], budget_ceiling: 500, country_ceiling: [] });
    expect(tenant.body.settings.country).toBe('US');
  });

  it('lets the administrator lower the budget and narrow the countries within the ceilings the operator set', async () => {
    expect((await patch(tenantAdmin, { monthly_budget: 100 })).status).toBe(200);
    expect((await patch(operator, { budget_ceiling: 2000, country_ceiling: ['US', 'CA'] })).status).toBe(200);
    expect((await patch(tenantAdmin, { monthly_budget: 1500, allowed_countries: ['CA'] })).status).toBe(200);
    expect((await patch(tenantAdmin, { monthly_budget: 2001 })).status).toBe(422);
    expect((await patch(tenantAdmin, { allowed_countries: ['GB'] })).status).toBe(422);
    const usage = await adminCall(issuer, tenantAdmin, 'GET', '/tenants/demo/sms-usage');
    expect(usage.body.budget).toBe(1500);
    // The operator lowering the ceiling lowers the budget in force with it.
    expect((await patch(operator, { budget_ceiling: 300 })).status).toBe(200);
    expect((await adminCall(issuer, tenantAdmin, 'GET', '/tenants/demo/sms-usage')).body.budget).toBe(300);
  });

  it('raises the ceilings with what an operator gives a tenant', async () => {
    const created = await adminCall(issuer, operator, 'POST', '/tenants', { slug: 'big-clinic', name: 'Big clinic', settings: { sms: { monthly_budget: 5000, allowed_countries: ['US', 'MX'] } } });
    expect(created.status).toBe(201);
    expect(created.body.settings.sms).toMatchObject({ monthly_budget: 5000, budget_ceiling: 5000, allowed_countries: ['US', 'MX'], country_ceiling: ['US', 'MX'] });
  });

  it('holds a budget written before there were ceilings to the ceiling', async () => {
    await server.gatehouse.database.knex('tenants').where({ slug: 'demo' }).update({ settings: JSON.stringify({ sms: { monthly_budget: 1_000_000, allowed_countries: ['RU'] } }) });
    const tenant = await adminCall(issuer, operator, 'GET', '/tenants/demo');
    expect(tenant.body.settings.sms.monthly_budget).toBe(500);
    expect(tenant.body.settings.sms.allowed_countries).toEqual(['US']);
    expect((await adminCall(issuer, operator, 'GET', '/tenants/demo/sms-usage')).body.budget).toBe(500);
  });
});

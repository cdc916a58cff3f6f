import { HttpBrowser } from '../helpers/browserless.js';
import { SignInHarness } from '../helpers/sign-in-harness.js';

/** The admin API as a developer integrating it meets it: its document, its errors, a locked user. */
describe('the admin API document and answers', () => {
  const h = new SignInHarness();
  beforeAll(() => h.start());
  afterAll(() => h.stop());

  it('names every call (operationId, tag), documents path parameters and both ways to get a token, and loads cross-origin', async () => {
    const response = await fetch(`${h.issuer}/admin/v1/openapi.json`, { headers: { origin: 'https://viewer.example' } });
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const document = (await response.json()) as { paths: Record<string, Record<string, { operationId?: string; tags?: string[]; parameters?: { in: string; description?: string }[] }>>; components: { securitySchemes: Record<string, { type: string }> } };
    const operations = Object.values(document.paths).flatMap((methods) => Object.values(methods));
    expect(operations.length).toBeGreaterThan(20);
    const ids = operations.map((o) => o.operationId);
    expect(ids.every(Boolean)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(operations.every((o) => o.tags?.length === 1)).toBe(true);
    const pathParameters = operations.flatMap((o) => (o.parameters ?? []).filter((p) => p.in === 'path'));
    expect(pathParameters.every((p) => p.description)).toBe(true);
    expect(Object.entries(document.components.securitySchemes).map(([name, scheme]) => [name, scheme.type])).toEqual(expect.arrayContaining([['operator', 'oauth2'], ['user', 'oauth2']]));
  });

  it('answers a method a call does not take with 405 in problem+json', async () => {
    const response = await fetch(`${h.issuer}/admin/v1/tenants`, { method: 'PUT', headers: { authorization: `Bearer ${h.operator}` } });
    expect(response.status).toBe(405);
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(await response.json()).toMatchObject({ status: 405 });
  });

  it('shows a locked user as locked, with until when, in the user view and the search', async () => {
    const slug = await h.tenant({});
    const { id } = await h.user(slug, `locked-${slug}`);
    // Beside them in the same page of the search: one who is fine, one locked too.
    const { id: fine } = await h.user(slug, `locked-not-${slug}`);
    const { id: other } = await h.user(slug, `locked-too-${slug}`);
    for (const username of [`locked-${slug}`, `locked-too-${slug}`]) {
      for (let i = 0; i < 5; i++) await h.passwordStep(new HttpBrowser(), username, `not-the-password-${i}`);
    }
    // The addresses a user failed from are read from the event log (written in the background).
    await h.server.gatehouse.events.flush();
    const user = (await h.admin('GET', `/tenants/${slug}/users/${id}`)).body;
    expect(user).toMatchObject({ status: 'locked', locked_until: expect.any(String) });
    const found = (await h.admin('GET', `/tenants/${slug}/users?q=locked-`)).body.items as { id: string; status: string; locked_until: string | null }[];
    expect(Object.fromEntries(found.map((u) => [u.id, u.status]))).toEqual({ [id]: 'locked', [fine]: 'active', [other]: 'locked' });
    expect(found.find((u) => u.id === fine)!.locked_until).toBeNull();
    expect((await h.admin('POST', `/tenants/${slug}/users/${id}/unlock`)).status).toBe(200);
    expect((await h.admin('GET', `/tenants/${slug}/users/${id}`)).body).toMatchObject({ status: 'active', locked_until: null });
  });
});

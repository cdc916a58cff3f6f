import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Router } from '@koa/router';
import type Koa from 'koa';
import Provider from 'oidc-provider';
import { mountOwnRoutes, ownPathMatcher } from './own-routes.js';

/** A real provider (in-memory storage) with routers mounted in front, served over HTTP. */
async function serve(routers: Router[], options: Parameters<typeof mountOwnRoutes>[2] = {}): Promise<{ url: string; close(): Promise<void> }> {
  const provider = new Provider('http://127.0.0.1', {
    features: { clientCredentials: { enabled: true } },
    clients: [{ client_id: 'app', client_secret: 'app-secret', redirect_uris: ['http://127.0.0.1/cb'], grant_types: ['client_credentials'], response_types: [] }],
  });
  mountOwnRoutes(provider as unknown as Koa, routers, options);
  const server = http.createServer(provider.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe("Gatehouse's own routes in front of the provider", () => {
  it('serves a route as soon as a router declares it, with no second list to update', async () => {
    const router = new Router();
    router.get('/healthz', (ctx) => {
      ctx.body = 'ok';
    });
    // The route under test: added to the router, nowhere else.
    router.get('/brand-new/:thing', (ctx) => {
      ctx.body = { served: ctx.params.thing };
    });
    const app = await serve([router]);
    try {
      const res = await fetch(`${app.url}/brand-new/widget`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ served: 'widget' });
      // Everything else is still the provider's.
      expect((await fetch(`${app.url}/.well-known/openid-configuration`)).status).toBe(200);
      expect((await fetch(`${app.url}/brand-new`)).status).toBe(404);
    } finally {
      await app.close();
    }
  });

  it("sends provider requests past the routers without running any of Gatehouse's middleware", async () => {
    const router = new Router({ prefix: '/admin/v1' });
    router.get('/openapi.json', (ctx) => {
      ctx.body = {};
    });
    let ownRequests = 0;
    const app = await serve([router], {
      before: [
        async (_ctx, next) => {
          ownRequests++;
          await next();
        },
      ],
    });
    try {
      const token = await fetch(`${app.url}/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from('app:app-secret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
      expect(token.status).toBe(200);
      expect((await fetch(`${app.url}/jwks`)).status).toBe(200);
      expect(ownRequests).toBe(0);
      expect((await fetch(`${app.url}/admin/v1/openapi.json`)).status).toBe(200);
      expect(ownRequests).toBe(1);
    } finally {
      await app.close();
    }
  });

  it('lets an API answer its own unknown paths, and lets other unknown paths reach the provider', async () => {
    const api = new Router({ prefix: '/admin/v1' });
    api.get('/tenants', (ctx) => {
      ctx.body = [];
    });
    const app = await serve([api], {
      after: [
        async (ctx, next) => {
          if (!ctx.path.startsWith('/admin/v1/')) return next();
          ctx.status = 404;
          ctx.body = { title: 'No such admin API call' };
        },
      ],
    });
    try {
      const unknown = await fetch(`${app.url}/admin/v1/nothing-here`);
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toEqual({ title: 'No such admin API call' });
      expect((await fetch(`${app.url}/admin/v2/tenants`)).status).toBe(404);
      expect((await fetch(`${app.url}/admin/v1/tenants`)).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('refuses at start-up a route that would catch every first path segment', () => {
    const router = new Router();
    router.get('/:tenant/home', () => undefined);
    expect(() => ownPathMatcher([router])).toThrow('route /:tenant/home must begin with a fixed path segment');
    const pattern = new Router();
    pattern.get(/^\/anything/, () => undefined);
    expect(() => ownPathMatcher([pattern])).toThrow(/fixed path segment/);
  });

  it('tells own paths from the provider’s by their first segment, the site root included', () => {
    const router = new Router();
    router.get('/', () => undefined);
    router.get('/interaction/:uid', () => undefined);
    router.use(async (_ctx, next) => next());
    const isOwn = ownPathMatcher([router, new Router({ prefix: '/admin/v1' }).get('/x', () => undefined)]);
    expect(['/', '/interaction', '/interaction/abc/login', '/admin/v1/x', '/admin'].filter(isOwn)).toHaveLength(5);
    expect(['/token', '/auth', '/interactions', '/me', '/jwks', '/session/end'].some(isOwn)).toBe(false);
  });

  it('costs a token request about a Set look-up', () => {
    const routers = Array.from({ length: 10 }, (_, i) => new Router().get(`/area-${i}/:id`, () => undefined).post(`/area-${i}/:id/action`, () => undefined));
    const isOwn = ownPathMatcher(routers);
    const started = process.hrtime.bigint();
    let own = 0;
    for (let i = 0; i < 200_000; i++) if (isOwn(i % 2 ? '/token' : '/token/introspection')) own++;
    const nsPerCheck = Number(process.hrtime.bigint() - started) / 200_000;
    expect(own).toBe(0);
    // Typically well under 100 ns; the bound only catches a check that grows with the routes.
    expect(nsPerCheck).toBeLessThan(2_000);
  });
});

import type { Router } from '@koa/router';
import type Koa from 'koa';
import compose from 'koa-compose';

/** The first segment of a path: `interaction` for `/interaction/abc/login`, `` for `/`. */
function firstSegment(path: string): string {
  const end = path.indexOf('/', 1);
  return end === -1 ? path.slice(1) : path.slice(1, end);
}

// A route's first segment must be fixed text: no parameter, wildcard, group or optional part.
const FIXED_FIRST_SEGMENT = /^\/[^/:*?(){}[\]]*(?:\/|$)/;

/**
 * Whether a request path is one Gatehouse's routers serve, read from the routes they declare:
 * adding a route to a router is all it takes. The first path segments of the routes are read
 * once, when the routers are mounted; a request then costs one Set look-up, so a token request
 * pays nothing for routers it does not need.
 */
export function ownPathMatcher(routers: readonly Router[]): (path: string) => boolean {
  const segments = new Set<string>();
  for (const router of routers) {
    for (const layer of router.stack) {
      // Middleware added with router.use() runs only for the router's own routes.
      if (layer.methods.length === 0) continue;
      if (typeof layer.path !== 'string' || !FIXED_FIRST_SEGMENT.test(layer.path)) {
        // A route matching any first segment would send every provider request through here.
        throw new Error(`route ${String(layer.path)} must begin with a fixed path segment`);
      }
      segments.add(firstSegment(layer.path));
    }
  }
  return (path) => segments.has(firstSegment(path));
}

export interface OwnRoutesOptions {
  /** Runs first for every own request (an error handler). */
  before?: Koa.Middleware[];
  /** Runs when no route answered (an API's own 404); otherwise the request goes on to `app`'s next. */
  after?: Koa.Middleware[];
}

/**
 * Mounts Gatehouse's routers in front of the rest of `app` (the provider): only requests for
 * their paths go through them; everything else goes straight on.
 */
export function mountOwnRoutes(app: Koa, routers: readonly Router[], options: OwnRoutesOptions = {}): void {
  const isOwn = ownPathMatcher(routers);
  const own = compose<Koa.ParameterizedContext>([
    ...(options.before ?? []),
    ...routers.flatMap((router) => [router.routes(), router.allowedMethods()]),
    ...(options.after ?? []),
  ] as Koa.Middleware[]);
  app.use((ctx, next) => (isOwn(ctx.path) ? own(ctx as never, next) : next()));
}

import type Koa from 'koa';
import type Provider from 'oidc-provider';
import { errors, type Adapter, type FindAccount, type KoaContextWithOIDC } from 'oidc-provider';
import { isStorageFault, RETRY_AFTER_SECONDS } from '../../infrastructure/storage/storage-faults.js';
import type { Logger } from '../../infrastructure/observability/logger.js';
import { REFUSAL_WORDING } from './refusal-wording.js';

/**
 * A database that does not answer is the client's cue to try again shortly, not a bug: the
 * provider's endpoints answer `temporarily_unavailable` (503, `Retry-After`) instead of the
 * provider's generic `server_error` ("oops! something went wrong"). At the authorization endpoint
 * that is also what the app receives on its redirect URI (RFC 6749 §4.1.2.1).
 */
export function temporarilyUnavailable(cause?: unknown): InstanceType<typeof errors.TemporarilyUnavailable> {
  const error = new errors.TemporarilyUnavailable(REFUSAL_WORDING.temporarily_unavailable, { cause });
  Object.assign(error, { status: 503, statusCode: 503, expose: true });
  return error;
}

function mapped(err: unknown): unknown {
  return isStorageFault(err) ? temporarilyUnavailable(err) : err;
}

/** The same adapter, its storage faults turned into `temporarily_unavailable`. */
export function failFast(adapter: Adapter): Adapter {
  // One wrapper per method, made on first use: the provider looks methods up on every call.
  const wrappers = new Map<PropertyKey, { of: unknown; wrapper: (...args: unknown[]) => Promise<unknown> }>();
  return new Proxy(adapter, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      const known = wrappers.get(property);
      if (known && known.of === value) return known.wrapper;
      const wrapper = async (...args: unknown[]) => {
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } catch (err) {
          throw mapped(err);
        }
      };
      wrappers.set(property, { of: value, wrapper });
      return wrapper;
    },
  });
}

/** The same account look-up, its storage faults turned into `temporarily_unavailable`. */
export function failFastAccounts(findAccount: FindAccount): FindAccount {
  return async (ctx, sub, token) => {
    try {
      return await findAccount(ctx, sub, token);
    } catch (err) {
      throw mapped(err);
    }
  };
}

type ErrorPage = (ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }, err: unknown) => Promise<void> | void;

/**
 * Whatever storage fault still reaches the provider's error handler from a part not wrapped
 * above (a page's policy check, a hook) is answered the same way, and every such answer tells
 * the client when to come back.
 */
export function answerUnavailable(provider: Provider, renderError: ErrorPage): void {
  const faulted = new WeakSet<object>();
  provider.on('server_error', (ctx: KoaContextWithOIDC, err: unknown) => {
    if (isStorageFault(err)) faulted.add(ctx);
  });
  provider.use(async (ctx, next) => {
    await next();
    if (faulted.has(ctx)) {
      const out = { error: 'temporarily_unavailable', error_description: REFUSAL_WORDING.temporarily_unavailable };
      ctx.status = 503;
      if (ctx.response.is('html')) await renderError(ctx as KoaContextWithOIDC, out, undefined);
      else ctx.body = out;
    }
    const body = ctx.body as { error?: unknown } | undefined;
    if (ctx.status === 503 || (body && typeof body === 'object' && body.error === 'temporarily_unavailable')) {
      ctx.set('Retry-After', String(RETRY_AFTER_SECONDS));
    }
  });
}

/**
 * The provider answers the errors of its own routes; an error thrown before them (a middleware
 * of Gatehouse's that looks up the client, a body that cannot be read) would reach Koa's own
 * handler, which answers `text/plain` without `Retry-After`. At the machine endpoints it is
 * answered as OAuth says instead: `temporarily_unavailable` (503, `Retry-After`) for a storage
 * fault, `server_error` (500, logged) for anything else. Runs right after the request's
 * observation, around everything else.
 */
export function answerEscapedErrors(isMachinePath: (path: string) => boolean, logger: Logger): Koa.Middleware {
  return async (ctx, next) => {
    if (!isMachinePath(ctx.path)) return next();
    try {
      await next();
    } catch (err) {
      if (ctx.headerSent) throw err;
      const unavailable = isStorageFault(err);
      if (unavailable) logger.warn({ err: (err as Error)?.message, path: ctx.path }, 'storage unavailable');
      else logger.error({ err, path: ctx.path }, 'request failed');
      ctx.status = unavailable ? 503 : 500;
      ctx.set('Cache-Control', 'no-store');
      if (unavailable) ctx.set('Retry-After', String(RETRY_AFTER_SECONDS));
      ctx.body = unavailable
        ? { error: 'temporarily_unavailable', error_description: REFUSAL_WORDING.temporarily_unavailable }
        : { error: 'server_error', error_description: REFUSAL_WORDING.server_error };
    }
  };
}

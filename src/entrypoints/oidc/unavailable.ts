import type Provider from 'oidc-provider';
import { errors, type Adapter, type FindAccount, type KoaContextWithOIDC } from 'oidc-provider';
import { isStorageFault, RETRY_AFTER_SECONDS } from '../../infrastructure/storage/storage-faults.js';
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
  return new Proxy(adapter, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } catch (err) {
          throw mapped(err);
        }
      };
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

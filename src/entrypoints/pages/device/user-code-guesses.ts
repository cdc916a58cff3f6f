import type { Context, Middleware } from 'koa';
import type { Logger } from '../../../infrastructure/observability/logger.js';
import type { RateLimit } from '../../../infrastructure/rate-limits/rate-limiters.js';
import { renderMessage } from '../rendering/page-renderer.js';
import { t } from '../rendering/page-text.js';

export interface UserCodeGuessLimits {
  /** Wrong codes per browser (its session cookie). */
  perBrowser: RateLimit;
  /** Wrong codes per address, whatever cookies are sent. */
  perAddress: RateLimit;
}

const WRONG_CODE = Symbol('wrong user code');

/** Called by the code page when the code typed matched no waiting device. */
export function markWrongUserCode(ctx: Context): void {
  (ctx.state as Record<symbol, boolean>)[WRONG_CODE] = true;
}

/**
 * RFC 8628 §5.1: user codes are short, so wrong ones are limited per browser and per address.
 * Every submission takes a point first (atomic in the shared store, so parallel guesses cannot
 * all slip through before one is counted) and gets it back unless the code was wrong: a person
 * typing the right code is never slowed down, and a guesser is stopped at the limit.
 */
export function limitUserCodeGuesses(limits: UserCodeGuessLimits, sessionCookie: () => string, logger: Logger): Middleware {
  return async (ctx, next) => {
    if (ctx.method !== 'POST' || ctx.path !== '/device') return next();
    const browser = ctx.cookies.get(sessionCookie());
    const counted: [RateLimit, string][] = [[limits.perAddress, `ip:${ctx.ip}`], ...(browser ? [[limits.perBrowser, `browser:${browser}`] as [RateLimit, string]] : [])];
    const decisions = await Promise.all(counted.map(([limit, key]) => limit.consume(key)));
    const refusals = decisions.filter((decision) => !decision.allowed);
    if (refusals.length) {
      await giveBack(counted.filter((_, i) => decisions[i]!.allowed), logger);
      const wait = Math.max(...refusals.map((r) => r.retryAfterSeconds));
      ctx.status = 429;
      ctx.set('Retry-After', String(wait));
      ctx.set('Cache-Control', 'no-store');
      ctx.type = 'html';
      ctx.body = renderMessage({
        title: t('device.too_many_title'),
        alert: true,
        message: t('device.too_many', { wait: describeWait(wait) }),
      });
      return;
    }
    try {
      await next();
    } finally {
      if (!(ctx.state as Record<symbol, boolean>)[WRONG_CODE]) await giveBack(counted, logger);
    }
  };
}

/**
 * The points of a submission that was not a wrong code, given back. The answer stands whatever
 * happens here: a confirmed code has already started its sign-in, and a "try again" page would
 * send the person back to a code now in use. A point not given back costs that browser one try.
 */
async function giveBack(counted: [RateLimit, string][], logger: Logger): Promise<void> {
  try {
    await Promise.all(counted.map(([limit, key]) => limit.refund(key)));
  } catch (err) {
    logger.warn({ err: (err as Error)?.message }, 'a device code try was not given back: the rate-limit store did not answer');
  }
}

function describeWait(seconds: number): string {
  if (seconds < 90) return t('common.seconds', { count: seconds });
  return t('common.minutes', { count: Math.ceil(seconds / 60) });
}

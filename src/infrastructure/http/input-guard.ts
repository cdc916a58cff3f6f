import { isUtf8 } from 'node:buffer';
import type { Context, Middleware } from 'koa';
import type { HtmlErrorPage } from './error-handler.js';
import { FORM, JSON_BODY, mediaType } from './media-type.js';
import { sendProblem } from './problem.js';
import { requestBody } from './request-body.js';

/** The methods Gatehouse answers at all; anything else (TRACE, PROPFIND, …) is 405. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const ALLOW = [...METHODS].join(', ');

/**
 * Input that no endpoint can use and that PostgreSQL refuses outright (a NUL byte), or bytes
 * that are not UTF-8, is answered 400 here, before any route sees it, in the format of the
 * endpoint: problem+json for the admin API, a page for what browsers open, the OAuth error JSON
 * for the provider's endpoints. Unknown methods are 405.
 *
 * Checked: the path, the query, and form or JSON bodies. Bodies of the provider's endpoints are
 * read once (request-body.ts) and handed on to the provider's own parser; Gatehouse's own routes
 * check their parsed bodies with `rejectMalformedBody` (their parsers read the stream).
 */
export function inputGuard(options: { htmlPage: HtmlErrorPage; isOwnPath: (path: string) => boolean }): Middleware {
  return async (ctx, next) => {
    if (!METHODS.has(ctx.method)) {
      ctx.set('Allow', ALLOW);
      return refuse(ctx, options.htmlPage, 405, 'This method is not supported here.');
    }
    if (!wellFormedPath(ctx.path) || !wellFormedPairs(ctx.querystring)) {
      return refuse(ctx, options.htmlPage, 400, 'The request contains characters that are not allowed (a NUL byte or bytes that are not UTF-8).');
    }
    const kind = !options.isOwnPath(ctx.path) && hasBody(ctx) ? mediaType(ctx.get('Content-Type')) : '';
    if (kind === FORM || kind === JSON_BODY) {
      const body = await requestBody(ctx.req);
      if (body === 'too_large') return refuse(ctx, options.htmlPage, 400, 'The request body is too large.');
      const wellFormed = kind === JSON_BODY ? wellFormedJson(body) : isUtf8(body) && wellFormedPairs(body.toString('latin1'));
      if (!wellFormed) return refuse(ctx, options.htmlPage, 400, 'The request contains characters that are not allowed (a NUL byte or bytes that are not UTF-8).');
    }
    await next();
  };
}

/** For routes that parse their own bodies: a parsed form or JSON body holding a NUL byte is 400. */
export function rejectMalformedBody(htmlPage: HtmlErrorPage): Middleware {
  return async (ctx, next) => {
    const body = (ctx.request as { body?: unknown }).body;
    if (body !== undefined && holdsNul(body, 0)) {
      return refuse(ctx, htmlPage, 400, 'The request contains characters that are not allowed (a NUL byte).');
    }
    await next();
  };
}

function refuse(ctx: Context, htmlPage: HtmlErrorPage, status: number, message: string): void {
  if (ctx.path === '/admin' || ctx.path.startsWith('/admin/')) {
    sendProblem(ctx, { status, title: message });
  } else if (isPage(ctx.path)) {
    ctx.status = status;
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = htmlPage({ status, title: status === 405 ? 'This page cannot be used this way' : 'This request cannot be completed', message });
  } else {
    ctx.status = status;
    ctx.type = 'json';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = status === 405 ? { error: 'invalid_request', error_description: 'method not allowed' } : { error: 'invalid_request', error_description: 'the request contains characters that are not allowed' };
  }
}

/** What a person opens in a browser, as opposed to the provider's machine-to-machine endpoints. */
function isPage(path: string): boolean {
  if (path === '/device/auth') return false;
  return path === '/' || ['/auth', '/device', '/session/end', '/interaction', '/forgot-password', '/demo'].some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

function hasBody(ctx: Context): boolean {
  return ctx.method !== 'GET' && ctx.method !== 'HEAD' && ctx.method !== 'OPTIONS';
}

/** Koa's `ctx.path` is already decoded where it could be; a NUL or a broken escape stays refused. */
function wellFormedPath(path: string): boolean {
  return !path.includes('\u0000') && !/%00/i.test(path) && wellFormedEscapes(path);
}

/** `a=b&c=d` as sent: no NUL, raw or escaped, and every escape sequence decodes to UTF-8. */
function wellFormedPairs(raw: string): boolean {
  if (!raw) return true;
  if (raw.includes('\u0000') || /%00/i.test(raw)) return false;
  return wellFormedEscapes(raw);
}

/** Runs of %XX must be UTF-8; a lone `%` that escapes nothing is left to the parser. */
function wellFormedEscapes(value: string): boolean {
  // Most token requests escape nothing (base64url tokens and secrets).
  if (!value.includes('%')) return true;
  for (const run of value.matchAll(/(?:%[0-9a-fA-F]{2})+/g)) {
    const bytes = Buffer.from(run[0].replace(/%/g, ''), 'hex');
    if (!isUtf8(bytes)) return false;
  }
  return true;
}

function wellFormedJson(body: Buffer): boolean {
  if (!isUtf8(body)) return false;
  try {
    return !holdsNul(JSON.parse(body.toString('utf8')), 0);
  } catch {
    // Not JSON: the endpoint's parser says so in its own words.
    return true;
  }
}

function holdsNul(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 32 || value === null || typeof value !== 'object') return false;
  for (const [key, inner] of Object.entries(value)) if (key.includes('\u0000') || holdsNul(inner, depth + 1)) return true;
  return false;
}

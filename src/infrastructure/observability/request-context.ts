import { requestSlot } from '../context/request-scope.js';
import { randomUUID } from 'node:crypto';

/** What every log line and event of one request shares. */
export interface RequestContext {
  requestId: string;
}

const storage = requestSlot<RequestContext>('request context');

/** Runs `fn` (and everything it starts, awaited or not) as part of the request `context`. */
export function runInRequest<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** The request id of the work in progress, if it belongs to a request. */
export function currentRequestId(): string | undefined {
  return storage.get()?.requestId;
}

/** Visible ASCII without spaces, at most 128 characters: safe to echo in a header and a log line. */
const ACCEPTABLE_ID = /^[\x21-\x7e]{1,128}$/;

/**
 * The id of a request: the caller's `X-Request-Id` when it is acceptable (a proxy or a client
 * that already logged one keeps it end to end), a new UUID otherwise.
 */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && ACCEPTABLE_ID.test(value) ? value : randomUUID();
}

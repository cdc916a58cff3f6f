import type { IncomingMessage } from 'node:http';
import { replaceRequestBody, requestBody } from '../../infrastructure/http/request-body.js';

/** A provider endpoint's form body as text (read once per request), or undefined past the limit. */
export async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const body = await requestBody(req);
  return body === 'too_large' ? undefined : body.toString('utf8');
}

/** The provider reads a form body from the request itself: a rewritten form is handed to it instead. */
export function replaceBody(req: IncomingMessage, body: string): void {
  replaceRequestBody(req, Buffer.from(body));
}

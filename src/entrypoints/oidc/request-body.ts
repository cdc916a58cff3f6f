import { Readable } from 'node:stream';

// The provider refuses bodies over 56 KiB too.
const BODY_LIMIT = 56 * 1024;

/** A request's raw body, or undefined past the limit. */
export async function readBody(req: NodeJS.ReadableStream): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The provider reads a form body from `ctx.req` itself: after a middleware read it, the
 * rewritten form is put there for the provider to read.
 */
export function replaceBody(ctx: { req: NodeJS.ReadableStream & { headers: Record<string, unknown> } }, body: string): void {
  const bytes = Buffer.from(body);
  ctx.req.headers['content-length'] = String(bytes.length);
  ctx.req = Object.assign(Readable.from([bytes], { objectMode: false }), { headers: ctx.req.headers }) as never;
}

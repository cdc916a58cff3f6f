import type { IncomingMessage } from 'node:http';

/** One uploaded file of a multipart form. */
export interface UploadedFile {
  filename: string;
  contentType: string;
  data: Buffer;
}

export type MultipartForm = { fields: Record<string, string>; files: Record<string, UploadedFile> };

/**
 * Reads a small `multipart/form-data` body (RFC 7578): a file input in a form that works
 * without script, such as a logo upload. Bounded: a body beyond `limit` bytes is `too_large`
 * (the rest is not read); anything not well formed is `malformed`. Only what small forms need:
 * no nested multiparts, no transfer encodings.
 */
export async function readMultipartForm(req: IncomingMessage, contentType: string, limit: number): Promise<MultipartForm | 'too_large' | 'malformed'> {
  const boundary = /boundary=(?:"([^"]{1,70})"|([^;\s]{1,70}))/i.exec(contentType);
  if (!boundary) return 'malformed';
  const body = await readBounded(req, limit);
  if (!body) return 'too_large';
  return parse(body, Buffer.from(`--${boundary[1] ?? boundary[2]}`, 'latin1'));
}

function parse(body: Buffer, delimiter: Buffer): MultipartForm | 'malformed' {
  const form: MultipartForm = { fields: {}, files: {} };
  let at = body.indexOf(delimiter);
  if (at < 0) return 'malformed';
  for (;;) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString('latin1') === '--') return form;
    const next = body.indexOf(delimiter, start);
    if (next < 0) return 'malformed';
    // Each part: CRLF, headers, a blank line, content, CRLF before the next delimiter.
    const part = body.subarray(start + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd < 0) return 'malformed';
    const headers = part.subarray(0, headerEnd).toString('utf8');
    const content = part.subarray(headerEnd + 4);
    const disposition = /content-disposition:\s*form-data;([^\r\n]*)/i.exec(headers)?.[1] ?? '';
    const name = /\bname="([^"]*)"/.exec(disposition)?.[1];
    if (name === undefined) return 'malformed';
    const filename = /\bfilename="([^"]*)"/.exec(disposition)?.[1];
    if (filename === undefined) form.fields[name] = content.toString('utf8');
    else form.files[name] = { filename, contentType: /content-type:\s*([^\r\n;]+)/i.exec(headers)?.[1]?.trim().toLowerCase() ?? 'application/octet-stream', data: Buffer.from(content) };
    at = next;
  }
}

async function readBounded(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

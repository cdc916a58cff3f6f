import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { readMultipartForm } from './multipart-form.js';

const request = (body: Buffer) => Readable.from([body]) as unknown as IncomingMessage;

describe('reading a small multipart form', () => {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x0d, 0x0a]);
  const body = Buffer.concat([
    Buffer.from('--XyZ\r\nContent-Disposition: form-data; name="csrf"\r\n\r\ntoken-1\r\n--XyZ\r\nContent-Disposition: form-data; name="image"; filename="logo.png"\r\nContent-Type: image/png\r\n\r\n'),
    png,
    Buffer.from('\r\n--XyZ--\r\n'),
  ]);

  it('gives the fields and the file, bytes intact (a CRLF inside the file included)', async () => {
    const form = await readMultipartForm(request(body), 'multipart/form-data; boundary=XyZ', 10_000);
    expect(form).toEqual({ fields: { csrf: 'token-1' }, files: { image: { filename: 'logo.png', contentType: 'image/png', data: png } } });
  });

  it('refuses a body beyond the limit, and one without its boundary', async () => {
    expect(await readMultipartForm(request(body), 'multipart/form-data; boundary=XyZ', 20)).toBe('too_large');
    expect(await readMultipartForm(request(body), 'multipart/form-data', 10_000)).toBe('malformed');
    expect(await readMultipartForm(request(Buffer.from('no parts here')), 'multipart/form-data; boundary=XyZ', 10_000)).toBe('malformed');
  });
});

import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { isPublicAddress, privateAddress, publicAddressesOnly } from './outbound-post.js';

type FetchBody = string | URLSearchParams | ArrayBuffer | Uint8Array | null | undefined;

/**
 * A `fetch` for URLs a tenant's administrator chose (the discovery, token and key endpoints of
 * their OpenID Connect provider) that reaches public addresses only: the same SSRF guard as
 * `postForm`, checked in the lookup the connection itself uses. Redirects are not followed.
 */
export async function publicOnlyFetch(url: string, options: { method?: string; headers?: Record<string, string> | Headers; body?: FetchBody; signal?: AbortSignal | null }): Promise<Response> {
  const target = new URL(url);
  const literal = target.hostname.replace(/^\[|\]$/g, '');
  if (isIP(literal) && !isPublicAddress(literal)) throw privateAddress(target.hostname, literal);
  const transport = target.protocol === 'https:' ? https : http;
  const body = options.body == null ? undefined : typeof options.body === 'string' ? options.body : options.body instanceof URLSearchParams ? options.body.toString() : Buffer.from(options.body as ArrayBuffer);
  const headers = options.headers instanceof Headers ? Object.fromEntries(options.headers.entries()) : (options.headers ?? {});
  return new Promise<Response>((resolve, reject) => {
    const request = transport.request(target, { method: options.method ?? 'GET', headers, lookup: publicAddressesOnly, signal: options.signal ?? undefined }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const status = response.statusCode ?? 502;
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(response.headers)) {
          for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) responseHeaders.append(name, one);
        }
        const empty = status === 204 || status === 304;
        resolve(new Response(empty ? null : Buffer.concat(chunks), { status, headers: responseHeaders }));
      });
    });
    request.on('error', reject);
    request.end(body);
  });
}

import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Posts a form to a URL a tenant registered (a back-channel logout URI), answering its status.
 *
 * A tenant's administrator chooses that URL, so in production Gatehouse must not become their
 * way into the network it runs in (SSRF): the host's addresses are checked *in the lookup the
 * connection itself uses*, so a name that resolves publicly when checked and privately when
 * connected (DNS rebinding) cannot slip through. Outside production loopback apps are allowed,
 * which is what local development and the tests use.
 */
export async function postForm(url: string, form: Record<string, string>, options: { timeoutMs: number; publicOnly: boolean; userAgent: string }): Promise<number> {
  const target = new URL(url);
  const transport = target.protocol === 'https:' ? https : http;
  const body = new URLSearchParams(form).toString();
  // Node connects to an IP literal without a lookup, so a literal is checked here.
  const literal = target.hostname.replace(/^\[|\]$/g, '');
  if (options.publicOnly && isIP(literal) && !isPublicAddress(literal)) throw privateAddress(target.hostname, literal);
  return new Promise((resolve, reject) => {
    const request = transport.request(
      target,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), 'user-agent': options.userAgent },
        timeout: options.timeoutMs,
        ...(options.publicOnly ? { lookup: publicAddressesOnly } : {}),
      },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    request.on('timeout', () => request.destroy(Object.assign(new Error(`no answer within ${options.timeoutMs / 1000} s`), { name: 'TimeoutError' })));
    request.on('error', reject);
    request.end(body);
  });
}

/** Ranges no tenant's URL may reach: everything ipaddr.js does not call public unicast. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

/** A `dns.lookup` that fails unless every address of the name is public. */
export const publicAddressesOnly: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '', 0);
    const blocked = addresses.find((entry) => !isPublicAddress(entry.address));
    if (blocked || addresses.length === 0) {
      return callback(privateAddress(hostname, blocked?.address ?? 'none'), '', 0);
    }
    if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
    return callback(null, addresses[0]!.address, addresses[0]!.family);
  });
};

export function privateAddress(host: string, address: string): Error {
  return Object.assign(new Error(`${host} is a private or reserved address (${address}), which Gatehouse does not connect to`), { code: 'EPRIVATEADDRESS' });
}

import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * A port free on the loopback interface now, for a server that binds it a moment later.
 *
 * Not one the kernel hands out itself (`listen(0)`): those come from the ephemeral range that
 * outgoing connections take their local ports from too, so in the moment between the check and
 * the server's own bind, a connection to PostgreSQL or Redis could take it (seen in a full test
 * run: "port … is already in use"). Ports below that range are only ever taken by a bind.
 *
 * Nor one that fetch and browsers refuse to connect to (the Fetch standard's "bad ports", such as
 * 10080): a test server there is unreachable and its suite fails with "bad port".
 */
export async function freePort(range: { first: number; last: number } = defaultRange()): Promise<number> {
  const { first, last } = range;
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = first + Math.floor(Math.random() * (last - first + 1));
    if (!BLOCKED_BY_FETCH.has(port) && (await bindable(port))) return port;
  }
  throw new Error(`no free port found between ${first} and ${last}`);
}

/** The Fetch standard's port blocking list (https://fetch.spec.whatwg.org/#port-blocking). */
export const BLOCKED_BY_FETCH: ReadonlySet<number> = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103,
  104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513,
  514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719,
  1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679,
  6697, 10080,
]);

function defaultRange(): { first: number; last: number } {
  const [lowestEphemeral] = ephemeralRange();
  const first = 10_000;
  return { first, last: Math.max(first + 1_000, lowestEphemeral - 2) };
}

function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low && high) return [low, high];
  } catch {
    // Not Linux: the IANA range, which other systems use.
  }
  return [49_152, 65_535];
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

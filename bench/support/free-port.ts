import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * A port free on the loopback interface now, for a server that binds it a moment later.
 *
 * Not one the kernel hands out itself (`listen(0)`): those come from the ephemeral range that
 * outgoing connections take their local ports from too, so in the moment between the check and
 * the server's own bind, a connection to PostgreSQL or Redis could take it (seen in a full test
 * run: "port … is already in use"). Ports below that range are only ever taken by a bind.
 */
export async function freePort(): Promise<number> {
  const [lowestEphemeral] = ephemeralRange();
  const first = 10_000;
  const last = Math.max(first + 1_000, lowestEphemeral - 1);
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = first + Math.floor(Math.random() * (last - first));
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port found between ${first} and ${last}`);
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

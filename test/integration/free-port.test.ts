import { readFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { freePort, BLOCKED_BY_FETCH } from '../../bench/support/free-port.js';

/**
 * Servers of the tests and the bench start on a port found free a moment before: never one the
 * kernel may give an outgoing connection (to PostgreSQL, Redis) in the meantime.
 */
describe('a free port for a server to start on', () => {
  it('lies below the range of outgoing connections, and a server can bind it', async () => {
    const [lowest] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    for (const port of ports) expect(port).toBeLessThan(lowest!);
    const port = ports[0]!;
    const server = createServer((socket) => {
      // The client leaves at once: a reset on this side is expected, not a failure.
      socket.on('error', () => undefined);
      socket.end();
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      // Outgoing connections take their local ports elsewhere.
      const locals = await Promise.all(
        Array.from({ length: 50 }, () => new Promise<number>((resolve, reject) => {
          const socket = connect(port, '127.0.0.1', () => {
            resolve(socket.localPort!);
            socket.destroy();
          });
          socket.on('error', reject);
        })),
      );
      for (const local of locals) expect(local).toBeGreaterThanOrEqual(lowest!);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('is never one that fetch refuses to connect to, such as 10080', async () => {
    expect(BLOCKED_BY_FETCH.has(10080)).toBe(true);
    // A range of nothing but 10080 has no port to give, however free 10080 is.
    await expect(freePort({ first: 10_080, last: 10_080 })).rejects.toThrow(/no free port/);
    // Around it, only its neighbours come out (one at a time: each probe binds the port).
    for (let i = 0; i < 20; i++) expect([10_079, 10_081]).toContain(await freePort({ first: 10_079, last: 10_081 }));
    // Why it matters: fetch (and every browser) refuses 10080 before connecting.
    await expect(fetch('http://127.0.0.1:10080/')).rejects.toThrow();
  });
});

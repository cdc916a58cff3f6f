import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { runLoad } from '../../bench/support/load.js';
import { MeasurementWindow } from '../../bench/support/window.js';

/**
 * The bench's "at half of peak" rows offer load as an open loop: requests spread evenly over
 * each second, not a second's budget sent back to back (which saturates the server for part of
 * every second and measures the peak's queueing again).
 */
describe("the bench's paced load", () => {
  let server: http.Server;
  const arrivals: number[] = [];
  beforeAll(async () => {
    server = http.createServer((request, response) => {
      arrivals.push(performance.now());
      request.resume();
      request.on('end', () => response.end('ok'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('spreads the requests of a second evenly, on every connection, each sequence in its order', async () => {
    const window = new MeasurementWindow(0, 1);
    const seen = new Map<number, number[]>();
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const start = performance.now();
    await runLoad({
      origin,
      connections: 4,
      overallRate: 100,
      window,
      requestsFor: (index) => {
        let n = 0;
        return [{ method: 'POST', path: '/', setupRequest: (request) => ({ ...request, body: String(n++) }), onResponse: () => seen.set(index, [...(seen.get(index) ?? []), n]) }];
      },
      isSuccess: (status) => status === 200,
    });
    // About 100 requests in the 1.25 s the load lasts, from every connection, in sequence.
    expect(arrivals.length).toBeGreaterThan(60);
    expect(arrivals.length).toBeLessThan(140);
    expect([...seen.keys()].sort()).toEqual([0, 1, 2, 3]);
    for (const answered of seen.values()) expect(answered).toEqual(answered.map((_, i) => i + 1));
    // Evenly spread: the first fifth of the second holds about a fifth of the requests. A
    // second's budget sent back to back would put nearly all of them there.
    const early = arrivals.filter((at) => at - start < 200).length;
    expect(early).toBeLessThan(45);
    expect(window.summary().ok).toBeGreaterThan(50);
  }, 20_000);
});

import { performance } from 'node:perf_hooks';
import type { LoadOutcome, LoadSpec } from './load-spec.js';
import { RawHttpConnection, type RawRequest } from './raw-http.js';

/** A request that has not been answered within this long counts as a timeout (autocannon's default). */
const TIMEOUT_MS = 10_000;

/**
 * An open loop at `overallRate` requests per second, evenly spaced: what "latency at half of
 * peak" needs. autocannon's own rate limit is a budget per second that each connection spends
 * back to back from the start of the second, then waits: at half of the peak the server was
 * saturated for half of every second, and the p99 was the peak's queueing again.
 *
 * Each connection keeps the request sequence of `requestsFor(index)` (a refresh chain must not
 * have two requests in flight) and its own schedule: connection i of N sends at
 * `start + (i + k·N) / rate`, so arrivals across connections are `1 / rate` apart. A request
 * whose turn comes while the connection's previous one is still open is sent when that one
 * ends, and its latency is counted from its scheduled time (no coordinated omission: a stalled
 * server is charged for the requests it kept waiting); one sent late because this process was
 * busy counts from when it was sent.
 *
 * Each connection is a `RawHttpConnection`: the load generator shares the two cores with the
 * server, and node:http's client took several times autocannon's CPU per request.
 */
export function runPacedLoad(spec: LoadSpec & { overallRate: number }): Promise<LoadOutcome> {
  const origin = new URL(spec.origin);
  const sockets: RawHttpConnection[] = [];
  const started = performance.now();
  const endsAt = performance.now() + (spec.window.secondsLeft + 0.25) * 1000;
  const interval = 1000 / spec.overallRate;
  const outcome: LoadOutcome = { connectionErrors: 0, timeouts: 0 };

  const connection = async (index: number) => {
    const requests = spec.requestsFor(index);
    const socket = new RawHttpConnection(origin.hostname, Number(origin.port), TIMEOUT_MS);
    sockets.push(socket);
    let previousAnswered = 0;
    for (let k = 0; ; k++) {
      const scheduled = started + (index + k * spec.connections) * interval;
      if (scheduled >= endsAt) return;
      const wait = scheduled - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      // Held up by the server (its previous answer came after this request was due): counted
      // from when it was due. Otherwise from when it left: a timer of this process firing late
      // (its own garbage collection) is not the server's time.
      const from = previousAnswered > scheduled ? scheduled : performance.now();
      const template = requests[k % requests.length]!;
      // The bench's scenarios give functions here (autocannon also takes names of hooks).
      const setup = typeof template.setupRequest === 'function' ? template.setupRequest : undefined;
      const onResponse = typeof template.onResponse === 'function' ? template.onResponse : undefined;
      const request = setup ? setup(template, {}) : template;
      const answer = await socket.request(request as RawRequest).catch((err: Error) => err);
      previousAnswered = performance.now();
      if (answer instanceof Error) {
        if (answer.message === 'timeout') outcome.timeouts++;
        outcome.connectionErrors++;
        continue;
      }
      if (spec.isSuccess?.(answer.status)) spec.window.succeeded(previousAnswered - from);
      onResponse?.(answer.status, answer.body, {}, answer.headers);
    }
  };
  return Promise.all(Array.from({ length: spec.connections }, (_, index) => connection(index)))
    .then(() => outcome)
    .finally(() => sockets.forEach((socket) => socket.close()));
}

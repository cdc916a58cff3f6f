/**
 * A wait for a storage server's answer that only gives up once that answer is truly missing.
 *
 * A plain `setTimeout` is the wrong clock for that. Node runs expired timers at the start of a
 * turn of its event loop, before it reads the sockets. When this process was busy past the limit
 * (a burst of requests, a long garbage collection), the server's answer has usually been waiting
 * in the socket all along, yet the timer fires first and reports a server that "did not answer".
 * Gatehouse then sets a healthy Redis aside (and access tokens kept there go unfound) or drops a
 * healthy PostgreSQL connection: a CPU spike in this process turns into a storage outage.
 *
 * So a deadline that has passed first lets the loop read what has already arrived (two turns:
 * each reads every socket that is ready), and expires only if the answer is still not there.
 * A server that really went silent costs those two turns more: microseconds.
 */
export function startDeadline(ms: number, expire: () => void): () => void {
  let done = false;
  const timer = setTimeout(() => {
    setImmediate(() =>
      setImmediate(() => {
        if (done) return;
        done = true;
        expire();
      }),
    );
  }, ms);
  return function cancel() {
    done = true;
    clearTimeout(timer);
  };
}

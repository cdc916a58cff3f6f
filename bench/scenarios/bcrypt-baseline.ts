import { performance } from 'node:perf_hooks';
import bcrypt from 'bcrypt';
import type { Measurement, MeasurementWindow } from '../support/window.js';

// Gatehouse hands bcrypt a 44-character HMAC digest of the password (passwords/password-hasher.ts);
// compare an input of that length, so the baseline does the same work per comparison.
const PASSWORD = 'x'.repeat(44);

/**
 * What bcrypt allows: `bcrypt.compare` of a hash of the given cost, in this process, `parallel`
 * at a time (the number of cores, the bound Gatehouse's hasher sets itself), with nothing else
 * running. A sign-in needs exactly one comparison, so this is the ceiling for sign-ins/s.
 */
export async function bcryptComparisons(cost: number, parallel: number, window: MeasurementWindow): Promise<Measurement> {
  const hash = await bcrypt.hash(PASSWORD, cost);
  const worker = async () => {
    while (performance.now() < window.closesAt) {
      const started = performance.now();
      if (!(await bcrypt.compare(PASSWORD, hash))) window.failedWith('compare returned false');
      else window.succeeded(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return window.summary();
}

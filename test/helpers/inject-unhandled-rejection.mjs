// Preloaded into a Gatehouse process by a test (NODE_OPTIONS=--import=…): once the file named
// by INJECT_REJECTION_WHEN exists, a promise is rejected with nobody to handle it, as a bug in
// Gatehouse or a library would do. Nothing else of the process is touched.
import { existsSync } from 'node:fs';

const marker = process.env.INJECT_REJECTION_WHEN;
if (marker) {
  const timer = setInterval(() => {
    if (!existsSync(marker)) return;
    clearInterval(timer);
    void Promise.reject(new Error('an injected bug'));
  }, 20);
  timer.unref();
}

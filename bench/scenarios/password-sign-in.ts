import type autocannon from 'autocannon';
import { connectionTrouble, runLoad } from '../support/load.js';
import { SignInFlow, type BrowserKind } from '../support/sign-in-flow.js';
import { demoCredentials, type Target } from '../support/target.js';
import type { Measurement, MeasurementWindow } from '../support/window.js';

/**
 * Password sign-ins: each connection is a browser doing a whole authorization request —
 * authorization URL, redirects, login page, POST of the login form (one bcrypt comparison at
 * the instance's BCRYPT_COST), redirects to the callback, and the app's code exchange — then
 * starting over without its session. `browser`: `returning` is one person's own browser signing
 * in again (its device is known after the first time), the usual sign-in; `new` is a browser
 * never seen before, every time (a new-device email each time). A sign-in counts once its tokens
 * arrive; its latency is the whole flow's. The flow is driven through autocannon one request at
 * a time (SignInFlow says what comes next), so the load generator is the same as for every
 * other figure.
 */
export async function passwordSignIns(target: Target, connections: number, window: MeasurementWindow, browser: BrowserKind = 'returning'): Promise<Measurement> {
  const outcome = await runLoad({
    origin: target.origin,
    connections,
    window,
    requestsFor: (index) => signInRequests(new SignInFlow(target.mobile, demoCredentials(index), browser), window),
  });
  const measured = window.summary();
  return { ...measured, failures: [...measured.failures, ...connectionTrouble(outcome)] };
}

function signInRequests(flow: SignInFlow, window: MeasurementWindow): autocannon.Request[] {
  return [
    {
      setupRequest: (request) => {
        const hop = flow.request();
        return { ...request, method: hop.method, path: hop.path, headers: hop.headers, body: hop.body };
      },
      onResponse: (status, body, _context, headers) => {
        const step = flow.receive({
          status,
          location: headerValues(headers, 'location')[0],
          setCookies: headerValues(headers, 'set-cookie'),
          body,
        });
        if (step.state === 'continue') return;
        if (step.state === 'signed-in') window.succeeded(step.ms);
        else window.failedWith(step.reason);
        flow.restart();
      },
    },
  ];
}

/** autocannon hands raw header names (any case), repeated headers as arrays. */
function headerValues(headers: autocannon.Request['headers'], name: string): string[] {
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() !== name || value === undefined) continue;
    return Array.isArray(value) ? value : [String(value)];
  }
  return [];
}

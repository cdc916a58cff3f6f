import { SignInFlow, type Credentials, type SignInClient, type TokenResponse } from './sign-in-flow.js';

/**
 * One complete sign-in over fetch, for setting up (refresh tokens to benchmark with), not for
 * measuring: the same flow the sign-in benchmark runs through autocannon.
 */
export async function signInOverFetch(client: SignInClient, credentials: Credentials): Promise<TokenResponse> {
  try {
    return await completeOverFetch(new SignInFlow(client, credentials), client.origin);
  } catch (err) {
    throw new Error(`sign-in as ${credentials.username} failed: ${(err as Error).message}`);
  }
}

/** Drives `flow` over fetch until its tokens arrive, then restarts it for its next sign-in. */
export async function completeOverFetch(flow: SignInFlow, origin: string, onRequest?: (hop: { method: string; path: string }) => void): Promise<TokenResponse> {
  for (;;) {
    const hop = flow.request();
    onRequest?.(hop);
    const response = await fetch(origin + hop.path, { method: hop.method, headers: hop.headers, body: hop.body, redirect: 'manual' });
    const step = flow.receive({
      status: response.status,
      location: response.headers.get('location') ?? undefined,
      setCookies: response.headers.getSetCookie(),
      body: await response.text(),
    });
    if (step.state === 'signed-in') {
      flow.restart();
      return step.tokens;
    }
    if (step.state === 'failed') throw new Error(step.reason);
  }
}

import { SignInFlow, type Credentials, type SignInClient, type TokenResponse } from './sign-in-flow.js';

/**
 * One complete sign-in over fetch, for setting up (refresh tokens to benchmark with), not for
 * measuring: the same flow the sign-in benchmark runs through autocannon.
 */
export async function signInOverFetch(client: SignInClient, credentials: Credentials): Promise<TokenResponse> {
  const flow = new SignInFlow(client, credentials);
  for (;;) {
    const hop = flow.request();
    const response = await fetch(client.origin + hop.path, { method: hop.method, headers: hop.headers, body: hop.body, redirect: 'manual' });
    const step = flow.receive({
      status: response.status,
      location: response.headers.get('location') ?? undefined,
      setCookies: response.headers.getSetCookie(),
      body: await response.text(),
    });
    if (step.state === 'signed-in') return step.tokens;
    if (step.state === 'failed') throw new Error(`sign-in as ${credentials.username} failed: ${step.reason}`);
  }
}

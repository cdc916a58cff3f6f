import * as oidc from 'openid-client';
import { HttpBrowser } from './browserless.js';

/** openid-client configured as a relying party of the test server (plain http on loopback). */
export async function discoverClient(issuer: string, clientId: string, secret?: string): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(issuer), clientId, undefined, secret ? oidc.ClientSecretBasic(secret) : oidc.None(), {
    execute: [oidc.allowInsecureRequests],
  });
}

export interface SignInResult {
  tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
  browser: HttpBrowser;
}

/**
 * Authorization code + PKCE, the login form posted over HTTP like a browser without JavaScript.
 */
export async function signInWithCode(
  config: oidc.Configuration,
  options: { username: string; password: string; redirectUri: string; scope?: string; browser?: HttpBrowser; extra?: Record<string, string> },
): Promise<SignInResult> {
  const browser = options.browser ?? new HttpBrowser();
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: options.redirectUri,
    scope: options.scope ?? 'openid profile offline_access',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    prompt: 'consent',
    ...options.extra,
  });
  let landed = await browser.go(url.toString(), {}, options.redirectUri);
  if (!landed.startsWith(options.redirectUri)) {
    const action = HttpBrowser.formAction(landed, /\/login$/);
    landed = await browser.go(new URL(action, url).toString(), { form: { username: options.username, password: options.password } }, options.redirectUri);
  }
  if (!landed.startsWith(options.redirectUri)) {
    // The page's own words, not its head: what a person would read.
    const main = /<main>([\s\S]*)<\/main>/.exec(landed)?.[1] ?? landed;
    throw new Error(`sign-in did not reach the callback; last page ${browser.lastUrl} (${browser.lastStatus}):\n${main.slice(0, 1500)}`);
  }
  const tokens = await oidc.authorizationCodeGrant(config, new URL(landed), { pkceCodeVerifier: verifier, expectedState: state });
  return { tokens, browser };
}

/**
 * The device authorization grant as a PC tool and a person would do it: the tool asks for a
 * code, the person enters it at /device, confirms and signs in; the tool polls for tokens.
 */
export async function signInWithDevice(
  config: oidc.Configuration,
  options: { username: string; password: string; scope?: string },
): Promise<Awaited<ReturnType<typeof oidc.pollDeviceAuthorizationGrant>>> {
  const device = await oidc.initiateDeviceAuthorization(config, { scope: options.scope ?? 'openid profile offline_access' });
  await confirmDevice(device, options);
  return oidc.pollDeviceAuthorizationGrant(config, device);
}

/** The person's part of the device grant: enters the code at /device, confirms and signs in. */
export async function confirmDevice(device: oidc.DeviceAuthorizationResponse, options: { username: string; password: string }): Promise<void> {
  const browser = new HttpBrowser();
  const codePage = await browser.go(device.verification_uri);
  const confirm = await browser.go(new URL(HttpBrowser.formAction(codePage), device.verification_uri).toString(), { form: { ...HttpBrowser.hiddenInputs(codePage), user_code: device.user_code } });
  const login = await browser.go(new URL(HttpBrowser.formAction(confirm), device.verification_uri).toString(), { form: { ...HttpBrowser.hiddenInputs(confirm), confirm: 'yes' } });
  const done = await browser.go(new URL(HttpBrowser.formAction(login, /login$/), device.verification_uri).toString(), { form: { username: options.username, password: options.password } });
  if (!done.includes('Device connected')) throw new Error(`device sign-in did not finish:\n${done.slice(0, 1500)}`);
}

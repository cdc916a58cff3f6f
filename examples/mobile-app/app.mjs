// @ts-check
// What a mobile app does with Gatehouse, as a command line program: a public client (no secret)
// signing in with the authorization code flow and PKCE in the system browser, then keeping the
// person signed in with rotating refresh tokens. On iOS and Android, AppAuth does the same steps;
// the tokens belong in the Keychain or Keystore, not in a file.
//
//   GATEHOUSE=http://localhost:3000 CLIENT_ID=… node examples/mobile-app/app.mjs sign-in
//   GATEHOUSE=http://localhost:3000 CLIENT_ID=… node examples/mobile-app/app.mjs refresh
//
// Exit codes: 0 done, 2 signed out (sign in again), 1 anything else (try again later).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import * as client from 'openid-client';

const issuer = new URL(process.env.GATEHOUSE ?? 'http://localhost:3000');
const clientId = process.env.CLIENT_ID ?? 'demo-mobile';
// A private-use scheme the app claims (RFC 8252 §7.1), registered with the client.
const redirectUri = process.env.REDIRECT_URI ?? 'com.example.fieldapp:/oauth/callback';
const tokenFile = process.env.TOKEN_FILE ?? path.join(tmpdir(), 'gatehouse-mobile-example.json');

// A public client: PKCE instead of a secret. Plain http only for a Gatehouse on your machine.
const config = await client.discovery(issuer, clientId, undefined, client.None(), {
  execute: issuer.protocol === 'http:' ? [client.allowInsecureRequests] : [],
});

/** @param {{ refresh_token?: string, claims?: client.IDToken }} tokens */
function save(tokens) {
  writeFileSync(tokenFile, JSON.stringify(tokens), { mode: 0o600 });
}

async function signIn() {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid profile offline_access',
    // offline_access (a refresh token) needs prompt=consent; Gatehouse shows no consent page.
    prompt: 'consent',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  // The app opens this in the system browser (ASWebAuthenticationSession, Custom Tabs), which the
  // operating system hands back to the app at the redirect URI.
  console.log(`Open in a browser: ${url.href}`);
  const readline = createInterface({ input: process.stdin, output: process.stdout });
  const answer = await readline.question(`Paste the ${redirectUri} address the browser was sent to: `);
  readline.close();
  const tokens = await client.authorizationCodeGrant(config, new URL(answer.trim()), { pkceCodeVerifier: verifier, expectedState: state });
  save({ refresh_token: tokens.refresh_token, claims: tokens.claims() });
  console.log(`Signed in as ${tokens.claims()?.preferred_username}; the refresh token is kept in ${tokenFile}`);
}

async function refresh() {
  /** @type {{ refresh_token?: string, claims?: client.IDToken }} */
  const stored = JSON.parse(readFileSync(tokenFile, 'utf8'));
  if (!stored.refresh_token) throw new Error('not signed in: run sign-in first');
  const tokens = await client.refreshTokenGrant(config, stored.refresh_token);
  // Rotation: the token just used is spent. Save the new one before using the access token, or
  // the next refresh presents a spent token (within 10 s that is taken as a retry; later it
  // revokes the whole sign-in as a replay).
  save({ ...stored, refresh_token: tokens.refresh_token });
  console.log(`Refreshed: a new access token for ${tokens.expires_in} s and a new refresh token`);
}

const command = process.argv[2];
try {
  if (command === 'sign-in') await signIn();
  else if (command === 'refresh') await refresh();
  else throw new Error('usage: app.mjs sign-in | refresh');
} catch (err) {
  if (err instanceof client.ResponseBodyError && err.error === 'invalid_grant') {
    // The sign-in is over for good (password changed, signed out by an administrator, account
    // disabled, 30 days passed): forget the tokens and show the person Gatehouse's reason.
    rmSync(tokenFile, { force: true });
    console.log(`Signed out: ${err.error_description ?? 'sign in again'}`);
    process.exit(2);
  }
  // Anything else (no network, 503 temporarily_unavailable) leaves the refresh token usable:
  // keep it and try again later.
  console.error(err instanceof client.ResponseBodyError ? `${err.error}: ${err.error_description}` : String(err));
  process.exit(1);
}

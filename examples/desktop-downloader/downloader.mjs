// @ts-check
// A desktop download/sync tool signing in with the device authorization grant (RFC 8628): the
// tool shows a code, the person enters it at Gatehouse's /device page in any browser and signs
// in there, the tool polls until it gets tokens. Then it keeps the person signed in with
// rotating refresh tokens and stops cleanly when the sign-in is cut off.
//
//   GATEHOUSE=http://localhost:3000 CLIENT_ID=demo-downloader node examples/desktop-downloader/downloader.mjs sign-in
//   GATEHOUSE=http://localhost:3000 CLIENT_ID=demo-downloader node examples/desktop-downloader/downloader.mjs sync
//
// Exit codes: 0 done, 2 signed out (run sign-in again), 1 anything else (try again later).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as client from 'openid-client';

const issuer = new URL(process.env.GATEHOUSE ?? 'http://localhost:3000');
const clientId = process.env.CLIENT_ID ?? 'demo-downloader';
const tokenFile = process.env.TOKEN_FILE ?? path.join(tmpdir(), 'gatehouse-downloader-example.json');

// A public client. Plain http only for a Gatehouse on your machine.
const config = await client.discovery(issuer, clientId, undefined, client.None(), {
  execute: issuer.protocol === 'http:' ? [client.allowInsecureRequests] : [],
});

/** @typedef {{ refresh_token?: string, sub?: string }} Stored */

/** @param {Stored} tokens */
function save(tokens) {
  writeFileSync(tokenFile, JSON.stringify(tokens), { mode: 0o600 });
}

async function signIn() {
  const device = await client.initiateDeviceAuthorization(config, { scope: 'openid profile offline_access' });
  console.log(`Go to ${device.verification_uri} and enter the code ${device.user_code}`);
  if (device.verification_uri_complete) console.log(`(or open ${device.verification_uri_complete})`);
  // Polls at the interval Gatehouse asks for, slowing down when told to (slow_down); ends with
  // access_denied if the person refuses, expired_token if nobody entered the code in time.
  const tokens = await client.pollDeviceAuthorizationGrant(config, device);
  save({ refresh_token: tokens.refresh_token, sub: tokens.claims()?.sub });
  console.log(`Signed in as ${tokens.claims()?.preferred_username}`);
}

async function sync() {
  /** @type {Stored} */
  const stored = JSON.parse(readFileSync(tokenFile, 'utf8'));
  if (!stored.refresh_token || !stored.sub) throw new Error('not signed in: run sign-in first');
  // A fresh access token for this run; the refresh token rotates, so save the new one at once.
  const tokens = await client.refreshTokenGrant(config, stored.refresh_token);
  save({ ...stored, refresh_token: tokens.refresh_token });
  // The tool's real work goes here, with `Authorization: Bearer <access token>` on every call to
  // the vendor's API; the example asks Gatehouse who is signed in.
  const me = await client.fetchUserInfo(config, tokens.access_token, stored.sub);
  console.log(`Synced for ${me.preferred_username}`);
}

const command = process.argv[2];
try {
  if (command === 'sign-in') await signIn();
  else if (command === 'sync') await sync();
  else throw new Error('usage: downloader.mjs sign-in | sync');
} catch (err) {
  if (err instanceof client.ResponseBodyError && err.error === 'invalid_grant') {
    // Cut off: password changed or reset, signed out by an administrator, account disabled, or the
    // 30 days of the sign-in are over. Stop syncing, forget the tokens, say why, and wait for the
    // person to sign in again; retrying cannot help.
    rmSync(tokenFile, { force: true });
    console.log(`Signed out: ${err.error_description ?? 'sign in again'}`);
    process.exit(2);
  }
  console.error(err instanceof client.ResponseBodyError ? `${err.error}: ${err.error_description}` : String(err));
  process.exit(1);
}

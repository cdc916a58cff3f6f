// @ts-check
// A server-side web app signing people in through Gatehouse: a confidential client, the
// authorization code flow with PKCE, refresh tokens kept on the server, and sign-out.
//
//   GATEHOUSE=http://localhost:3000 CLIENT_ID=… CLIENT_SECRET=… PORT=4000 node examples/web-app/server.mjs
//
// Register the client first (docs/integrating/web-app.md): kind "web", redirect URI
// http://localhost:4000/callback, post-logout redirect URI http://localhost:4000/.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import * as client from 'openid-client';

const issuer = new URL(process.env.GATEHOUSE ?? 'http://localhost:3000');
const port = Number(process.env.PORT ?? 4000);
const appUrl = process.env.APP_URL ?? `http://localhost:${port}`;
const redirectUri = `${appUrl}/callback`;
const clientId = required('CLIENT_ID');
const clientSecret = required('CLIENT_SECRET');

/** @param {string} name */
function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name}`);
  return value;
}

// openid-client refuses plain http; allow it only for a Gatehouse on your own machine.
const config = await client.discovery(issuer, clientId, undefined, client.ClientSecretBasic(clientSecret), {
  execute: issuer.protocol === 'http:' ? [client.allowInsecureRequests] : [],
});

/**
 * @typedef {{ pending?: { state: string, verifier: string }, claims?: client.IDToken, idToken?: string, accessToken?: string, refreshToken?: string }} Session
 */

/**
 * Server-side sessions, keyed by a random cookie: tokens never reach the browser. In memory for
 * the example; a real app keeps them in its session store.
 * @type {Map<string, Session>}
 */
const sessions = new Map();

/** @param {http.IncomingMessage} req @param {http.ServerResponse} res @returns {Session} */
function sessionOf(req, res) {
  const id = /(?:^|;\s*)app_session=([\w-]+)/.exec(req.headers.cookie ?? '')?.[1];
  const known = id ? sessions.get(id) : undefined;
  if (known) return known;
  const fresh = randomBytes(16).toString('base64url');
  /** @type {Session} */
  const session = {};
  sessions.set(fresh, session);
  res.setHeader('set-cookie', `app_session=${fresh}; Path=/; HttpOnly; SameSite=Lax`);
  return session;
}

/** @param {http.ServerResponse} res @param {number} status @param {string} body */
function page(res, status, body) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><title>Example web app</title><main>${body}</main>`);
}

/** @param {string} text */
const escape = (text) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** Words for a refusal from Gatehouse: its error_description is written to be shown. @param {unknown} err */
function refusal(err) {
  if (err instanceof client.ResponseBodyError || err instanceof client.AuthorizationResponseError) return `${err.error}: ${err.error_description ?? ''}`;
  return err instanceof Error ? err.message : String(err);
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', appUrl);
  const session = sessionOf(req, res);
  try {
    if (url.pathname === '/') {
      if (!session.claims) return page(res, 200, '<p>Not signed in. <a href="/login">Sign in</a></p>');
      const { sub, preferred_username: username, role } = session.claims;
      return page(res, 200, `<p>Signed in as ${escape(String(username ?? sub))} (role ${escape(String(role))}).</p><p><a href="/refresh">Refresh the tokens</a> · <a href="/logout">Sign out</a></p>`);
    }
    if (url.pathname === '/login') {
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      session.pending = { state, verifier };
      const authorization = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid profile email offline_access',
        // OpenID Connect issues a refresh token (offline_access) only with prompt=consent; every
        // app of Gatehouse is first-party, so the person is not shown a consent page.
        prompt: 'consent',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
      });
      return res.writeHead(302, { location: authorization.href }).end();
    }
    if (url.pathname === '/callback') {
      const pending = session.pending;
      delete session.pending;
      if (!pending) return page(res, 400, '<p>This sign-in was not started here. <a href="/login">Sign in</a></p>');
      // Checks state, exchanges the code with the client secret and PKCE verifier, validates the ID token.
      const tokens = await client.authorizationCodeGrant(config, url, { pkceCodeVerifier: pending.verifier, expectedState: pending.state });
      Object.assign(session, { claims: tokens.claims(), idToken: tokens.id_token, accessToken: tokens.access_token, refreshToken: tokens.refresh_token });
      return res.writeHead(302, { location: '/' }).end();
    }
    if (url.pathname === '/refresh') {
      if (!session.refreshToken) return res.writeHead(302, { location: '/login' }).end();
      try {
        // Refresh tokens rotate: keep the new one, the old one is spent.
        const tokens = await client.refreshTokenGrant(config, session.refreshToken);
        Object.assign(session, { accessToken: tokens.access_token, refreshToken: tokens.refresh_token ?? session.refreshToken });
        return page(res, 200, `<p>Tokens refreshed; the access token lasts ${tokens.expires_in} s. <a href="/">Back</a></p>`);
      } catch (err) {
        if (!(err instanceof client.ResponseBodyError && err.error === 'invalid_grant')) throw err;
        // The sign-in is over (password changed, signed out by an administrator, account
        // disabled): forget it and ask the person to sign in again, with Gatehouse's reason.
        delete session.claims;
        delete session.refreshToken;
        return page(res, 401, `<p>You were signed out: ${escape(err.error_description ?? 'sign in again')}.</p><p><a href="/login">Sign in again</a></p>`);
      }
    }
    if (url.pathname === '/logout') {
      const idToken = session.idToken;
      sessions.forEach((value, key) => value === session && sessions.delete(key));
      if (!idToken) return res.writeHead(302, { location: '/' }).end();
      // RP-initiated logout: ends the Gatehouse session too, then comes back here.
      const end = client.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: `${appUrl}/` });
      return res.writeHead(302, { location: end.href }).end();
    }
    return page(res, 404, '<p>Not found</p>');
  } catch (err) {
    // e.g. access_denied when the person cancelled, or their account may not use this app.
    return page(res, 502, `<p>Sign-in failed: ${escape(refusal(err))}</p><p><a href="/login">Try again</a></p>`);
  }
});

server.listen(port, () => console.log(`example web app listening on ${appUrl}`));

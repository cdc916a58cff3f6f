// @ts-check
// A third-party integration (a billing system, a scheduling service) calling the vendor's API on
// its own behalf, with no person signing in: the client_credentials grant with a client secret.
// It asks for a token once, reuses it until shortly before it expires, and says clearly when the
// secret stopped working.
//
//   GATEHOUSE=http://localhost:3000 CLIENT_ID=demo-integration CLIENT_SECRET=demo-integration-secret \
//     node examples/third-party-integration/integration.mjs
//
// Exit codes: 0 done, 2 the secret was refused (get the current one), 1 anything else.
import * as client from 'openid-client';

const issuer = new URL(process.env.GATEHOUSE ?? 'http://localhost:3000');
const clientId = process.env.CLIENT_ID ?? 'demo-integration';
// From your secret store in real life; Gatehouse shows a secret once, when it is made.
const clientSecret = process.env.CLIENT_SECRET ?? '';
const apiUrl = process.env.API_URL;

// Plain http only for a Gatehouse on your machine.
const config = await client.discovery(issuer, clientId, undefined, client.ClientSecretBasic(clientSecret), {
  execute: issuer.protocol === 'http:' ? [client.allowInsecureRequests] : [],
});

/** @type {{ value: string, renewAt: number } | undefined} */
let cached;

/** An access token, asked for again a minute before the current one expires. */
async function accessToken() {
  if (cached && Date.now() < cached.renewAt) return cached.value;
  const tokens = await client.clientCredentialsGrant(config);
  cached = { value: tokens.access_token, renewAt: Date.now() + ((tokens.expires_in ?? 60) - 60) * 1000 };
  console.log(`Got an access token for ${clientId}, valid for ${tokens.expires_in} s`);
  return cached.value;
}

/**
 * The OAuth error of a refusal: in the body (400), or in the WWW-Authenticate challenge of a 401,
 * which is how a refused client secret comes back.
 * @param {unknown} err
 */
function oauthError(err) {
  if (err instanceof client.ResponseBodyError) return { error: err.error, description: err.error_description };
  if (err instanceof client.WWWAuthenticateChallengeError) {
    const parameters = err.cause[0]?.parameters;
    return { error: parameters?.error, description: parameters?.error_description };
  }
  return undefined;
}

try {
  const token = await accessToken();
  // The integration's real work: calls to the vendor's API with the token.
  if (apiUrl) {
    const answer = await fetch(apiUrl, { headers: { authorization: `Bearer ${token}` } });
    console.log(`${apiUrl} answered ${answer.status}`);
  }
} catch (err) {
  const refusal = oauthError(err);
  if (refusal?.error === 'invalid_client') {
    // The secret is wrong, or it was rotated and its overlap has ended. Retrying cannot help:
    // get the current secret from the vendor's administrator (and alert someone).
    console.log(`Gatehouse refused the client secret of ${clientId}: ${refusal.description ?? 'invalid_client'}`);
    process.exit(2);
  }
  console.error(refusal ? `${refusal.error}: ${refusal.description}` : String(err));
  process.exit(1);
}

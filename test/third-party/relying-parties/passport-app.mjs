// An Express web app signing people in with passport-openidconnect, set up as its README asks:
// the provider's endpoints (read here from Gatehouse's discovery document, since the strategy
// does not fetch it), the client id and secret, the callback URL, the scopes. The library puts
// the client secret in the token request's body (client_secret_post) and sends no PKCE, so the
// client is registered with both. It has no refresh or logout of its own: /refresh uses the
// strategy's own OAuth 2 client the way passport's refresh helpers do, and /logout ends the
// local session and sends the browser to the end-session endpoint.
//
// Environment: ISSUER, CLIENT_ID, CLIENT_SECRET, PORT. Prints {"listening": port} when ready.
import express from 'express';
import session from 'express-session';
import passport from 'passport';
import OpenIDConnectStrategy from 'passport-openidconnect';

const { ISSUER, CLIENT_ID, CLIENT_SECRET, PORT } = process.env;
const base = `http://127.0.0.1:${PORT}`;
const metadata = await (await fetch(`${ISSUER}/.well-known/openid-configuration`)).json();

const strategy = new OpenIDConnectStrategy(
  {
    issuer: metadata.issuer,
    authorizationURL: metadata.authorization_endpoint,
    tokenURL: metadata.token_endpoint,
    userInfoURL: metadata.userinfo_endpoint,
    clientID: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    callbackURL: `${base}/cb`,
    scope: ['profile', 'email', 'offline_access'],
    // OpenID Connect Core §11: a refresh token (offline_access) is given with prompt=consent.
    prompt: 'consent',
    nonce: true,
  },
  (issuer, profile, context, idToken, accessToken, refreshToken, params, cb) =>
    cb(null, { issuer, sub: profile.id, username: profile.username, email: profile.emails?.[0]?.value, idToken, accessToken, refreshToken }),
);
passport.use(strategy);
passport.serializeUser((user, cb) => cb(null, user));
passport.deserializeUser((user, cb) => cb(null, user));

const app = express();
app.use(session({ secret: 'passport-app-test-secret', resave: false, saveUninitialized: false }));
app.use(passport.authenticate('session'));

app.get('/login', passport.authenticate('openidconnect'));
app.get('/cb', passport.authenticate('openidconnect', { failureRedirect: '/failed', failureMessage: true }), (req, res) => res.redirect('/profile'));
app.get('/failed', (req, res) => res.status(401).json({ failed: req.session.messages ?? [] }));

app.get('/profile', (req, res) => {
  if (!req.user) return res.redirect('/login');
  const { sub, username, email, issuer } = req.user;
  return res.json({ sub, username, email, issuer, hasRefreshToken: Boolean(req.user.refreshToken) });
});

app.get('/refresh', (req, res, next) => {
  if (!req.user?.refreshToken) return res.status(401).json({ error: 'not signed in' });
  strategy._oauth2.getOAuthAccessToken(req.user.refreshToken, { grant_type: 'refresh_token' }, (err, accessToken, refreshToken) => {
    if (err) return next(new Error(`refresh failed: ${err.statusCode} ${err.data}`));
    const rotated = refreshToken !== req.user.refreshToken;
    req.user.accessToken = accessToken;
    req.user.refreshToken = refreshToken;
    req.login(req.user, (error) => (error ? next(error) : res.json({ refreshed: true, rotated })));
  });
});

app.get('/logout', (req, res, next) => {
  const idToken = req.user?.idToken;
  req.logout((err) => {
    if (err) return next(err);
    const query = new URLSearchParams({ post_logout_redirect_uri: `${base}/signed-out`, state: 'bye', ...(idToken ? { id_token_hint: idToken } : {}) });
    res.redirect(`${metadata.end_session_endpoint}?${query}`);
  });
});
app.get('/signed-out', (req, res) => res.json({ signedOut: true, state: req.query.state }));

app.listen(Number(PORT), '127.0.0.1', () => console.log(JSON.stringify({ listening: Number(PORT) })));

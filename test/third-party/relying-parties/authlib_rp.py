"""A server-side web app signing people in with Authlib (Debian's python3-authlib).

Configured only from Gatehouse's discovery document, as Authlib's documentation shows for a
requests-based client: client id and secret, scope, redirect URI, PKCE (S256) and a nonce. It
talks to the test on stdin/stdout, one JSON object a line, since a person's browser must do
the sign-in in the middle: it prints where to send the browser, reads where the browser came
back to, then signs in, reads userinfo, refreshes, and prints the end-session URL.

Usage: authlib_rp.py ISSUER CLIENT_ID CLIENT_SECRET REDIRECT_URI POST_LOGOUT_REDIRECT_URI
(AUTHLIB_INSECURE_TRANSPORT=1 lets Authlib speak plain http to a test server, as its docs say.)
"""
import json
import sys
from urllib.parse import urlencode

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.oidc.core import CodeIDToken


def say(**message):
    print(json.dumps(message), flush=True)


def main():
    issuer, client_id, client_secret, redirect_uri, post_logout_redirect_uri = sys.argv[1:6]
    metadata = requests.get(issuer + "/.well-known/openid-configuration", timeout=10).json()
    keys = JsonWebKey.import_key_set(requests.get(metadata["jwks_uri"], timeout=10).json())

    client = OAuth2Session(
        client_id,
        client_secret,
        scope="openid profile email offline_access",
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
    )
    nonce = generate_token(20)
    code_verifier = generate_token(48)
    # prompt=consent: OpenID Connect Core §11 asks it for a refresh token (offline_access).
    url, _state = client.create_authorization_url(
        metadata["authorization_endpoint"], nonce=nonce, code_verifier=code_verifier, prompt="consent"
    )
    say(step="authorize", url=url)

    callback = sys.stdin.readline().strip()
    token = client.fetch_token(metadata["token_endpoint"], authorization_response=callback, code_verifier=code_verifier)
    claims = jwt.decode(
        token["id_token"],
        keys,
        claims_cls=CodeIDToken,
        claims_options={"iss": {"essential": True, "value": metadata["issuer"]}},
        claims_params={"nonce": nonce, "client_id": client_id, "access_token": token["access_token"]},
    )
    claims.validate()
    userinfo = client.get(metadata["userinfo_endpoint"]).json()
    say(step="signed_in", sub=claims["sub"], preferred_username=claims.get("preferred_username"), userinfo=userinfo)

    refreshed = client.refresh_token(metadata["token_endpoint"])
    again = client.get(metadata["userinfo_endpoint"]).json()
    say(step="refreshed", rotated=refreshed["refresh_token"] != token["refresh_token"], new_access_token=refreshed["access_token"] != token["access_token"], sub=again["sub"])

    logout = metadata["end_session_endpoint"] + "?" + urlencode(
        {"id_token_hint": token["id_token"], "post_logout_redirect_uri": post_logout_redirect_uri, "state": generate_token(16)}
    )
    say(step="logout", url=logout)
    sys.stdin.readline()


if __name__ == "__main__":
    main()

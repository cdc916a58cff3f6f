"""A server-side web app signing people in with requests-oauthlib (Debian's python3-requests-oauthlib).

Configured only from Gatehouse's discovery document, as the library's documentation shows for
the web application flow: client id, redirect URI, scopes, then the secret when fetching the
token (HTTP Basic, the library's default) and refreshing (with the same `auth`). requests-oauthlib
sends no PKCE, so the client is registered with require_pkce off; it checks no ID token either
(it is an OAuth 2 library), so the app reads the user from userinfo. It talks to the test on
stdin/stdout like authlib_rp.py.

Usage: requests_oauthlib_rp.py ISSUER CLIENT_ID CLIENT_SECRET REDIRECT_URI POST_LOGOUT_REDIRECT_URI
(OAUTHLIB_INSECURE_TRANSPORT=1 lets it speak plain http to a test server, as its docs say.)
"""
import json
import secrets
import sys
from urllib.parse import urlencode

import requests
from requests.auth import HTTPBasicAuth
from requests_oauthlib import OAuth2Session


def say(**message):
    print(json.dumps(message), flush=True)


def main():
    issuer, client_id, client_secret, redirect_uri, post_logout_redirect_uri = sys.argv[1:6]
    metadata = requests.get(issuer + "/.well-known/openid-configuration", timeout=10).json()

    oauth = OAuth2Session(client_id, redirect_uri=redirect_uri, scope=["openid", "profile", "email", "offline_access"])
    # prompt=consent: OpenID Connect Core §11 asks it for a refresh token (offline_access).
    url, _state = oauth.authorization_url(metadata["authorization_endpoint"], nonce=secrets.token_urlsafe(16), prompt="consent")
    say(step="authorize", url=url)

    callback = sys.stdin.readline().strip()
    token = oauth.fetch_token(metadata["token_endpoint"], client_secret=client_secret, authorization_response=callback)
    userinfo = oauth.get(metadata["userinfo_endpoint"]).json()
    say(step="signed_in", sub=userinfo["sub"], preferred_username=userinfo.get("preferred_username"), userinfo=userinfo)

    refreshed = oauth.refresh_token(metadata["token_endpoint"], auth=HTTPBasicAuth(client_id, client_secret))
    again = oauth.get(metadata["userinfo_endpoint"]).json()
    say(step="refreshed", rotated=refreshed["refresh_token"] != token["refresh_token"], new_access_token=refreshed["access_token"] != token["access_token"], sub=again["sub"])

    logout = metadata["end_session_endpoint"] + "?" + urlencode(
        {"id_token_hint": token["id_token"], "post_logout_redirect_uri": post_logout_redirect_uri, "state": secrets.token_urlsafe(12)}
    )
    say(step="logout", url=logout)
    sys.stdin.readline()


if __name__ == "__main__":
    main()

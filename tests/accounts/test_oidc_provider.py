"""The test OpenID Connect provider behaves like a real one, driven with plain HTTP."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import jwt
import pytest
import requests

from tests.accounts.oidc import OIDCProvider, start_oidc_provider

REDIRECT_URI = "http://127.0.0.1:9/cb"  # never fetched: the tests stop at the 302


class _Forms(HTMLParser):
    """Collects each form's action, inputs (name → value) and submit button labels."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms.append({"action": attributes.get("action", ""), "fields": {}, "buttons": []})
        elif self.forms and tag in ("input", "button"):
            form = self.forms[-1]
            if attributes.get("type") == "submit" or tag == "button":
                form["buttons"].append(attributes.get("value", ""))
            elif attributes.get("name"):
                form["fields"][attributes["name"]] = attributes.get("value", "")

    def handle_data(self, data: str) -> None:
        # <button>Sign in</button> carries its label as text, not as a value.
        if self.forms and self.lasttag == "button" and data.strip():
            self.forms[-1]["buttons"].append(data.strip())


def _only_form(html: str) -> dict[str, Any]:
    parser = _Forms()
    parser.feed(html)
    assert len(parser.forms) == 1, html
    return parser.forms[0]


def _pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def provider() -> Iterator[OIDCProvider]:
    with start_oidc_provider([REDIRECT_URI]) as provider:
        yield provider


@pytest.fixture(scope="module")
def discovery(provider: OIDCProvider) -> dict[str, Any]:
    with requests.Session() as session:
        session.trust_env = False
        response = session.get(provider.discovery_url, timeout=10)
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.trust_env = False  # loopback only, whatever proxies the environment names
        yield session


def _authorize_url(discovery: dict[str, Any], client_id: str, **extra: str) -> str:
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid profile email",
        **extra,
    }
    return f"{discovery['authorization_endpoint']}?{urlencode(params)}"


def _sign_in_and_authorize(
    session: requests.Session, provider: OIDCProvider, url: str, username: str, password: str
) -> requests.Response:
    """Follow the browser's path up to (not into) the redirect back to the client."""
    response = session.get(url, allow_redirects=False)
    assert response.status_code == 302
    login_url = urljoin(url, response.headers["Location"])
    assert login_url.startswith(provider.login_url)

    page = session.get(login_url, allow_redirects=False)
    assert page.status_code == 200
    form = _only_form(page.text)
    assert {"username", "password", "csrfmiddlewaretoken"} <= form["fields"].keys()
    assert "Sign in" in form["buttons"]
    fields = {**form["fields"], "username": username, "password": password}
    response = session.post(urljoin(login_url, form["action"]), data=fields, allow_redirects=False)
    assert response.status_code == 302, response.text

    # Back to the authorize endpoint, now signed in.
    back = urljoin(login_url, response.headers["Location"])
    assert back.startswith(f"{provider.issuer}/authorize/")
    return session.get(back, allow_redirects=False)


def _callback_params(response: requests.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    location = response.headers["Location"]
    assert location.startswith(f"{REDIRECT_URI}?")
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def _exchange(
    session: requests.Session,
    discovery: dict[str, Any],
    code: str,
    client_id: str,
    client_secret: str,
    **extra: str,
) -> dict[str, Any]:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "client_id": client_id,
        "client_secret": client_secret,
        **extra,
    }
    response = session.post(discovery["token_endpoint"], data=data)
    assert response.status_code == 200, response.text
    return response.json()


def _userinfo(
    session: requests.Session, discovery: dict[str, Any], access_token: str
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {access_token}"}
    response = session.get(discovery["userinfo_endpoint"], headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_discovery(provider: OIDCProvider, discovery: dict[str, Any]) -> None:
    assert provider.issuer == f"{provider.url}/o"
    # Clients (allauth included) compare the ID token's iss with this value.
    assert discovery["issuer"] == provider.issuer
    for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint"):
        assert discovery[endpoint].startswith(f"{provider.issuer}/")
    assert "S256" in discovery["code_challenge_methods_supported"]
    assert "RS256" in discovery["id_token_signing_alg_values_supported"]


def test_authorization_code_flow_with_pkce(
    provider: OIDCProvider, discovery: dict[str, Any], session: requests.Session
) -> None:
    verifier, challenge = _pkce_pair()
    state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    url = _authorize_url(
        discovery,
        provider.client_id,
        state=state,
        nonce=nonce,
        code_challenge=challenge,
        code_challenge_method="S256",
    )
    # skip_authorization: straight back to the client, no consent screen.
    response = _sign_in_and_authorize(session, provider, url, provider.username, provider.password)
    params = _callback_params(response)
    assert params["state"] == state
    assert "error" not in params

    tokens = _exchange(
        session,
        discovery,
        params["code"],
        provider.client_id,
        provider.client_secret,
        code_verifier=verifier,
    )
    jwks = jwt.PyJWKSet.from_dict(session.get(discovery["jwks_uri"]).json())
    kid = jwt.get_unverified_header(tokens["id_token"])["kid"]
    claims = jwt.decode(
        tokens["id_token"],
        jwks[kid].key,
        algorithms=["RS256"],
        audience=provider.client_id,
        issuer=provider.issuer,
    )
    assert claims["nonce"] == nonce
    assert claims["email"] == provider.email

    userinfo = _userinfo(session, discovery, tokens["access_token"])
    assert userinfo["sub"] == claims["sub"]
    assert userinfo["email"] == "reader@example.net"
    assert userinfo["email_verified"] is True
    assert userinfo["name"] == "Rea Der"
    assert userinfo["preferred_username"] == "reader"
    assert userinfo["picture"] == provider.avatar_url
    avatar = session.get(userinfo["picture"])
    assert avatar.status_code == 200
    assert avatar.headers["Content-Type"] == "image/svg+xml"


def test_pkce_verifier_is_enforced_when_a_challenge_was_sent(
    provider: OIDCProvider, discovery: dict[str, Any], session: requests.Session
) -> None:
    _, challenge = _pkce_pair()
    url = _authorize_url(
        discovery, provider.client_id, code_challenge=challenge, code_challenge_method="S256"
    )
    response = _sign_in_and_authorize(session, provider, url, provider.username, provider.password)
    data = {
        "grant_type": "authorization_code",
        "code": _callback_params(response)["code"],
        "redirect_uri": REDIRECT_URI,
        "code_verifier": "not-the-verifier-" + "x" * 40,
    }
    # HTTP Basic client authentication works as well as client_secret_post.
    auth = (provider.client_id, provider.client_secret)
    response = session.post(discovery["token_endpoint"], data=data, auth=auth)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_user_without_email_gets_no_email_claim(
    provider: OIDCProvider, discovery: dict[str, Any], session: requests.Session
) -> None:
    # Without PKCE, which the provider also accepts.
    url = _authorize_url(discovery, provider.client_id, state="s1")
    response = _sign_in_and_authorize(
        session, provider, url, provider.noemail_username, provider.noemail_password
    )
    params = _callback_params(response)
    tokens = _exchange(
        session, discovery, params["code"], provider.client_id, provider.client_secret
    )
    userinfo = _userinfo(session, discovery, tokens["access_token"])
    assert userinfo["preferred_username"] == "noemail"
    assert "email" not in userinfo
    assert "email_verified" not in userinfo
    claims = jwt.decode(tokens["id_token"], options={"verify_signature": False})
    assert "email" not in claims


def test_consent_screen_cancel_denies_access(
    provider: OIDCProvider, discovery: dict[str, Any], session: requests.Session
) -> None:
    url = _authorize_url(discovery, provider.consent_client_id, state="cancel-me")
    page = _sign_in_and_authorize(session, provider, url, provider.username, provider.password)
    assert page.status_code == 200
    form = _only_form(page.text)
    assert {"Authorize", "Cancel"} <= set(form["buttons"])

    # Submitting without the "allow" button's name is what pressing Cancel sends.
    response = session.post(
        urljoin(page.url, form["action"]),
        data=form["fields"],
        allow_redirects=False,
    )
    params = _callback_params(response)
    assert params["error"] == "access_denied"
    assert params["state"] == "cancel-me"
    assert "code" not in params


def test_consent_screen_authorize_issues_a_code(
    provider: OIDCProvider, discovery: dict[str, Any], session: requests.Session
) -> None:
    url = _authorize_url(discovery, provider.consent_client_id, state="allow-me")
    page = _sign_in_and_authorize(session, provider, url, provider.username, provider.password)
    form = _only_form(page.text)
    response = session.post(
        page.url, data={**form["fields"], "allow": "Authorize"}, allow_redirects=False
    )
    params = _callback_params(response)
    assert params["state"] == "allow-me"
    tokens = _exchange(
        session,
        discovery,
        params["code"],
        provider.consent_client_id,
        provider.consent_client_secret,
    )
    assert _userinfo(session, discovery, tokens["access_token"])["email"] == provider.email

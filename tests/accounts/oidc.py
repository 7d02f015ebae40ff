"""Start the real OpenID Connect provider in ``tests/oidc_provider`` for a test.

    with start_oidc_provider([f"{live_server.url}/accounts/oidc/oidc/login/callback/"]) as idp:
        settings.SOCIALACCOUNT_PROVIDERS = idp.allauth_settings()

or, with automatic teardown, the ``oidc_provider_factory`` fixture.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.oidc_provider import constants as c

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 30.0
# allauth's generic OIDC provider with provider_id "oidc" under the default "oidc" URL prefix.
ALLAUTH_CALLBACK_PATH = "/accounts/oidc/oidc/login/callback/"


@dataclass
class OIDCProvider:
    """A running provider: where it is, and the fixed accounts and clients it knows."""

    url: str
    data_dir: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    client_id: str = c.CLIENT_ID
    client_secret: str = c.CLIENT_SECRET
    consent_client_id: str = c.CONSENT_CLIENT_ID
    consent_client_secret: str = c.CONSENT_CLIENT_SECRET
    username: str = c.USERNAME
    password: str = c.PASSWORD
    email: str = c.EMAIL
    first_name: str = c.FIRST_NAME
    last_name: str = c.LAST_NAME
    noemail_username: str = c.NOEMAIL_USERNAME
    noemail_password: str = c.NOEMAIL_PASSWORD

    @property
    def issuer(self) -> str:
        return f"{self.url}{c.ISSUER_PATH}"

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    @property
    def login_url(self) -> str:
        return f"{self.url}/accounts/login/"

    @property
    def avatar_url(self) -> str:
        return f"{self.url}{c.AVATAR_PATH}"

    @property
    def log_path(self) -> Path:
        return self.data_dir / "provider.log"

    def log(self) -> str:
        """The provider's stdout and stderr (request log, tracebacks), for failure messages."""
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def allauth_settings(self, *, consent: bool = False) -> dict[str, Any]:
        """``SOCIALACCOUNT_PROVIDERS`` for allauth's generic OpenID Connect provider.

        ``consent=True`` uses the client that shows the Authorize/Cancel screen.
        """
        client_id, secret = (
            (self.consent_client_id, self.consent_client_secret)
            if consent
            else (self.client_id, self.client_secret)
        )
        return {
            "openid_connect": {
                "OAUTH_PKCE_ENABLED": True,
                "APPS": [
                    {
                        "provider_id": "oidc",
                        "name": "Local OIDC",
                        "client_id": client_id,
                        "secret": secret,
                        "settings": {"server_url": self.issuer, "oauth_pkce_enabled": True},
                    }
                ],
            }
        }


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _launch(redirect_uris: list[str], data_dir: Path) -> OIDCProvider:
    port = _free_port()
    provider = OIDCProvider(url=f"http://127.0.0.1:{port}", data_dir=data_dir)
    env = {
        **os.environ,
        "OIDC_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings",
        "PYTHONUNBUFFERED": "1",
    }
    env["PYTHONPATH"] = os.pathsep.join(p for p in [str(REPO_ROOT), env.get("PYTHONPATH", "")] if p)
    args = [sys.executable, "-m", "tests.oidc_provider.run", "--port", str(port)]
    for uri in redirect_uris:
        args += ["--redirect-uri", uri]
    # Output goes to a file, not a pipe: nobody reads a pipe while tests run, and a full pipe
    # would block the server mid-request.
    with provider.log_path.open("ab") as log:
        provider.process = subprocess.Popen(
            args, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    return provider


def _wait_until_ready(provider: OIDCProvider, deadline: float) -> bool:
    """True once discovery answers 200; False if the process died (e.g. lost the port race)."""
    assert provider.process is not None
    with requests.Session() as session:
        session.trust_env = False  # never route loopback through a proxy from the environment
        while time.monotonic() < deadline:
            if provider.process.poll() is not None:
                return False
            try:
                if session.get(provider.discovery_url, timeout=1).status_code == 200:
                    return True
            except requests.RequestException:  # not listening yet, or still migrating
                pass
            time.sleep(0.1)
    raise TimeoutError(
        f"OIDC provider did not answer {provider.discovery_url} within {START_TIMEOUT:.0f}s:\n"
        + provider.log()
    )


@contextmanager
def start_oidc_provider(redirect_uris: list[str]) -> Iterator[OIDCProvider]:
    """Run the provider in a subprocess with its own temp database, for the ``with`` block.

    Both clients accept every URI in ``redirect_uris``; on 127.0.0.1 (and localhost) DOT
    ignores the port when matching (RFC 8252 loopback redirects), but the path must match.
    """
    if not redirect_uris:
        raise ValueError("at least one redirect URI is needed")
    data_dir = Path(tempfile.mkdtemp(prefix="oidc-provider-"))
    deadline = time.monotonic() + START_TIMEOUT
    provider: OIDCProvider | None = None
    try:
        # Another process can grab the free port before the provider binds it; retry then.
        for _attempt in range(3):
            provider = _launch(redirect_uris, data_dir)
            if _wait_until_ready(provider, deadline):
                break
            assert provider.process is not None
            _stop(provider.process)
        else:
            assert provider is not None
            raise RuntimeError("OIDC provider failed to start:\n" + provider.log())
        yield provider
    finally:
        if provider is not None and provider.process is not None:
            _stop(provider.process)
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture
def oidc_provider_factory() -> Iterator[Callable[[list[str]], OIDCProvider]]:
    """``oidc_provider_factory([redirect_uri, ...])`` starts a provider, stopped after the test."""
    with ExitStack() as stack:

        def start(redirect_uris: list[str]) -> OIDCProvider:
            return stack.enter_context(start_oidc_provider(redirect_uris))

        yield start

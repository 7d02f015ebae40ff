"""Run the test OpenID Connect provider until killed.

    python -m tests.oidc_provider.run --port 8765 --redirect-uri http://127.0.0.1:8000/cb

Migrates a SQLite database in ``$OIDC_DATA_DIR`` (a fresh temp dir if unset), provisions the
fixed users and clients from ``constants.py`` idempotently, then serves on 127.0.0.1 and prints
``READY http://127.0.0.1:<port>/o`` once it accepts connections.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import FrameType

REPO_ROOT = Path(__file__).resolve().parents[2]


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument(
        "--redirect-uri",
        dest="redirect_uris",
        action="append",
        required=True,
        help="may be repeated; registered on both clients",
    )
    return parser.parse_args(argv)


def _configure(port: int) -> None:
    # Overwrite rather than setdefault: a parent pytest process exports broadsheet's settings.
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    os.environ["OIDC_PORT"] = str(port)
    if not os.environ.get("OIDC_DATA_DIR"):
        os.environ["OIDC_DATA_DIR"] = tempfile.mkdtemp(prefix="oidc-provider-")
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))

    import django

    django.setup()


def _provision(redirect_uris: list[str]) -> None:
    from django.contrib.auth import get_user_model
    from oauth2_provider.models import get_application_model

    from tests.oidc_provider import constants as c

    user_model = get_user_model()
    for username, password, email, first, last in [
        (c.USERNAME, c.PASSWORD, c.EMAIL, c.FIRST_NAME, c.LAST_NAME),
        (c.NOEMAIL_USERNAME, c.NOEMAIL_PASSWORD, "", "", ""),
    ]:
        user, _ = user_model.objects.get_or_create(username=username)
        user.email, user.first_name, user.last_name = email, first, last
        user.set_password(password)
        user.save()

    application_model = get_application_model()
    for client_id, secret, skip in [
        (c.CLIENT_ID, c.CLIENT_SECRET, True),
        (c.CONSENT_CLIENT_ID, c.CONSENT_CLIENT_SECRET, False),
    ]:
        application_model.objects.update_or_create(
            client_id=client_id,
            defaults={
                "name": f"Broadsheet ({client_id})",
                "client_type": application_model.CLIENT_CONFIDENTIAL,
                "authorization_grant_type": application_model.GRANT_AUTHORIZATION_CODE,
                "algorithm": application_model.RS256_ALGORITHM,
                # DOT stores several redirect URIs space-separated in one field.
                "redirect_uris": " ".join(redirect_uris),
                # DOT 3 hashes client_secret on save by default; keep the plaintext so the
                # known secret (and HS256, should anyone switch) keeps working.
                "hash_client_secret": False,
                "client_secret": secret,
                "skip_authorization": skip,
            },
        )
        stored = application_model.objects.get(client_id=client_id).client_secret
        if stored != secret:
            raise RuntimeError(f"client secret of {client_id} was not stored in plaintext")


def _exit_with_parent() -> None:
    """Stop when the process that started us goes away (e.g. pytest killed with SIGKILL), so
    no orphaned provider keeps its port and temp dir."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def _serve(port: int) -> None:
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    server = ThreadedWSGIServer(("127.0.0.1", port), WSGIRequestHandler, ipv6=False)
    server.set_app(get_wsgi_application())

    def _stop(signum: int, frame: FrameType | None) -> None:
        # Unwinds serve_forever() in the main thread so the socket is closed cleanly.
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, _stop)
    # The socket is bound and listening already, so clients can connect from here on.
    print(f"READY http://127.0.0.1:{port}/o", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


def main(argv: list[str] | None = None) -> None:
    args = _parse_args(argv)
    _exit_with_parent()
    _configure(args.port)

    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    _provision(args.redirect_uris)
    _serve(args.port)


if __name__ == "__main__":
    main()

"""Fixed accounts and clients of the test provider, shared by ``run.py`` and the test helpers.

This module imports nothing from Django so the test process can read it without configuring
the provider's settings.
"""

from __future__ import annotations

CLIENT_ID = "broadsheet-test"
CLIENT_SECRET = "broadsheet-test-secret"
CONSENT_CLIENT_ID = "broadsheet-test-consent"
CONSENT_CLIENT_SECRET = "broadsheet-test-consent-secret"

USERNAME = "reader"
PASSWORD = "reader-password-1"
EMAIL = "reader@example.net"
FIRST_NAME = "Rea"
LAST_NAME = "Der"

NOEMAIL_USERNAME = "noemail"
NOEMAIL_PASSWORD = "noemail-password-1"

# DOT is mounted here, so the issuer is ``<base>/o``.
ISSUER_PATH = "/o"
AVATAR_PATH = "/static-avatar.svg"

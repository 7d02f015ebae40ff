"""Settings of the test OpenID Connect provider; configured by ``run.py`` through the environment.

``OIDC_DATA_DIR`` (required) holds the SQLite database, the RSA signing key and nothing else;
``OIDC_PORT`` is the port the provider serves on, so the issuer is fixed whatever Host a client
sends.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.oidc_provider.constants import AVATAR_PATH, ISSUER_PATH

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ["OIDC_DATA_DIR"])
PORT = int(os.environ.get("OIDC_PORT", "8000"))
BASE_URL = f"http://127.0.0.1:{PORT}"
OIDC_AVATAR_URL = f"{BASE_URL}{AVATAR_PATH}"


def _rsa_private_key(path: Path) -> str:
    """Generate the ID-token signing key on first start and reuse it afterwards."""
    if not path.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            encoding=serialization.Encoding.PEM,
            format=serialization.PrivateFormat.PKCS8,
            encryption_algorithm=serialization.NoEncryption(),
        )
        # Write then rename, so a crash never leaves a truncated key behind.
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(pem)
        tmp.chmod(0o600)
        tmp.replace(path)
    return path.read_text()


SECRET_KEY = "oidc-test-provider-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "oauth2_provider",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "tests.oidc_provider.urls"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Our DIRS come first, so templates/oauth2_provider/base.html replaces DOT's.
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "oidc-provider.sqlite3",
        # The server is threaded; wait for the write lock instead of failing with "locked".
        "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Fast hashing: these are throwaway test accounts and every sign-in pays the hash cost.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Cookies ignore ports, and the provider shares 127.0.0.1 with the site under test: distinct
# names keep the two apps from overwriting each other's session and CSRF cookies in a browser.
SESSION_COOKIE_NAME = "oidc_provider_sessionid"
CSRF_COOKIE_NAME = "oidc_provider_csrftoken"

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/o/.well-known/openid-configuration"

USE_TZ = True
TIME_ZONE = "UTC"
STATIC_URL = "/static/"

OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": _rsa_private_key(DATA_DIR / "oidc-rsa.pem"),
    # Pinned rather than derived from the Host header, so discovery, ID tokens and what the
    # client was told always agree.
    "OIDC_ISS_ENDPOINT": f"{BASE_URL}{ISSUER_PATH}",
    # Clients may or may not send PKCE; both must work.
    "PKCE_REQUIRED": False,
    "SCOPES": {
        "openid": "Sign you in",
        "profile": "See your name, username and picture",
        "email": "See your email address",
    },
    "DEFAULT_SCOPES": ["openid"],
    "OAUTH2_VALIDATOR_CLASS": "tests.oidc_provider.validators.ClaimsValidator",
    # Redirect URIs on 127.0.0.1 already match any port (RFC 8252); extend that to "localhost",
    # which pytest-django's live_server uses.
    "ALLOW_LOCALHOST_LOOPBACK": True,
}

# With DEBUG off Django would swallow tracebacks; send them to stderr (run.py's log file).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django": {"handlers": ["stderr"], "level": "WARNING"},
        "django.server": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "oauth2_provider": {"handlers": ["stderr"], "level": "WARNING"},
    },
}

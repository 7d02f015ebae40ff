"""Broadsheet's settings: one module, every knob an environment variable.

Each variable is documented in docs/configuration.md (tests/test_configuration.py fails when one
is not). A malformed value stops start-up with a message naming the variable and an example.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url

from broadsheet.accounts.providers.config import social_providers
from broadsheet.core import sqlite
from broadsheet.core.env import SettingError, env_bool, env_int, env_list, env_str, env_url

PACKAGE_DIR = Path(__file__).resolve().parent

DATA_DIR = Path(env_str("DATA_DIR", str(Path.cwd() / "data"))).expanduser().resolve()
try:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
except OSError as exc:
    raise SettingError(
        "DATA_DIR", f"names a folder that cannot be created ({exc})", "/var/lib/broadsheet"
    ) from None


DEBUG = env_bool("DEBUG", False)


def _languages(codes: list[str], site: str) -> list[tuple[str, str]]:
    """LANGUAGES from language codes Django knows, the site's own language always among them."""
    from django.conf.locale import LANG_INFO

    chosen: list[tuple[str, str]] = []
    for code in [site, *codes]:
        code = code.replace("_", "-").lower()
        info = LANG_INFO.get(code) or LANG_INFO.get(code.split("-")[0])
        if info is None or "name" not in info:
            name = "LANGUAGE_CODE" if code == site else "LANGUAGES"
            raise SettingError(name, f"names a language Django does not know ({code!r})", "de")
        if code not in (c for c, _ in chosen):
            chosen.append((code, str(info["name"])))
    return chosen


SITE_URL = env_url(
    "SITE_URL",
    "http://127.0.0.1:8000",
    schemes=("http", "https"),
    example="https://essays.example.org",
).rstrip("/")
_site = urlsplit(SITE_URL)
SITE_NAME = env_str("SITE_NAME", "Broadsheet")
SITE_TAGLINE = env_str(
    "SITE_TAGLINE", "Long-form essays, with sources, and the discussion around them"
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [_site.hostname or "127.0.0.1", "127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = [f"{_site.scheme}://{_site.netloc}"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "broadsheet.core",
    "broadsheet.accounts",
    "broadsheet.media",
    "broadsheet.publishing",
    "broadsheet.discussion",
    "broadsheet.moderation",
    "broadsheet.notifications",
    "broadsheet.feeds",
    "broadsheet.search",
    "broadsheet.importers",
    "broadsheet.corrections",
    "broadsheet.notes",
    "broadsheet.webmention",
    "broadsheet.federation",
    "broadsheet.studio",
    "broadsheet.api",
    "broadsheet.embed",
    "broadsheet.operations",
    "django_tasks",
    "broadsheet.core.tasks_app.TasksDatabaseConfig",  # django_tasks_db, named in our language
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.facebook",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.twitter_oauth2",
    "allauth.socialaccount.providers.github",
    "allauth.socialaccount.providers.orcid",
    "allauth.socialaccount.providers.openid_connect",
    "broadsheet.accounts.providers.wordpress_com",
]

MIDDLEWARE = [
    # Outermost: it stores pages with every header the others add, and a hit skips them all
    # (personal requests bypass it; broadsheet.wsgi answers hits even before Django).
    "broadsheet.core.pagecache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "broadsheet.core.middleware.SecurityHeadersMiddleware",
    "broadsheet.core.middleware.DefaultPrivateCacheMiddleware",
    "broadsheet.core.middleware.RejectNulBytesMiddleware",
    "broadsheet.embed.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in account's chosen language (after LocaleMiddleware, when READER_LANGUAGE adds it).
    "broadsheet.accounts.language.AccountLanguageMiddleware",
    "broadsheet.embed.middleware.EmbedTokenMiddleware",
    "broadsheet.embed.middleware.SignInWindowMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "broadsheet.publishing.middleware.OldPermalinkRedirectMiddleware",
    # An essay's address asked for application/activity+json answers with its Article.
    "broadsheet.federation.middleware.ActivityNegotiationMiddleware",
]
# Outside the page cache: every request Django answers gets an id (X-Request-Id), a log line and
# its metrics (broadsheet.operations.requests).
MIDDLEWARE.insert(0, "broadsheet.operations.requests.RequestMiddleware")

ROOT_URLCONF = "broadsheet.urls"
WSGI_APPLICATION = "broadsheet.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "broadsheet.core.context_processors.site",
                "broadsheet.publishing.context_processors.navigation",
            ],
        },
    },
]

# --- database ---------------------------------------------------------------------------
_default_db = f"sqlite:///{DATA_DIR / 'broadsheet.sqlite3'}"
_database_url = env_str("DATABASE_URL", _default_db) or _default_db
try:
    _db = dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)
except Exception as exc:  # dj-database-url raises several types for bad URLs
    raise SettingError(
        "DATABASE_URL", f"cannot be read ({exc})", "postgres://user@127.0.0.1:5432/broadsheet"
    ) from None
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["ENGINE"] = sqlite.ENGINE  # Django's, remembering rewritten SQL (0135)
    # Kept open between requests (as PostgreSQL's are for 60 s): opening a connection and
    # running the PRAGMAs below cost more than a cached page. Outside a transaction a WAL
    # reader holds no snapshot, so an idle connection blocks nothing.
    _db["CONN_MAX_AGE"] = 600
    _db["OPTIONS"] = {
        # WAL lets readers proceed while one writer writes; IMMEDIATE transactions plus a busy
        # timeout make concurrent writers queue instead of failing with "database is locked".
        # The file is memory-mapped (up to 128 MiB): a page of 2,000 comments reads a few MB of
        # rows, which SQLite's own 2 MB page cache would fetch again on every render, one read
        # call per page; mapped pages are shared by every worker through the OS's cache.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA mmap_size=134217728;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20, minimum=1),
    }
    # Tests use a database in memory. Said outright: tools that tell SQLite by Django's
    # ENGINE name (pytest-django's per-process test database names) would take a file.
    _db.setdefault("TEST", {}).setdefault("NAME", ":memory:")
elif _db["ENGINE"] not in ("django.db.backends.postgresql",):
    raise SettingError(
        "DATABASE_URL", "must point at SQLite or PostgreSQL", "sqlite:///data/broadsheet.sqlite3"
    )
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache ---------------------------------------------------------------------------
# Two caches: "default" keeps small shared state (sign-in limits, settings, navigation) and
# "pages" keeps whole pages (broadsheet.core.pagecache). Pages come and go by the thousand and
# a full cache drops entries to make room; kept apart, that never drops a rate-limit counter.
CACHES: dict[str, dict[str, Any]]
REDIS_URL = env_url(
    "REDIS_URL", "", schemes=("redis", "rediss", "unix"), example="redis://127.0.0.1:6379/0"
)
PAGE_CACHE_REDIS_URL = env_url(
    "PAGE_CACHE_REDIS_URL",
    REDIS_URL,
    schemes=("redis", "rediss", "unix"),
    example="redis://127.0.0.1:6380/0",
)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "broadsheet",
        },
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": PAGE_CACHE_REDIS_URL or REDIS_URL,
            "KEY_PREFIX": "broadsheet-pages",
        },
    }
else:
    # A file cache is shared by every worker process on the machine, unlike the memory cache.
    # Each folder has its own limit; a full one first drops what has expired (core.filecache).
    CACHES = {
        "default": {
            "BACKEND": "broadsheet.core.filecache.FileCache",
            "LOCATION": str(DATA_DIR / "cache" / "shared"),
            "OPTIONS": {"MAX_ENTRIES": 1_000_000},
        },
        "pages": {
            "BACKEND": "broadsheet.core.filecache.FileCache",
            "LOCATION": str(DATA_DIR / "cache" / "pages"),
            # Django's default of 300 entries would drop pages long before the disk fills.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        },
    }


def _secret_key(*, shared_services: str) -> str:
    key = env_str("SECRET_KEY", "")
    if key:
        if len(key) < 32:
            raise SettingError(
                "SECRET_KEY",
                "is too short (use at least 32 random characters)",
                secrets.token_urlsafe(48),
            )
        return key
    if shared_services:
        # Each machine would make its own key in its own DATA_DIR: a session or a signed link
        # made on one would be refused by the others.
        raise SettingError(
            "SECRET_KEY",
            f"must be set, the same on every machine, when the site shares {shared_services}: a"
            " key generated in each machine's DATA_DIR would make sessions and signed links fail"
            " on the others. Generate one once and set it on every web server and worker",
            secrets.token_urlsafe(48),
        )
    path = DATA_DIR / "secret_key"
    if not path.exists():
        # Generated once and kept, so sessions survive restarts. Written to a private temporary
        # file and hard-linked into place: concurrent first starts all end up with one key.
        tmp = DATA_DIR / f".secret_key.{secrets.token_hex(8)}"
        tmp.write_text(secrets.token_urlsafe(48), encoding="ascii")
        tmp.chmod(0o600)
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
        tmp.unlink()
    return path.read_text(encoding="ascii").strip()


# Shared services mean several machines may serve the site (docs/deployment.md).
SECRET_KEY = _secret_key(
    shared_services=" and ".join(
        name
        for name, shared in (
            ("PostgreSQL (DATABASE_URL)", _db["ENGINE"] == "django.db.backends.postgresql"),
            ("Redis (REDIS_URL)", bool(REDIS_URL)),
        )
        if shared
    )
)

# --- accounts ---------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

# Accounts (django-allauth): sign-up by email with verification, login by email or username,
# passwordless sign-in by an emailed code, rate limits per IP and per account, and no account
# enumeration through sign-up or reset messages.
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# Following the emailed link in the browser that signed up signs in (allauth does so only
# while the sign-up is in that session) and returns to where the sign-up began (`next`).
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_ADAPTER = "broadsheet.accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "broadsheet.accounts.adapters.SocialAccountAdapter"
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "request_login_code": "20/m/ip,3/m/key",
    "change_email": "1/m/user",
}
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_QUERY_EMAIL = True
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_PROVIDERS = social_providers()

# Whether people erasing their data may remove the text of their comments (not only anonymise).
PRIVACY_ALLOW_COMMENT_REMOVAL = env_bool("PRIVACY_ALLOW_COMMENT_REMOVAL", True)

# --- background work ----------------------------------------------------------------------
# django-tasks with its database backend: no broker to run; `broadsheet worker` runs the queue.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- operations (docs/deployment.md) -------------------------------------------------------
# The worker backs the site up once a day into DATA_DIR/backups/ and keeps this many of its
# backups (the newest); 0 turns the daily backup off (`broadsheet backup` still works).
BACKUP_KEEP = env_int("BACKUP_KEEP", 7, minimum=0, maximum=1000)
# /metrics answers requests from this machine (loopback); from anywhere else only with
# `Authorization: Bearer <METRICS_TOKEN>`. Empty: loopback only.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
# The log's format: "plain" (one readable line per request) or "json" (one JSON object a line).
LOG_FORMAT = env_str("LOG_FORMAT", "plain").lower()
if LOG_FORMAT not in ("plain", "json"):
    raise SettingError("LOG_FORMAT", "must be plain or json", "json")

# --- mail -------------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1, maximum=65535)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", EMAIL_PORT == 587)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", EMAIL_PORT == 465)
    EMAIL_TIMEOUT = 20
else:
    # No mail server configured: messages are printed on the console (the server's log).
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str(
    "DEFAULT_FROM_EMAIL", f"{SITE_NAME} <noreply@{_site.hostname or 'localhost'}>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- i18n -------------------------------------------------------------------------------
# The site's language (its interface and the default language of a new post), and the
# languages it is translated into that readers may get (docs/translations.md).
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "en").replace("_", "-").lower() or "en"
LANGUAGES = _languages(env_list("LANGUAGES", ["en", "de", "es", "ar"]), LANGUAGE_CODE)
# Readers get the interface in their browser's language (Accept-Language) when it is one of
# LANGUAGES: django.middleware.locale.LocaleMiddleware runs, and the page cache keeps one copy
# of each page per language (broadsheet.core.pagecache). Off: every reader gets LANGUAGE_CODE.
READER_LANGUAGE = env_bool("READER_LANGUAGE", False)
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
# Dates on pages follow the reader's language (DATE_FORMAT …); English keeps "March 14, 2026"
# and Arabic gains a date-and-time format (decision 0115).
FORMAT_MODULE_PATH = ["broadsheet.core.formats"]
if READER_LANGUAGE:
    # After sessions (it reads none of ours, but Django documents the order), before Common.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.common.CommonMiddleware"),
        "django.middleware.locale.LocaleMiddleware",
    )


def _file_storages() -> dict[str, dict[str, Any]]:
    """Uploads: avatars (public, `default`) and exports uploaded for import (private,
    `imports`, read by the worker). In DATA_DIR on one machine; in an S3-compatible bucket,
    which every machine reaches alike, once S3_BUCKET is set (django-storages)."""
    bucket = env_str("S3_BUCKET", "")
    if not bucket:
        local = "django.core.files.storage.FileSystemStorage"
        return {
            "default": {"BACKEND": local},
            "imports": {"BACKEND": local, "OPTIONS": {"location": DATA_DIR / "imports"}},
        }
    try:
        import storages.backends.s3  # noqa: F401
    except ImportError:
        raise SettingError(
            "S3_BUCKET",
            "needs django-storages: install Broadsheet with pip install 'broadsheet[s3]'",
            bucket,
        ) from None
    endpoint = env_url(
        "S3_ENDPOINT_URL", "", schemes=("http", "https"), example="https://s3.example.net"
    )
    public = urlsplit(
        env_url("S3_PUBLIC_URL", "", schemes=("http", "https"), example="https://media.example.org")
    )
    common: dict[str, Any] = {
        "bucket_name": bucket,
        "endpoint_url": endpoint or None,
        "region_name": env_str("S3_REGION", "") or None,
        "access_key": env_str("S3_ACCESS_KEY_ID", "") or None,
        "secret_key": env_str("S3_SECRET_ACCESS_KEY", "") or None,
        "default_acl": None,  # the bucket's policy decides who reads (docs/deployment.md)
        # A new upload gets a new name, as on disk, so no cache keeps showing an old photo.
        "file_overwrite": False,
        # S3-compatible servers (MinIO, Ceph, R2 …) answer at endpoint/bucket/name.
        "addressing_style": "path" if endpoint else None,
    }
    media: dict[str, Any] = {
        **common,
        "location": "media",  # the one prefix the bucket lets anyone read
        # Pages, cached whole, carry these addresses: plain public ones that never expire.
        "querystring_auth": False,
        "object_parameters": {"CacheControl": "public, max-age=86400"},
    }
    if public.netloc:
        media["custom_domain"] = public.netloc + public.path.rstrip("/")
        media["url_protocol"] = f"{public.scheme}:"
    backend = "storages.backends.s3.S3Storage"
    return {
        "default": {"BACKEND": backend, "OPTIONS": media},
        "imports": {"BACKEND": backend, "OPTIONS": {**common, "location": "imports"}},
    }


# --- static and media -------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise serves from here once collectstatic has run
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    **_file_storages(),
    # Hashed file names and pre-compressed copies: served with a one-year cache lifetime.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_REQUEST_BYTES", 2_621_440, minimum=1024)

# The media library (broadsheet.media): the largest image a writer may upload, and the most
# pixels one may have (checked from its header before it is decoded: a small file can declare
# 50,000 × 50,000 pixels and would take gigabytes to decode).
MEDIA_MAX_MB = env_int("MEDIA_MAX_MB", 20, minimum=1, maximum=500)
MEDIA_MAX_PIXELS = env_int("MEDIA_MAX_MEGAPIXELS", 100, minimum=1, maximum=1000) * 1_000_000

# --- security ---------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin-allow-popups"
X_FRAME_OPTIONS = "DENY"
# Django sends HSTS only on requests that arrived over HTTPS, so a plain-HTTP test site is safe.
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31_536_000, minimum=0)
if env_bool("BEHIND_HTTPS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind a reverse proxy every request comes from the proxy's address; with this on, the
# client's address is the last one the proxy appended to X-Forwarded-For (flood checks, spam).
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = _site.scheme == "https"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- publishing -------------------------------------------------------------------------
POSTS_PER_PAGE = env_int("POSTS_PER_PAGE", 10, minimum=1, maximum=100)
# WordPress's WP_POST_REVISIONS: -1 keeps every revision of a post, 0 none, N the last N.
# Published versions (their permanent addresses) and refused saves are kept whatever the cap.
POST_REVISIONS = env_int("POST_REVISIONS", -1, minimum=-1)
# Whole pages for anonymous readers are kept in the cache (CACHES) and served from it until
# something they show changes (broadsheet.core.pagecache).
PAGE_CACHE = env_bool("PAGE_CACHE", True)
# A cache in front of the site (a CDN, a purging proxy): pages then say how they may be kept
# there and what they show (Cache-Tag / Surrogate-Key), and the worker POSTs the tags of every
# change to this address, so that cache can drop exactly those pages.
PAGE_PURGE_URL = env_url(
    "PAGE_PURGE_URL", "", schemes=("http", "https"), example="https://cdn.example/purge"
)
# Largest file an administrator may upload to Tools → Import in the admin (the command line
# has no limit: it streams).
IMPORT_UPLOAD_MAX_MB = env_int("IMPORT_UPLOAD_MAX_MB", 512, minimum=1, maximum=100_000)
# `broadsheet import wordpress --media download`: the largest image copied from the old site,
# and the seconds one image may take (broadsheet.importers.fetch).
IMPORT_MEDIA_MAX_MB = env_int("IMPORT_MEDIA_MAX_MB", 20, minimum=1, maximum=1000)
IMPORT_MEDIA_TIMEOUT = env_int("IMPORT_MEDIA_TIMEOUT", 30, minimum=1, maximum=600)
# Tests only (no environment variable): lets the import fetch images from 127.0.0.1, where the
# tests' own HTTP server runs; everywhere else loopback and private addresses are refused.
IMPORT_MEDIA_ALLOW_LOOPBACK = False

# --- the discussion, second pass (issue 22, docs/discussion.md) ------------------------------
# Minutes after writing a comment in which its writer may edit or delete it on the site (an
# account by its session, a guest by the signed cookie that lists their comments); 0: never.
COMMENT_EDIT_MINUTES = env_int("COMMENT_EDIT_MINUTES", 15, minimum=0, maximum=10_080)
# Reports a reader may file per hour (per account, or per address for guests).
COMMENT_REPORTS_PER_HOUR = env_int("COMMENT_REPORTS_PER_HOUR", 10, minimum=1, maximum=10_000)

# --- the API (/api/v1/, docs/api.md) and the embedded thread (docs/embed.md) ---------------
# Origins (scheme://host[:port]) whose pages may embed a thread: CORS answers them, and a first
# comment on one of their pages starts its thread (publishing.threads).
EMBED_ALLOWED_ORIGINS = [
    origin.rstrip("/") for origin in env_list("EMBED_ALLOWED_ORIGINS", []) if origin.strip("/")
]
# Minutes in which a commenter may edit or delete their own comment through the API; the
# site's own window (COMMENT_EDIT_MINUTES) unless set apart.
API_EDIT_MINUTES = env_int("API_EDIT_MINUTES", COMMENT_EDIT_MINUTES, minimum=0, maximum=10_080)
# Requests per minute through the API, per access token (or signed-in reader), and per address
# for the rest; beyond them the API answers 429 with Retry-After.
API_RATE_PER_TOKEN = env_int("API_RATE_PER_TOKEN", 600, minimum=1)
API_RATE_PER_IP = env_int("API_RATE_PER_IP", 300, minimum=1)
# The largest request body the API reads, in kilobytes (a comment is at most 64 KB).
API_MAX_BODY_KB = env_int("API_MAX_BODY_KB", 128, minimum=16, maximum=10_240)
# Webmention (docs/webmention.md): the largest source page read when verifying a mention, and
# the seconds one fetch (a source, or a linked page's endpoint) may take.
WEBMENTION_MAX_KB = env_int("WEBMENTION_MAX_KB", 1024, minimum=16, maximum=100_000)
WEBMENTION_TIMEOUT = env_int("WEBMENTION_TIMEOUT", 10, minimum=1, maximum=120)
# Send Webmentions to the pages an essay links to when it is published or a new version is.
WEBMENTION_SEND = env_bool("WEBMENTION_SEND", True)
# Webmentions the endpoint takes an hour from one IP address, and naming sources on one host;
# beyond them it answers 429 with Retry-After (each one makes the worker fetch a page).
WEBMENTION_PER_HOUR_IP = env_int("WEBMENTION_PER_HOUR_IP", 60, minimum=1)
WEBMENTION_PER_HOUR_SOURCE = env_int("WEBMENTION_PER_HOUR_SOURCE", 30, minimum=1)
# Tests only (no environment variable): lets Webmention fetch from 127.0.0.1, where the tests'
# own HTTP servers run; everywhere else loopback and private addresses are refused.
WEBMENTION_ALLOW_PRIVATE = False

# --- federation: ActivityPub (docs/federation.md) ----------------------------------------
# Off until the site's owner turns it on: actors, WebFinger, NodeInfo, inboxes, delivery.
FEDERATION_ENABLED = env_bool("FEDERATION_ENABLED", False)
# Servers (host names: a domain blocks its subdomains too) and actors (their ids) refused.
FEDERATION_BLOCKED = env_list("FEDERATION_BLOCKED", [])
# Seconds for one fetch or delivery; the largest activity or document accepted, in KB.
FEDERATION_TIMEOUT = env_int("FEDERATION_TIMEOUT", 10, minimum=1, maximum=120)
FEDERATION_MAX_KB = env_int("FEDERATION_MAX_KB", 1024, minimum=16, maximum=100_000)
# Deliveries the worker makes at once; deliveries accepted a minute from one server.
FEDERATION_DELIVERY_THREADS = env_int("FEDERATION_DELIVERY_THREADS", 16, minimum=1, maximum=128)
FEDERATION_INBOX_PER_MINUTE = env_int("FEDERATION_INBOX_PER_MINUTE", 600, minimum=1)
# Tests only (no environment variable): lets federation reach 127.0.0.1.
FEDERATION_ALLOW_PRIVATE = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "broadsheet.core.requestlog.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
        "json": {"()": "broadsheet.core.requestlog.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO").upper()},
    # The task queue reports every poll at INFO; its warnings and errors are what matter.
    "loggers": {name: {"level": "WARNING"} for name in ("django_tasks", "django_tasks_db")},
}

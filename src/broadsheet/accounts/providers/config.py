"""Social sign-in providers, each switched on by its client id and secret in the environment.

Providers can also be added in the admin (Social applications); both ways show an icon on the
comment form. Read at start-up by settings.py; documented in docs/configuration.md and
docs/social-login.md.
"""

from __future__ import annotations

from typing import Any

from broadsheet.core.env import SettingError, env_bool, env_str, env_url

# allauth provider id → the prefix of its environment variables, and settings of its own.
PROVIDERS: dict[str, tuple[str, dict[str, Any]]] = {
    "facebook": ("FACEBOOK", {"SCOPE": ["email", "public_profile"], "METHOD": "oauth2"}),
    "google": ("GOOGLE", {"SCOPE": ["profile", "email"], "OAUTH_PKCE_ENABLED": True}),
    "twitter_oauth2": ("X", {"OAUTH_PKCE_ENABLED": True}),
    "github": ("GITHUB", {"SCOPE": ["read:user", "user:email"]}),
    "orcid": ("ORCID", {}),
    "wordpress_com": ("WORDPRESS_COM", {}),
}


def _credentials(prefix: str) -> tuple[str, str] | None:
    client_id = env_str(f"{prefix}_CLIENT_ID", "")
    secret = env_str(f"{prefix}_CLIENT_SECRET", "")
    if bool(client_id) != bool(secret):
        missing = f"{prefix}_CLIENT_SECRET" if client_id else f"{prefix}_CLIENT_ID"
        raise SettingError(
            missing,
            f"is needed too, since {prefix}_CLIENT_{'ID' if client_id else 'SECRET'} is set",
            "…",
        )
    return (client_id, secret) if client_id else None


def social_providers() -> dict[str, Any]:
    providers: dict[str, Any] = {}
    for provider_id, (prefix, extra) in PROVIDERS.items():
        credentials = _credentials(prefix)
        if credentials is None:
            continue
        config = {"APPS": [{"client_id": credentials[0], "secret": credentials[1]}], **extra}
        if provider_id == "orcid" and env_bool("ORCID_SANDBOX", False):
            config["BASE_DOMAIN"] = "sandbox.orcid.org"
        providers[provider_id] = config
    # Any OpenID Connect provider, found from its issuer's discovery document.
    issuer = env_url(
        "OIDC_ISSUER_URL",
        "",
        schemes=("https", "http"),
        example="https://login.example.org/realms/site",
    )
    credentials = _credentials("OIDC")
    if issuer and credentials:
        providers["openid_connect"] = {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": env_str("OIDC_PROVIDER_ID", "oidc"),
                    "name": env_str("OIDC_NAME", "OpenID Connect"),
                    "client_id": credentials[0],
                    "secret": credentials[1],
                    "settings": {"server_url": issuer, "oauth_pkce_enabled": True},
                }
            ],
        }
    elif issuer or credentials:
        raise SettingError(
            "OIDC_ISSUER_URL",
            "and OIDC_CLIENT_ID / OIDC_CLIENT_SECRET must be set together",
            "https://login.example.org",
        )
    return providers


# Where each provider's sign-in page lives (the comment form's redirect goes there).
PROVIDER_ORIGINS = {
    "facebook": ["https://www.facebook.com"],
    "google": ["https://accounts.google.com"],
    "twitter_oauth2": ["https://x.com", "https://twitter.com"],
    "github": ["https://github.com"],
    "orcid": ["https://orcid.org", "https://sandbox.orcid.org"],
    "wordpress_com": ["https://public-api.wordpress.com"],
}


def sign_in_origins() -> set[str]:
    """Origins of the configured providers' sign-in pages, for the CSP's form-action."""
    from urllib.parse import urlsplit

    from django.conf import settings

    origins: set[str] = set()
    for provider_id, config in getattr(settings, "SOCIALACCOUNT_PROVIDERS", {}).items():
        origins.update(PROVIDER_ORIGINS.get(provider_id, []))
        for app in config.get("APPS", []):
            server = (app.get("settings") or {}).get("server_url", "")
            if server:
                parts = urlsplit(server)
                origins.add(f"{parts.scheme}://{parts.netloc}")
    return origins

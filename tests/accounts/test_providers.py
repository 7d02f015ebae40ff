"""Providers are switched on by their environment variables; the WordPress.com provider reads
WordPress.com's account fields."""

from __future__ import annotations

from typing import Any

import pytest

from broadsheet.accounts.providers.config import social_providers
from broadsheet.core.env import SettingError


def test_no_variables_no_providers(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "GITHUB_CLIENT_ID",
        "GITHUB_CLIENT_SECRET",
        "OIDC_ISSUER_URL",
        "OIDC_CLIENT_ID",
        "OIDC_CLIENT_SECRET",
    ):
        monkeypatch.delenv(name, raising=False)
    assert social_providers() == {}


def test_a_provider_is_on_when_its_id_and_secret_are_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_CLIENT_ID", "abc")
    monkeypatch.setenv("GITHUB_CLIENT_SECRET", "xyz")
    monkeypatch.setenv("ORCID_CLIENT_ID", "APP-1")
    monkeypatch.setenv("ORCID_CLIENT_SECRET", "s")
    monkeypatch.setenv("ORCID_SANDBOX", "true")
    providers = social_providers()
    assert providers["github"]["APPS"] == [{"client_id": "abc", "secret": "xyz"}]
    assert providers["orcid"]["BASE_DOMAIN"] == "sandbox.orcid.org"


def test_any_openid_connect_issuer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OIDC_ISSUER_URL", "https://login.example.org/realms/site")
    monkeypatch.setenv("OIDC_CLIENT_ID", "site")
    monkeypatch.setenv("OIDC_CLIENT_SECRET", "s")
    monkeypatch.setenv("OIDC_NAME", "University login")
    [app] = social_providers()["openid_connect"]["APPS"]
    assert app["name"] == "University login" and app["provider_id"] == "oidc"
    assert app["settings"] == {
        "server_url": "https://login.example.org/realms/site",
        "oauth_pkce_enabled": True,
    }


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"GOOGLE_CLIENT_ID": "x"}, "GOOGLE_CLIENT_SECRET"),
        ({"X_CLIENT_SECRET": "x"}, "X_CLIENT_ID"),
        ({"OIDC_ISSUER_URL": "https://login.example.org"}, "OIDC_ISSUER_URL"),
        (
            {
                "OIDC_ISSUER_URL": "login.example.org",
                "OIDC_CLIENT_ID": "a",
                "OIDC_CLIENT_SECRET": "b",
            },
            "OIDC_ISSUER_URL",
        ),
    ],
)
def test_half_a_configuration_is_refused_with_the_variable_named(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], named: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingError) as caught:
        social_providers()
    assert named in str(caught.value)


def test_wordpress_com_account_fields(rf: Any, db: None, settings: Any) -> None:
    from allauth.socialaccount.adapter import get_adapter

    settings.SOCIALACCOUNT_PROVIDERS = {
        "wordpress_com": {"APPS": [{"client_id": "1", "secret": "s"}]}
    }
    request = rf.get("/")
    provider = get_adapter(request).get_provider(request, "wordpress_com")
    me = {
        "ID": 42, "username": "rea", "display_name": "Rea Der", "email": "rea@example.net", "email_verified": True,
        "avatar_URL": "https://example.net/rea.png", "profile_URL": "https://example.net/rea",
    }  # fmt: skip
    login = provider.sociallogin_from_response(request, me)
    assert login.account.uid == "42"
    assert login.user.email == "rea@example.net"
    assert [(e.email, e.verified) for e in login.email_addresses] == [("rea@example.net", True)]
    assert login.account.get_avatar_url() == "https://example.net/rea.png"
    assert provider.name == "WordPress.com"
    assert "wordpress.com" in provider.get_login_url(request) or provider.get_login_url(
        request
    ).startswith("/accounts/wordpress_com/")

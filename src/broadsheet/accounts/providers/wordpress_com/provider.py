"""WordPress.com sign-in (OAuth 2), which django-allauth does not ship.

Endpoints and fields from WordPress.com's OAuth2 documentation: authorize and token under
public-api.wordpress.com/oauth2/, the account at /rest/v1/me (ID, username, display_name,
email, email_verified, avatar_URL, profile_URL).
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.providers.base import ProviderAccount
from allauth.socialaccount.providers.oauth2.provider import OAuth2Provider

from broadsheet.accounts.providers.wordpress_com.views import WordPressComOAuth2Adapter


class WordPressComAccount(ProviderAccount):
    def get_profile_url(self) -> str | None:
        return self.account.extra_data.get("profile_URL")

    def get_avatar_url(self) -> str | None:
        return self.account.extra_data.get("avatar_URL")

    def to_str(self) -> str:
        return str(self.account.extra_data.get("display_name") or super().to_str())


class WordPressComProvider(OAuth2Provider):
    id = "wordpress_com"
    name = "WordPress.com"
    account_class = WordPressComAccount
    oauth2_adapter_class = WordPressComOAuth2Adapter

    def get_default_scope(self) -> list[str]:
        return ["auth"]

    def extract_uid(self, data: dict[str, Any]) -> str:
        return str(data["ID"])

    def extract_common_fields(self, data: dict[str, Any]) -> dict[str, Any]:
        return {
            "email": data.get("email"),
            "username": data.get("username"),
            "name": data.get("display_name"),
        }

    def extract_email_addresses(self, data: dict[str, Any]) -> list[EmailAddress]:
        if not data.get("email"):
            return []
        return [
            EmailAddress(
                email=data["email"], verified=bool(data.get("email_verified")), primary=True
            )
        ]


provider_classes = [WordPressComProvider]

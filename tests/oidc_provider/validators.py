"""The claims the test provider releases about its users."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from oauth2_provider.oauth2_validators import OAuth2Validator

_CLAIMS = [
    "sub",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "picture",
    "email",
    "email_verified",
]


class ClaimsValidator(OAuth2Validator):
    # DOT filters these by scope through ``oidc_claim_scope`` (profile / email), so a client
    # that did not ask for "email" gets no email claim.
    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        user = request.user
        claims: dict[str, Any] = {
            "name": user.get_full_name() or user.get_username(),
            "preferred_username": user.get_username(),
            "picture": settings.OIDC_AVATAR_URL,
        }
        if user.first_name:
            claims["given_name"] = user.first_name
        if user.last_name:
            claims["family_name"] = user.last_name
        # Users without an address get no email claim at all (not an empty string), like real
        # providers where the user withheld it.
        if user.email:
            claims["email"] = user.email
            claims["email_verified"] = True
        return claims

    def get_discovery_claims(self, request: Any) -> list[str]:
        # The request-aware get_additional_claims hides these from discovery by default.
        return list(_CLAIMS)

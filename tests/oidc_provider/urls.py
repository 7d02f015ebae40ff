from __future__ import annotations

from django.contrib.auth.views import LoginView
from django.urls import include, path

from tests.oidc_provider import views
from tests.oidc_provider.constants import AVATAR_PATH

urlpatterns = [
    path("accounts/login/", LoginView.as_view(), name="login"),
    # Mounted at /o/, so the issuer is http://127.0.0.1:<port>/o and discovery lives at
    # /o/.well-known/openid-configuration.
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path(AVATAR_PATH.lstrip("/"), views.avatar, name="avatar"),
]

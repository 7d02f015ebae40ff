from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.accounts.smtp import smtp_server  # noqa: F401  (the real SMTP server fixture)

BLOG = "https://blog.example.org"


@pytest.fixture(autouse=True)
def _allowed_origin(settings: Any) -> None:
    settings.EMBED_ALLOWED_ORIGINS = [BLOG]


@pytest.fixture
def essay(db: None) -> Any:
    from tests.factories import PostFactory

    return PostFactory(title="On harbours")


@pytest.fixture
def reader(db: None) -> Any:
    from broadsheet.accounts.models import User

    return User.objects.create_user("rea", "rea@example.net", "a long pass phrase 42")


def bearer(user: Any, *scopes: str) -> dict[str, str]:
    from broadsheet.accounts.tokens import access_token_create

    made = access_token_create(user=user, name="script", scopes=list(scopes))
    return {"HTTP_AUTHORIZATION": f"Bearer {made.secret}"}


def post_json(client: Client, path: str, data: Any, **extra: Any) -> Any:
    return client.post(path, data, content_type="application/json", **extra)

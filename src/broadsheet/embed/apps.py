from __future__ import annotations

from django.apps import AppConfig


class EmbedConfig(AppConfig):
    """The embeddable thread: /embed.js, CORS for the allowed origins, the popup's token."""

    name = "broadsheet.embed"
    label = "embed"

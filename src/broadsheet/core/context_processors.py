from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from broadsheet.core.models import SiteSettings


def site(request: HttpRequest) -> dict[str, Any]:
    """The site's title, tagline and address (Settings → General), on every page."""
    current = SiteSettings.current()
    return {
        "site_name": current.title,
        "site_tagline": current.tagline,
        "site_url": settings.SITE_URL,
    }

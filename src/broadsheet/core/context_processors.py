from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from broadsheet.core.models import SiteSettings


def site(request: HttpRequest) -> dict[str, Any]:
    from broadsheet.publishing.selectors import archive_months, menu_pages

    current = SiteSettings.current()
    return {
        "site_name": current.title,
        "site_tagline": current.tagline,
        "site_url": settings.SITE_URL,
        "menu_pages": SimpleLazyObject(menu_pages),
        "archive_months": SimpleLazyObject(archive_months),
    }

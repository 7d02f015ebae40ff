from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from broadsheet.core.models import SiteSettings


def site(request: HttpRequest) -> dict[str, Any]:
    from broadsheet.publishing.selectors import navigation_markup

    current = SiteSettings.current()
    return {
        "site_name": current.title,
        "site_tagline": current.tagline,
        "site_url": settings.SITE_URL,
        # Read only by pages that print them (base.html); each is one string.
        "site_menu_html": SimpleLazyObject(lambda: navigation_markup()[0]),
        "archive_list_html": SimpleLazyObject(lambda: navigation_markup()[1]),
    }

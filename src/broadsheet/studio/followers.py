"""Who follows a writer on the fediverse (federation; docs/federation.md).

    /studio/followers/      the writer's followers (and the site's, for Editors), newest first

The number is public on the actor's followers collection; who they are is shown only here and
in the admin. The tab shows while FEDERATION_ENABLED is on.
"""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from broadsheet.core.converters import id_or_none
from broadsheet.federation.models import Follower
from broadsheet.publishing.models import edits_others_posts
from broadsheet.studio.access import studio_user
from broadsheet.studio.nav import add_tab

add_tab(_("Followers"), "studio:followers", order=60,
        allowed=lambda user: bool(settings.FEDERATION_ENABLED))  # fmt: skip
PER_PAGE = 100


@require_safe
@studio_user
def follower_list(request: HttpRequest) -> HttpResponse:
    if not settings.FEDERATION_ENABLED:
        raise Http404("Federation is off.")
    whose = Q(actor__user=request.user)
    if edits_others_posts(request.user):  # Editors see the site's followers too
        whose |= Q(actor__user=None)
    rows = (
        Follower.objects.filter(whose)
        .select_related("remote", "actor")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(rows, PER_PAGE).get_page(id_or_none(request.GET.get("page")) or 1)
    return render(request, "studio/followers.html", {"page": page})

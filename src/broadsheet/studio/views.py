"""The studio's own pages: the list of posts and pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from broadsheet.studio.access import studio_user
from broadsheet.studio.nav import add_tab

add_tab("Posts", "studio:posts", order=10)


@require_safe
@studio_user
def post_list(request: HttpRequest) -> HttpResponse:
    return render(request, "studio/post_list.html", {"rows": []})

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from broadsheet.search.selectors import search_results


def search(request: HttpRequest, page: int = 1) -> HttpResponse:
    """WordPress's `/?s=words` (and `/page/2/?s=words`); reached through the home view, which
    carries the cache policy. `comments=1` searches the approved discussion too."""
    text = request.GET.get("s", "")
    include_comments = request.GET.get("comments") == "1"
    results = search_results(text=text, page=page, include_comments=include_comments)
    query = {"s": results.query.text, **({"comments": "1"} if include_comments else {})}
    context = {
        "results": results,
        "page_obj": results,
        "pagination_base": "/",
        "pagination_query": "?" + urlencode(query),
        "search_text": results.query.text,
    }
    return render(request, "search/results.html", context)

"""Search reads: ranked hits with highlighted titles and snippets, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from math import ceil

from django.conf import settings
from django.http import Http404
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from broadsheet.search import backends
from broadsheet.search.backends import START, STOP
from broadsheet.search.models import SearchDocument
from broadsheet.search.query import SearchQuery, parse_query
from broadsheet.search.text import joined


@dataclass(frozen=True)
class SearchHit:
    kind: str
    url: str
    title_html: SafeString
    snippet_html: SafeString
    heading: str  # the post's title, also for a comment found on it
    byline: str
    date: datetime
    language: str = ""  # the post's primary subtag ("de"); "" when indexed before languages were


@dataclass
class SearchPage:
    """Quacks like a Django Page where the templates need it (pagination)."""

    query: SearchQuery
    include_comments: bool
    number: int = 1
    count: int = 0
    hits: list[SearchHit] = field(default_factory=list)
    per_page: int = 10
    more: bool = False  # more matches than are ranked (count is then backends.MAX_RANKED)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.hits)

    @property
    def num_pages(self) -> int:
        return max(1, ceil(self.count / self.per_page))

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.per_page + 1

    @property
    def paginator(self) -> SearchPage:
        return self

    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    def has_next(self) -> bool:
        return self.number < self.num_pages

    def has_previous(self) -> bool:
        return self.number > 1

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def marked(text: str) -> SafeString:
    """Escape the engine's text, then turn its START/STOP marks into <mark> elements."""
    escaped = escape(text)
    # A mark left open by a cut snippet is closed; stray closers are dropped.
    out, open_mark = [], False
    for ch in escaped:
        if ch == START and not open_mark:
            out.append("<mark>")
            open_mark = True
        elif ch == STOP and open_mark:
            out.append("</mark>")
            open_mark = False
        elif ch not in (START, STOP):
            out.append(ch)
    if open_mark:
        out.append("</mark>")
    return mark_safe("".join(out))


def search_results(*, text: str, page: int, include_comments: bool = False) -> SearchPage:
    query = parse_query(text)
    result = SearchPage(
        query=query,
        include_comments=include_comments,
        number=page,
        per_page=settings.POSTS_PER_PAGE,
    )
    if not query.searchable:
        if page > 1:
            raise Http404("There is no such page of results.")
        return result
    raw = backends.backend().search(
        query,
        include_comments=include_comments,
        now=timezone.now(),
        limit=result.per_page,
        offset=(page - 1) * result.per_page,
    )
    result.count = min(raw.count, backends.MAX_RANKED)
    result.more = raw.count > backends.MAX_RANKED
    if page > result.num_pages:
        raise Http404("There is no such page of results.")
    documents = SearchDocument.objects.only(
        "kind", "url", "heading", "byline", "date", "language"
    ).in_bulk([hit.id for hit in raw.hits])
    for hit in raw.hits:
        document = documents.get(hit.id)
        if document is None:  # removed between the two queries
            continue
        result.hits.append(
            SearchHit(
                kind=document.kind,
                url=document.url,
                title_html=(
                    marked(joined(hit.title)) if hit.title else mark_safe(escape(document.heading))
                ),
                snippet_html=marked(joined(hit.snippet)),
                heading=document.heading,
                byline=document.byline,
                date=document.date,
                language=document.language,
            )
        )
    return result

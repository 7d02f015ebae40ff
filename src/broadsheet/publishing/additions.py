"""What the apps above publishing add to a post's page: a part shown at the end of the essay,
a part shown before it, parts shown just before given passages, keys of its JSON-LD and
`data-` attributes of its `<article>`, what goes in its `<head>` and its HTTP headers (the corrections app's "Corrections and updates", its
`correction` entries and `data-correct-url`; the notes app's context notes above a passage;
webmention's endpoint).

publishing sits below those apps, so they register here when Django starts, as the admin's
autodiscovery is filled from above:

    from broadsheet.publishing.additions import PostAddition, post_addition_register
    post_addition_register("corrections", read)  # read(post) -> PostAddition | None

`render_post` calls every reader once per page it renders (a page-cache miss): each should
cost at most one query, and none for a post it has nothing to add to. The post's marks say
which: the action that gives a post something to show marks it (`post_mark`, one UPDATE, in
the action's transaction) and the reader queries only when `post_marked` says so. A mark is
never taken off: a post whose corrections were all withdrawn costs one query that finds none.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, QuerySet, Value
from django.db.models.functions import Concat
from django.http import HttpResponse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

from broadsheet.publishing.models import Post


@dataclass(frozen=True)
class PostAddition:
    html: SafeString = field(default_factory=lambda: mark_safe(""))  # after the essay's notes
    lead: SafeString = field(default_factory=lambda: mark_safe(""))  # before the essay's text
    # passage id (`p-…`, `fn-N`, `ref-KEY`) → what is shown just before that passage
    before: Mapping[str, SafeString] = field(default_factory=dict)
    json_ld: Mapping[str, Any] = field(default_factory=dict)  # keys of the essay's JSON-LD
    data: Mapping[str, str] = field(default_factory=dict)  # data-<name> of its <article>
    head: SafeString = field(default_factory=lambda: mark_safe(""))  # in the page's <head>
    # HTTP headers of the page (a Link header); the page cache stores them with it
    headers: Mapping[str, str] = field(default_factory=dict)


Reader = Callable[[Post], PostAddition | None]
_readers: dict[str, Reader] = {}


def post_addition_register(name: str, read: Reader) -> None:
    """Register (or, under the same name, replace) what an app adds to post pages."""
    _readers[name] = read


def post_additions(post: Post) -> list[PostAddition]:
    """What every registered app adds to this post's page, in the order they registered."""
    return [added for read in _readers.values() if (added := read(post)) is not None]


def post_marked(post: Post, name: str) -> bool:
    """Whether an app has marked the post as having something to show under `name`."""
    return f",{name}," in post.marks


def post_mark(posts: int | QuerySet[Any], name: str) -> None:
    """Mark the post (an id, or a query of ids for many): from now on, its pages read what
    `name` has for it. One statement, which adds the name only where it is not there, so
    marks from two apps never race."""
    if not name.isidentifier():
        raise ValueError(f"A mark is a plain name, not {name!r}.")
    chosen = (
        Post.objects.filter(pk=posts)
        if isinstance(posts, int)
        else Post.objects.filter(pk__in=posts)
    )
    chosen.exclude(marks__contains=f",{name},").update(marks=Concat(F("marks"), Value(f",{name},")))


def article_data(additions: list[PostAddition]) -> SafeString:
    """The additions' `data-` attributes, escaped, each with its leading space."""
    pairs = [(name, value) for added in additions for name, value in added.data.items()]
    return format_html_join("", ' data-{}="{}"', pairs)


def json_ld_keys(additions: list[PostAddition]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for added in additions:
        merged.update(added.json_ld)
    return merged


def head_html(additions: list[PostAddition]) -> SafeString:
    return mark_safe("".join(added.head for added in additions))


def with_headers(response: HttpResponse, additions: list[PostAddition]) -> HttpResponse:
    """The additions' HTTP headers on the response; several values of one name are joined
    with commas, as HTTP allows for Link."""
    joined: dict[str, list[str]] = {}
    for added in additions:
        for name, value in added.headers.items():
            joined.setdefault(name, []).append(value)
    for name, values in joined.items():
        response[name] = ", ".join(values)
    return response


def lead_html(additions: list[PostAddition]) -> SafeString:
    return mark_safe("".join(added.lead for added in additions))


# The start tag of any element with an id, as core.anchoring.passages reads passages.
_ID_TAG = re.compile(r'<[a-z][a-z0-9]*\b[^>]*?\sid="([^"<>]*)"[^>]*>')


def with_before(text: str, additions: list[PostAddition]) -> str:
    """`text` (a part of the essay's HTML) with each addition's `before` put just in front of
    the start tag of its passage; a passage the text no longer has gets nothing here."""
    before: dict[str, list[str]] = {}
    for added in additions:
        for passage, part in added.before.items():
            before.setdefault(passage, []).append(part)
    if not before or not text:
        return text

    def put(match: re.Match[str]) -> str:
        parts = before.get(html.unescape(match.group(1)))
        return "".join(parts) + match.group(0) if parts else match.group(0)

    return _ID_TAG.sub(put, text)

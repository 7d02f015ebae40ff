"""The reader's side: "Suggest a correction" on a passage (`<post>/correct/<passage>/`), and the
site-wide list of published corrections (`/corrections/`) with its feed."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from broadsheet.core.anchoring import (
    CONTEXT,
    MAX_QUOTE,
    NotInText,
    Passage,
    Selector,
    select,
    whole,
)
from broadsheet.core.cache import cache_policy
from broadsheet.corrections.forms import SuggestionForm
from broadsheet.corrections.selectors import as_published, published_site_wide
from broadsheet.corrections.services import correction_suggest, over_the_limit
from broadsheet.discussion.models import DiscussionSettings
from broadsheet.publishing.models import Post
from broadsheet.publishing.passages import post_passages
from broadsheet.publishing.selectors import post_for_permalink

PER_PAGE = 20
NOT_IN_TEXT = gettext_lazy("The whole passage is quoted instead: check it, then send again.")
TOO_MANY = gettext_lazy("You have suggested several corrections in a short time. Please wait an hour, then send this one again: your text is kept.")  # fmt: skip


def _essay(request: HttpRequest, year: int, month: int, day: int, slug: str) -> Post:
    """The public essay at this address; a 404 for anything else (a draft, a private or
    scheduled post, a page, a wrong date): a suggestion is for what every reader can read."""
    found = post_for_permalink(user=request.user, year=year, month=month, day=day, slug=slug)
    if found.post is None or not found.post.is_public:
        raise Http404("No such essay.")
    return found.post


def _selection(passage: Passage, texts: list[Passage], data: Any) -> Selector:
    """The reader's selection checked against the text, or the whole passage without one."""
    exact = str(data.get("exact") or "")
    if not exact.strip():
        return whole(passage)
    if len(exact) > MAX_QUOTE:  # not even looked for
        raise NotInText(
            _("A quote is at most %(max)s characters.")
            % {"max": number_format(MAX_QUOTE, force_grouping=True)}
        )
    return select(
        texts, passage=passage.id, exact=exact,
        # Only to choose between occurrences: the stored context comes from the text.
        prefix=str(data.get("prefix") or "")[-CONTEXT:], suffix=str(data.get("suffix") or "")[:CONTEXT],
        start=_int(data.get("start")), end=_int(data.get("end")),
    )  # fmt: skip


def _int(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


@require_http_methods(["GET", "POST"])
@cache_policy("never")  # a form with the reader's CSRF token
def suggest(
    request: HttpRequest, year: int, month: int, day: int, slug: str, passage: str
) -> HttpResponse:
    post = _essay(request, year, month, day, slug)
    texts = post_passages(post)
    found = next((text for text in texts if text.id == passage), None)
    if found is None:
        raise Http404("This essay has no such passage.")
    guest = not request.user.is_authenticated
    if guest and DiscussionSettings.current().comment_registration:
        return _page(request, post, found, None, whole(found), sign_in=True)
    data = request.POST if request.method == "POST" else request.GET
    try:
        quoted, problem = _selection(found, texts, data), ""
    except NotInText as why:
        quoted, problem = whole(found), f"{why.message} {NOT_IN_TEXT}"
    keys = list(post.references.values_list("key", "title"))
    if request.method != "POST":
        return _page(request, post, found, SuggestionForm(references=keys, guest=guest),
                     quoted, quote_error=problem)  # fmt: skip
    form = SuggestionForm(request.POST, references=keys, guest=guest)
    if problem or not form.is_valid():
        return _page(request, post, found, form, quoted, quote_error=problem, status=400)
    return _store(request, post, found, form, quoted)


def _store(
    request: HttpRequest, post: Post, passage: Passage, form: SuggestionForm, quoted: Selector
) -> HttpResponse:
    data = form.cleaned_data
    user = request.user if request.user.is_authenticated else None
    proposer = f"user:{user.pk}" if user is not None else f"email:{data['email']}"
    if over_the_limit(ip=_client_ip(request), proposer=proposer):
        return _page(request, post, passage, form, quoted, error=TOO_MANY, status=429)
    correction_suggest(
        post=post, selector=quoted, problem=data["problem"], fix=data["fix"],
        sources=form.parsed_sources(), credit=bool(data.get("credit")), user=user,
        name=data.get("name", ""), email=data.get("email", ""),
    )  # fmt: skip
    messages.success(
        request,
        _(
            "Thank you: your suggested correction was sent to the essay's authors and editors. "
            "You will hear from them by email."
        ),
    )
    return HttpResponseRedirect(f"{post.get_absolute_url()}#{passage.id}")


def _page(
    request: HttpRequest, post: Post, passage: Passage, form: SuggestionForm | None,
    quoted: Selector, *, status: int = 200, **extra: Any,
) -> HttpResponse:  # fmt: skip
    context = {"post": post, "passage": passage, "form": form, "quoted": quoted,
               "is_whole": quoted == whole(passage), **extra}  # fmt: skip
    return render(request, "corrections/suggest.html", context, status=status)


def _client_ip(request: HttpRequest) -> str | None:
    # As the comment form does: behind a trusted proxy, the address it appended last.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.TRUST_X_FORWARDED_FOR and forwarded:
        return str(forwarded.split(",")[-1].strip())
    return request.META.get("REMOTE_ADDR")


@require_safe
@cache_policy("public")
def corrections_page(request: HttpRequest, page: int = 1) -> HttpResponse:
    """Every published correction on the site, newest first, as newspapers list theirs."""
    rows = Paginator(published_site_wide(), PER_PAGE)
    if page > rows.num_pages:
        raise Http404("No such page.")
    shown = rows.page(page)
    items = [(row.post, as_published(row)) for row in shown]
    context = {"page_obj": shown, "items": items, "pagination_base": "/corrections/"}
    return render(request, "corrections/list.html", context)

"""The readers' side of context notes (docs/notes.md): an essay's notes page (`<post>/notes/`:
the shown notes, "Needs your help" with a rating form per note, the reader's own notes and
ratings), writing a note on the essay (`<post>/notes/new/`) or on a passage
(`<post>/notes/new/<passage>/`, with a selection as the respond page takes one), and rating
(`/notes/<id>/rate/`). Every page is personal (a queue, forms with a CSRF token): never cached. The essay's own page,
cached for everyone, gets its "Needs your help" from `<post>/notes/help/` (a fragment
respond.js fetches for a signed-in reader), and its ratings are thanked in place.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from broadsheet.core.anchoring import NotInText, Passage, Selector, whole
from broadsheet.core.cache import cache_policy
from broadsheet.notes.eligibility import Reader, rate_refusal, rating_note, write_refusal
from broadsheet.notes.forms import NoteForm, RatingForm, selection
from broadsheet.notes.models import Note, NoteSettings
from broadsheet.notes.queue import needs_help, rated_by, shown_on, written_by
from broadsheet.notes.selectors import public_essay_at
from broadsheet.notes.services import Refused, note_rate, note_write
from broadsheet.publishing.models import Post
from broadsheet.publishing.passages import post_passages
from broadsheet.publishing.selectors import post_for_permalink

QUEUE = 5  # notes put before a rater at once
HELP = 3  # notes the essay's own page puts before a rater
NOT_IN_TEXT = gettext_lazy("The whole passage is quoted instead: check it, then send again.")
WRITTEN = gettext_lazy(
    "Thank you: your note is stored. Other readers rate it now; it is shown on the essay once "
    "readers who usually disagree with each other both find it helpful."
)
RATED = gettext_lazy("Thank you: your rating is stored. You can change it below at any time.")
RATED_ON_ESSAY = gettext_lazy(
    "Thank you: your rating is stored. You can change it on the essay's notes page."
)
THANKS = gettext_lazy("Thanks — rated. You can change your rating on the essay's notes page.")


def _essay(request: HttpRequest, year: int, month: int, day: int, slug: str) -> Post:
    """The public essay at this address; a 404 for anything else (a draft, a private or
    scheduled post, a page): notes are on what every reader can read."""
    found = post_for_permalink(user=request.user, year=year, month=month, day=day, slug=slug)
    if found.post is None or found.post.is_page or not found.post.is_public:
        raise Http404("No such essay.")
    return found.post


def _form_for(note: Note, rating: Any = None) -> RatingForm:
    initial = {"value": rating.value, "reasons": rating.reasons} if rating is not None else None
    return RatingForm(initial=initial, auto_id=f"note-{note.pk}-%s")


Item = tuple[Note, RatingForm]


def _queue(request: HttpRequest, post: Post, bound: Item | None) -> list[Item]:
    """The notes to rate with their forms; a refused form stays with its note, on top."""
    items = [
        (note, _form_for(note)) for note in needs_help(post=post, user=request.user, limit=QUEUE)
    ]
    if bound is not None:
        items = [bound, *[item for item in items if item[0].pk != bound[0].pk]]
    return items


def _notes_page(
    request: HttpRequest, post: Post, *, bound: Item | None = None,
    status: int = 200,
) -> HttpResponse:  # fmt: skip
    settings, reader = NoteSettings.current(), Reader.of(request.user)
    may_rate = rate_refusal(reader, settings) is None
    rated = rated_by(post=post, user=request.user) if may_rate else []
    if bound is not None and any(rating.note_id == bound[0].pk for rating in rated):
        rated = [r for r in rated if r.note_id != bound[0].pk]  # shown on top, as sent
    context = {
        "post": post, "shown": shown_on(post=post), "settings": settings,
        "write_refusal": write_refusal(reader, settings),
        "rate_refusal": rate_refusal(reader, settings), "rating_note": rating_note(reader, settings),
        "queue": _queue(request, post, bound) if may_rate else [],
        "rated": [(rating, _form_for(rating.note, rating)) for rating in rated],
        "mine": written_by(post=post, user=request.user),
    }  # fmt: skip
    return render(request, "notes/essay.html", context, status=status)


@require_safe
@cache_policy("never")  # the reader's own queue, and forms with their CSRF token
def essay_notes(request: HttpRequest, year: int, month: int, day: int, slug: str) -> HttpResponse:
    return _notes_page(request, _essay(request, year, month, day, slug))


@require_safe
@cache_policy("never")  # the reader's own queue, and forms with their CSRF token
def essay_help(request: HttpRequest, year: int, month: int, day: int, slug: str) -> HttpResponse:
    """The essay page's "Needs your help": up to HELP notes with their rating forms for a
    reader who may rate, an empty answer for anyone else (nothing to put on the page)."""
    post = public_essay_at(year=year, month=month, day=day, slug=slug)
    if post is None:
        raise Http404("No such essay.")
    if rate_refusal(Reader.of(request.user), NoteSettings.current()) is not None:
        return HttpResponse("")
    queue = needs_help(post=post, user=request.user, limit=HELP)
    if not queue:
        return HttpResponse("")
    items = [(note, _form_for(note)) for note in queue]
    return render(request, "notes/_help.html", {"post": post, "queue": items})


def _rateable(pk: int) -> Note:
    note = Note.objects.select_related("post").filter(pk=pk, removed=False).first()
    if note is None or note.post.is_page or not note.post.is_public:
        raise Http404("No such note.")
    return note


def _by_script(request: HttpRequest) -> bool:
    """A rating sent by the essay page's script, which reads the answer in place."""
    return request.headers.get("Accept") == "application/json"


@require_POST
@cache_policy("never")
def rate(request: HttpRequest, pk: int) -> HttpResponse:
    note = _rateable(pk)
    form = RatingForm(request.POST, auto_id=f"note-{note.pk}-%s")
    if not form.is_valid():
        return _not_rated(request, note, form, status=400)
    try:
        note_rate(note=note, rater=request.user, value=form.cleaned_data["value"],
                  reasons=form.cleaned_data["reasons"])  # fmt: skip
    except Refused as why:
        form.add_error(None, why.message)
        return _not_rated(request, note, form, status=why.status)
    if _by_script(request):
        return JsonResponse({"message": str(THANKS)})
    if request.POST.get("back") == "essay":  # from the essay page's "Needs your help"
        messages.success(request, RATED_ON_ESSAY)
        return HttpResponseRedirect(note.post.get_absolute_url())
    messages.success(request, RATED)
    return HttpResponseRedirect(f"{note.post.get_absolute_url()}notes/#rated-{note.pk}")


def _not_rated(request: HttpRequest, note: Note, form: RatingForm, *, status: int) -> HttpResponse:
    """The form again with why next to it and the choice kept: in place for the script,
    on top of the notes page otherwise."""
    if not _by_script(request):
        return _notes_page(request, note.post, bound=(note, form), status=status)
    context = {"note": note, "form": form, "post": note.post, "back": "essay"}
    html = render_to_string("notes/_rate.html", context, request=request)
    return JsonResponse({"html": html}, status=status)


def _passage(post: Post, passage: str | None) -> tuple[list[Passage], Passage | None]:
    if passage is None:
        return [], None
    texts = post_passages(post)
    found = next((text for text in texts if text.id == passage), None)
    if found is None:
        raise Http404("This essay has no such passage.")
    return texts, found


def _quoted(found: Passage | None, texts: list[Passage], data: Any) -> tuple[Selector | None, str]:
    """The selection (None for the whole essay) and, if it was not in the text, why."""
    if found is None:
        return None, ""
    try:
        return selection(found, texts, data), ""
    except NotInText as why:
        return whole(found), f"{why.message} {NOT_IN_TEXT}"


@require_http_methods(["GET", "POST"])
@cache_policy("never")  # a form with the reader's CSRF token
def note_new(
    request: HttpRequest, year: int, month: int, day: int, slug: str, passage: str | None = None
) -> HttpResponse:
    post = _essay(request, year, month, day, slug)
    texts, found = _passage(post, passage)
    data = request.POST if request.method == "POST" else request.GET
    quoted, problem = _quoted(found, texts, data)
    page = {"post": post, "passage": found, "quoted": quoted, "quote_error": problem,
            "is_whole": found is not None and quoted == whole(found)}  # fmt: skip
    refusal = write_refusal(Reader.of(request.user), NoteSettings.current())
    keys = list(post.references.values_list("key", "title"))
    if refusal or request.method != "POST":
        form = None if refusal else NoteForm(references=keys)
        status = 403 if refusal and request.method == "POST" else 200
        return _write_page(request, page, form, refusal=refusal, status=status)
    form = NoteForm(request.POST, references=keys)
    if problem or not form.is_valid():
        return _write_page(request, page, form, status=400)
    return _store(request, page, form)


def _store(request: HttpRequest, page: dict[str, Any], form: NoteForm) -> HttpResponse:
    post = page["post"]
    try:
        note_write(post=post, author=request.user, body=form.cleaned_data["body"],
                   sources=form.parsed_sources(), selector=page["quoted"])  # fmt: skip
    except Refused as why:
        return _write_page(request, page, form, error=why.message, status=why.status)
    messages.success(request, WRITTEN)
    return HttpResponseRedirect(f"{post.get_absolute_url()}notes/#mine")


def _write_page(
    request: HttpRequest, page: dict[str, Any], form: NoteForm | None, *, status: int = 200,
    **extra: Any,
) -> HttpResponse:  # fmt: skip
    context = {**page, "form": form, "cut": _cut(page["passage"], page["quoted"]), **extra}
    return render(request, "notes/write.html", context, status=status)


def _cut(passage: Passage | None, quoted: Selector | None) -> tuple[bool, bool]:
    """Whether the passage goes on before and after the quote's context: an ellipsis says so,
    and only then (a selection at the passage's start has nothing before it)."""
    if passage is None or quoted is None:
        return False, False
    return quoted.start > len(quoted.prefix), quoted.end + len(quoted.suffix) < len(passage.text)

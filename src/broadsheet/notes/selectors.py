"""Reads of context notes for readers: the shown notes of an essay (its page), one note with
its history (the note's page), and why a note has its status, in words (docs/notes-publishing.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from broadsheet.corrections.sources import source_link
from broadsheet.notes.models import Note, Status, StatusChange
from broadsheet.publishing.models import Post

_LABELS = dict(Status.choices)


class Thresholds(Protocol):
    """The rule's numbers an explanation quotes: NoteSettings has them, and so has the
    scorer's Params (not imported here: numpy and scipy stay out of the web processes)."""

    min_ratings: int
    shown_intercept: float
    shown_max_factor: float
    unhelpful_base: float
    unhelpful_slope: float


# What a source link may lead to (the note's form checks as much; a stored row is not trusted).
_WEB = ("https://", "http://")


@dataclass(frozen=True)
class SourceLink:
    label: str
    href: str


@dataclass(frozen=True)
class ShownNote:
    """A note an essay shows: above its passage, or before the text for the whole essay."""

    pk: int
    passage: str  # "" = the whole essay
    exact: str
    body: str
    sources: tuple[SourceLink, ...]

    @property
    def url(self) -> str:
        return f"/notes/{self.pk}/"


@dataclass(frozen=True)
class Change:
    """One run's change of a note's status, as its page lists it."""

    at: datetime
    old: str  # labels: "Needs more ratings", "Shown", "Not helpful"
    new: str
    intercept: float
    factor: float
    ratings: int


@dataclass(frozen=True)
class NoteDetail:
    pk: int
    post_title: str
    post_url: str
    passage: str
    exact: str
    body: str
    sources: tuple[SourceLink, ...]
    created_at: datetime
    removed: bool
    status: str
    status_at: datetime | None
    intercept: float | None  # None until a run has scored it
    factor: float | None
    scored_ratings: int
    ratings_count: int
    history: tuple[Change, ...]

    @property
    def status_label(self) -> str:
        return str(_LABELS.get(self.status, self.status))

    @property
    def passage_url(self) -> str:
        return f"{self.post_url}#{self.passage}" if self.passage else self.post_url


def source_links(sources: Any, post_url: str) -> tuple[SourceLink, ...]:
    """The stored sources as links a reader can follow: a web address as itself, a DOI through
    doi.org, one of the essay's references at its place in the essay."""
    links = []
    for source in sources if isinstance(sources, list) else []:
        if not isinstance(source, dict):
            continue
        kind, value = str(source.get("kind", "")), str(source.get("value", ""))
        if kind == "reference":
            label = _("Reference: %(key)s") % {"key": value}
            links.append(SourceLink(label, f"{post_url}#ref-{value}"))
        elif (href := source_link({"kind": kind, "value": value})).startswith(_WEB):
            links.append(SourceLink(value if kind == "url" else f"doi:{value}", href))
    return tuple(links)


def shown_for_post(post: Post) -> list[ShownNote]:
    """The essay's shown notes, oldest first (one query)."""
    rows = (
        Note.objects.filter(post=post.pk, status=Status.SHOWN, removed=False)
        .order_by("created_at", "pk")
        .values_list("pk", "passage", "exact", "body", "sources")
    )
    url = post.get_absolute_url()
    return [
        ShownNote(pk, passage, exact, body, source_links(sources, url))
        for pk, passage, exact, body, sources in rows
    ]


def note_detail(pk: int) -> NoteDetail | None:
    """A note of a public essay with the changes of its status, oldest first (two queries);
    None for a note readers cannot reach. A removed note is returned (its page says so)."""
    note = (
        Note.objects.filter(pk=pk, post__in=Post.objects.public().posts())
        .select_related("post")
        .defer("post__body", "post__body_html", "post__footnotes_html", "post__bibliography_html")
        .first()
    )
    if note is None:
        return None
    history = StatusChange.objects.filter(note=note.pk).order_by("at", "pk")
    post_url = note.post.get_absolute_url()
    return NoteDetail(
        pk=note.pk, post_title=note.post.title, post_url=post_url, passage=note.passage,
        exact=note.exact, body=note.body, sources=source_links(note.sources, post_url),
        created_at=note.created_at, removed=note.removed, status=note.status,
        status_at=note.status_at, intercept=note.intercept, factor=note.factor,
        scored_ratings=note.scored_ratings, ratings_count=note.ratings_count,
        history=tuple(
            Change(c.at, str(_LABELS[c.old]), str(_LABELS[c.new]), c.intercept, c.factor, c.ratings)
            for c in history
        ),
    )  # fmt: skip


# --- why a note has its status ---------------------------------------------------------------


def _number(value: float) -> str:
    """Two decimals with a true minus sign, as a reader writes them (never "−0.00")."""
    return f"{round(value, 2) + 0.0:.2f}".replace("-", "−")


def _rated_by(count: int) -> str:
    if count == 0:
        return _("No one has rated it yet.")
    if count == 1:
        return _("Rated by 1 reader.")
    return ngettext("Rated by %(count)d reader.", "Rated by %(count)d readers.", count) % {
        "count": count
    }


def _scores(note: NoteDetail, params: Thresholds) -> dict[str, str]:
    """The numbers the sentences about a scored note name."""
    assert note.intercept is not None and note.factor is not None
    return {
        "score": _number(note.intercept),
        "bar": _number(params.shown_intercept),
        "lean": _number(note.factor),
        "max": _number(params.shown_max_factor),
    }


def explanation(note: NoteDetail, params: Thresholds) -> list[str]:
    """Why the note has its status, in sentences, from its last run's numbers and `params`."""
    if note.intercept is None or note.factor is None:
        if note.ratings_count == 0:
            return [_rated_by(0), _too_few(0, params)]
        return [_rated_by(note.ratings_count), str(_NOT_SCORED)]
    if note.scored_ratings < params.min_ratings:
        return [_rated_by(note.scored_ratings), _too_few(note.scored_ratings, params)]
    if note.status == Status.SHOWN:
        return [_rated_by(note.scored_ratings), _shown(note, params)]
    if note.status == Status.NOT_HELPFUL:
        return [_rated_by(note.scored_ratings), _unhelpful(note, params)]
    return [_rated_by(note.scored_ratings), _undecided(note, params), str(_MORE)]


_NOT_SCORED = gettext_lazy(
    "No scoring run has counted its ratings yet: runs take place a few minutes after new "
    "ratings, and only ratings from accounts old enough are counted."
)
_MORE = gettext_lazy("More ratings, from readers on either side, may change that.")


def _too_few(count: int, params: Thresholds) -> str:
    more = params.min_ratings - count
    # Translators: %(min)d is the site's minimum; the plural follows %(more)d.
    return ngettext(
        "A note needs at least %(min)d ratings before it can be shown or set aside: it needs "
        "%(more)d more rating.",
        "A note needs at least %(min)d ratings before it can be shown or set aside: it needs "
        "%(more)d more ratings.",
        more,
    ) % {"min": params.min_ratings, "more": more}


def _shown(note: NoteDetail, params: Thresholds) -> str:
    assert note.intercept is not None and note.factor is not None
    if note.intercept >= params.shown_intercept:
        return _(
            "Readers on both sides of the essay's usual divide rated it helpful: its "
            "helpfulness score is %(score)s (a note is shown from %(bar)s) and its lean is "
            "%(lean)s (a note is shown only while its lean stays within ±%(max)s)."
        ) % _scores(note, params)
    # Shown by the scorer's both-sides rule (notes.scoring.both_sides_statuses).
    return _(
        "Readers on both sides of the essay's usual divide rated it helpful: its lean is "
        "%(lean)s, within ±%(max)s, and readers typical of either side are expected to find it "
        "as helpful as a note at the usual bar of %(bar)s, though its helpfulness score is "
        "%(score)s."
    ) % _scores(note, params)


def _unhelpful(note: NoteDetail, params: Thresholds) -> str:
    assert note.intercept is not None and note.factor is not None
    limit = params.unhelpful_base - params.unhelpful_slope * abs(note.factor)
    return _(
        "Readers, whichever side they usually take, did not find it helpful: its helpfulness "
        "score is %(score)s, at or below %(limit)s, the score under which a note with its lean "
        "(%(lean)s) is set aside. It is not shown."
    ) % {**_scores(note, params), "limit": _number(limit)}


def _undecided(note: NoteDetail, params: Thresholds) -> str:
    assert note.intercept is not None and note.factor is not None
    if abs(note.factor) >= params.shown_max_factor:
        sentence = _(
            "Its ratings follow the essay's usual divide — one side found it more helpful than "
            "the other: its helpfulness score is %(score)s (a note is shown from %(bar)s) and "
            "its lean is %(lean)s (a note is shown only while its lean stays within ±%(max)s)."
        )
    else:
        sentence = _(
            "Not enough readers, across the essay's usual divide, found it helpful yet: its "
            "helpfulness score is %(score)s (a note is shown from %(bar)s) and its lean is "
            "%(lean)s (a note is shown only while its lean stays within ±%(max)s)."
        )
    return sentence % _scores(note, params)


_HEAVY = ("body", "body_html", "featured_image_html", "footnotes_html", "bibliography_html",
          "excerpt", "excerpt_html")  # fmt: skip


def public_essay_at(*, year: int, month: int, day: int, slug: str) -> Post | None:
    """The public essay at this address, its row alone and without its text (one query): what
    the essay page's "Needs your help" needs of it, fetched on every signed-in reading."""
    from django.utils import timezone

    try:
        on = date(year, month, day)
    except ValueError:
        return None
    rows = Post.objects.filter(slug=slug, kind=Post.Kind.POST).defer(*_HEAVY)
    for post in rows.order_by("-published_at", "-pk"):
        if post.is_public and timezone.localdate(post.published_at) == on:
            return post
    return None

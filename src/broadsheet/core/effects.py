"""What a change makes stale, declared by the action that makes it, done once after its commit.

Every write to posts, comments, accounts and settings is a named action (`comment_approve`,
`post_save`, `personal_data_erase`: `@action`), which runs in one transaction and *declares* what it
changed for readers: the pages to refresh (`pages`), search rows (`search`), stored comment
cards (`cards`), the footer's archive list and menu (`navigation`), the new-post emails
(`post_public`), the anchors of responses in a new version's text (`post_version`), the
sign-in options (`login_options`), a settings row (`settings_changed`), an account's profile
as other servers keep it (`profiles`).
Declarations are collected per transaction, deduplicated, and run after the commit: a
rolled-back write refreshes nothing and emails nobody.

Each kind is done by the app that owns it, which registers a handler here (`handles`): core
cannot import search or discussion, so they tell core what to call. A declaration nobody
handles raises, naming the kind. Model signals (each app's `signals.py`) declare the same
effects for writes that bypass the actions — the Django admin — and stay silent inside an
action, so an action that forgets an effect is caught by the test that walks every action.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Hashable, Iterable
from contextvars import ContextVar
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

logger = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")

# The kinds of effect, and the order they run in after the commit: what pages are built from
# first (search, the navigation; cards are marked stale at once, see `handles(now=True)`),
# the page versions last, so a page rebuilt after the bump never reads a stale row.
PAGES = "pages"
SEARCH_POSTS, SEARCH_COMMENTS, SEARCH_PEOPLE = "search.posts", "search.comments", "search.people"
CARDS_COMMENTS, CARDS_PEOPLE, CARDS_ALL = "cards.comments", "cards.people", "cards.all"
NAVIGATION = "navigation"
LOGIN_OPTIONS = "login_options"
SETTINGS = "settings"
POST_PUBLIC = "post_public"
POST_VERSION = "post_version"  # a new published version: what points into its text is re-located
MEDIA = "media"  # library images changed: the posts showing them are rendered again
PROFILES = "profiles"  # an account's name, photo, bio or header: its copies elsewhere are stale
_ORDER = (
    SETTINGS,
    MEDIA,
    CARDS_COMMENTS,
    CARDS_PEOPLE,
    CARDS_ALL,
    SEARCH_POSTS,
    SEARCH_COMMENTS,
    SEARCH_PEOPLE,
    NAVIGATION,
    LOGIN_OPTIONS,
    PAGES,
    POST_PUBLIC,
    POST_VERSION,
    PROFILES,
)

Handler = Callable[[set[Any]], None]
_handlers: dict[str, list[Handler]] = {kind: [] for kind in _ORDER}
_at_once: dict[str, list[Handler]] = {kind: [] for kind in _ORDER}
_with_write: dict[str, list[Handler]] = {kind: [] for kind in _ORDER}
# Every action by name, for the test that walks them all.
ACTIONS: dict[str, Callable[..., Any]] = {}
_NAME = re.compile(r"^[a-z]+(_[a-z]+)+$")
_in_action: ContextVar[int] = ContextVar("in_action", default=0)
# What the running action declared for `_with_write` handlers, done when its writes are made.
_held: ContextVar[dict[str, set[Any]] | None] = ContextVar("held_effects", default=None)


def handles(
    kind: str, *, now: bool = False, with_write: bool = False
) -> Callable[[Handler], Handler]:
    """Register the function that does `kind`, called once per commit with the set of keys
    declared (post ids, comment ids, user ids; `None` for kinds without keys).

    `now`: called at once with each declaration's keys instead, inside the transaction, for
    the part of an effect that must commit with the write (marking stored cards stale: a
    comment written later in the same transaction has a true card, and must keep it).

    `with_write`: called in the write's transaction when the action that declared it has made
    all its writes (once, with every key it declared), or at once for a write outside an
    action (a model signal's, sent after the row is written). For an effect cheap enough to
    commit with the write, whose failure should fail it: a comment's search row (0132)."""
    if kind not in _handlers:
        raise ImproperlyConfigured(f"Unknown effect {kind!r}: the kinds are {', '.join(_ORDER)}.")

    def register(handler: Handler) -> Handler:
        chosen = _at_once if now else _with_write if with_write else _handlers
        if handler not in chosen[kind]:
            chosen[kind].append(handler)
        return handler

    return register


class CommittedRefusal(Exception):
    """Raised by an action that refuses the change but keeps what it wrote about the refusal
    (an edit conflict keeps the refused text as a revision): the action's transaction commits,
    then this is raised to the caller. Inside a caller's own transaction the writes commit only
    if the caller catches it there."""


def action(func: Callable[P, R]) -> Callable[P, R]:
    """A named write (`<entity>_<verb>`): one transaction, its effects run after the commit,
    model signals silent while it runs (it declares its effects itself)."""
    name = func.__name__
    if not _NAME.match(name):
        raise ImproperlyConfigured(f"An action is named <entity>_<verb>, not {name!r}.")
    if name in ACTIONS and ACTIONS[name].__module__ != func.__module__:
        raise ImproperlyConfigured(f"Two actions are named {name!r}: rename one.")

    @wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        held = _held.set({}) if _held.get() is None else None
        token = _in_action.set(_in_action.get() + 1)
        refusal: CommittedRefusal | None = None
        try:
            with transaction.atomic():
                try:
                    result = func(*args, **kwargs)
                except CommittedRefusal as refused:
                    refusal = refused
                if held is not None:
                    _run_held()
                    # Before the commit: what its callbacks declare is done at once.
                    _held.reset(held)
                    held = None
            if refusal is not None:
                raise refusal
            return result
        finally:
            _in_action.reset(token)
            if held is not None:
                _held.reset(held)

    ACTIONS[name] = run
    return run


def in_action() -> bool:
    """Whether an action is running: model signals then leave the effects to it."""
    return _in_action.get() > 0


def declare(kind: str, keys: Iterable[Hashable] = (None,)) -> None:
    """After the commit, do `kind` for these keys (once, however often it was declared)."""
    if kind not in _handlers:
        raise ImproperlyConfigured(f"Unknown effect {kind!r}: the kinds are {', '.join(_ORDER)}.")
    keys = set(keys)
    if not keys:
        return
    for handler in _at_once[kind]:
        handler(keys)
    if _with_write[kind]:
        held = _held.get()
        if held is not None:
            held.setdefault(kind, set()).update(keys)
        else:
            # A write outside an action (the admin's, through model signals, some of them
            # sent before the row changes): after the commit, as the other effects.
            _after_commit(_LATE + kind, keys)
    if _handlers[kind] or not (_at_once[kind] or _with_write[kind]):
        _after_commit(kind, keys)


# A `with_write` effect declared outside an action, queued after the commit under this prefix.
_LATE = "late:"


def _after_commit(name: str, keys: set[Any]) -> None:
    connection = transaction.get_connection()
    pending: dict[str, set[Any]] = connection.__dict__.setdefault("_broadsheet_effects", {})
    if connection.__dict__.get("_broadsheet_effects_running"):
        pending.setdefault(name, set()).update(keys)  # a handler's: joins the running round
        return
    # A rolled-back transaction drops its callbacks but not this dict: trust it only while our
    # callback is still queued (Django keeps them as (savepoint ids, callable, robust)).
    if not any(queued[1] is _run_pending for queued in connection.run_on_commit):
        pending.clear()
        pending.setdefault(name, set()).update(keys)
        transaction.on_commit(_run_pending)  # outside a transaction: runs now
    else:
        pending.setdefault(name, set()).update(keys)


def _run_held() -> None:
    """The `with_write` effects the action declared, in order; a handler may declare more."""
    held = _held.get()
    while held:
        kind = min(held, key=_ORDER.index)
        keys = held.pop(kind)
        for handler in _with_write[kind]:
            handler(keys)


def _queued_handlers(name: str) -> list[Handler]:
    kind = name.removeprefix(_LATE)
    if kind != name:
        return _with_write[kind]
    if not _handlers[kind] and not _at_once[kind] and not _with_write[kind]:
        raise ImproperlyConfigured(
            f"Nothing handles the effect {kind!r}: is the app that does it installed, "
            "and does it register with broadsheet.core.effects.handles?"
        )
    return _handlers[kind]


def _run_pending() -> None:
    connection = transaction.get_connection()
    pending: dict[str, set[Any]] = connection.__dict__.get("_broadsheet_effects", {})
    connection.__dict__["_broadsheet_effects_running"] = True
    failed: Exception | None = None
    try:
        while pending:
            # A handler may declare more (settings → cards): they join this round, in order.
            name = min(pending, key=lambda queued: _ORDER.index(queued.removeprefix(_LATE)))
            keys = pending.pop(name)
            for handler in _queued_handlers(name):
                # The write has committed: one effect failing (search down) must not keep the
                # others (the page versions) from running. The first failure is raised after.
                try:
                    handler(keys)
                except Exception as error:
                    logger.exception("The effect %s failed after a commit.", name)
                    failed = failed or error
    finally:
        connection.__dict__["_broadsheet_effects_running"] = False
        pending.clear()
    if failed is not None:
        raise failed


# --- declaring, by what readers see ---------------------------------------------------------


def pages(*, posts: Iterable[int] = (), listings: bool = False, site: bool = False) -> None:
    """Cached pages built from these are stale: the posts' own pages (with their discussion),
    the listings (home, archives, feeds, search, sitemaps), or every page (`site`)."""
    from broadsheet.core.pagecache import LISTINGS, SITE, post_dependency

    names: set[str] = {post_dependency(pk) for pk in posts if pk}
    if listings:
        names.add(LISTINGS)
    if site:
        names.add(SITE)
    declare(PAGES, names)


def search(
    *, posts: Iterable[int] = (), comments: Iterable[int] = (), people: Iterable[int] = ()
) -> None:
    """Search rows to write again: posts (with their parts), comments, and the comments of
    account holders whose shown name changed."""
    declare(SEARCH_POSTS, [pk for pk in posts if pk])
    declare(SEARCH_COMMENTS, [pk for pk in comments if pk])
    declare(SEARCH_PEOPLE, [pk for pk in people if pk])


def cards(*, comments: Iterable[int] = (), people: Iterable[int] = (), every: bool = False) -> None:
    """Stored comment cards that no longer show the truth (see discussion.rendering): marked
    stale, then rebuilt by the worker."""
    declare(CARDS_COMMENTS, [pk for pk in comments if pk])
    declare(CARDS_PEOPLE, [pk for pk in people if pk])
    if every:
        declare(CARDS_ALL)


def navigation() -> None:
    """The footer's archive list and the header's menu are counted again."""
    declare(NAVIGATION)


def post_public(post_id: int) -> None:
    """A post became public: its subscribers hear of it."""
    declare(POST_PUBLIC, [post_id])


def post_versioned(post_id: int) -> None:
    """A post's text became its next published version: responses anchored to passages of
    earlier ones are found again in it."""
    declare(POST_VERSION, [post_id])


def profiles(*, user_ids: Iterable[int]) -> None:
    """What these accounts show of themselves (name, photo, bio, header image) changed: the
    copies other servers keep of them (an author's ActivityPub actor) are sent again."""
    declare(PROFILES, [pk for pk in user_ids if pk])


def login_options() -> None:
    """The sign-in choices on the comment form (providers, the site's name) changed."""
    declare(LOGIN_OPTIONS)


def settings_changed(label: str) -> None:
    """A settings row (`app_label.model`) was saved: the apps that read it are told."""
    declare(SETTINGS, [label])


@handles(PAGES)
def _bump_pages(names: set[str]) -> None:
    from broadsheet.core.pagecache import pages_bump

    pages_bump(names)

"""Writes for the discussion: submitting a comment, with WordPress's checks in WordPress's order."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from broadsheet.core.anchoring import NotInText, Selector, select
from broadsheet.core.effects import action
from broadsheet.core.markdown import render_comment_markdown
from broadsheet.core.sanitize import without_nul
from broadsheet.core.sql import add_to, insert_row, select_one
from broadsheet.core.webaddress import NotAWebAddress, web_address
from broadsheet.discussion.effects import comment_changed
from broadsheet.discussion.gate import Candidate, Decision, barred, decided
from broadsheet.discussion.margins import ANCHORED
from broadsheet.discussion.models import Anchor, Comment, DiscussionSettings
from broadsheet.discussion.removal import comment_remove, keep_earlier_text
from broadsheet.discussion.rendering import refresh_card
from broadsheet.discussion.selectors import comment_repeated
from broadsheet.publishing.additions import post_mark
from broadsheet.publishing.models import Post
from broadsheet.publishing.passages import post_passages

# Column sizes of WordPress's wp_comments, which its importers and users expect.
MAX_NAME, MAX_EMAIL, MAX_URL, MAX_BODY = 245, 100, 200, 65_525
FLOOD_SECONDS = 15
# The comment form's field next to which a refused passage is reported (by the quote).
ANCHOR_FIELD = "anchor_exact"


class CommentRejected(Exception):
    """The comment cannot be accepted; `message` is shown to the commenter, next to `field`."""

    def __init__(
        self, message: str, *, status: int = 400, field: str | None = None, code: str = "invalid"
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field
        self.code = code


@dataclass(frozen=True)
class Commenter:
    user: Any = None  # an authenticated account, or None for a guest
    name: str = ""
    email: str = ""
    url: str = ""
    is_moderator: bool = False


def comments_are_open(*, post: Post, settings: DiscussionSettings) -> bool:
    if not post.comments_open or not post.is_public:
        return False
    if settings.close_comments_for_old_posts and not post.is_page and post.published_at:
        return timezone.now() - post.published_at < timedelta(days=settings.close_comments_days_old)
    return True


def _clean_ip(ip: str | None) -> str | None:
    if not ip:
        return None
    from django.core.validators import validate_ipv46_address

    try:
        validate_ipv46_address(ip)
    except ValidationError:
        return None
    return ip


def comment_starts_thread(comment: Comment) -> None:
    """A top-level comment is its own thread: the database set its thread to its own id as
    the row was written (a trigger, decision 0134); the object learns it here."""
    comment.thread_id = comment.pk


def _counted_and_shown(comment: Comment) -> None:
    """A new comment readers see: counted on its post (an atomic update: others count too),
    on its post's pages and the listings, and in search."""
    if comment.counts_on_post():
        add_to(Post, comment.post_id, "comment_count", 1)
    comment_changed(
        comment_id=comment.pk,
        post_id=comment.post_id,
        shown=comment.status == Comment.Status.APPROVED,
    )


def _writer_takes_turns(*, user_id: int | None, name: str, email: str) -> None:
    """Two comments from one writer at once (a double click) take turns on PostgreSQL, so the
    second's duplicate and flood checks see the first: under READ COMMITTED both passed and
    both were stored. SQLite's writes already take turns (IMMEDIATE transactions)."""
    if connection.vendor != "postgresql":
        return
    writer = f"user:{user_id}" if user_id is not None else f"guest:{email.lower() or name}"
    digest = hashlib.blake2b(f"comment-writer:{writer}".encode(), digest_size=8).digest()
    with connection.cursor() as cursor:  # held until the transaction ends
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest, signed=True)])


@dataclass(frozen=True)
class Identity:
    """Who a comment is written as, once checked: an account's own details or a guest's."""

    user: Any
    name: str
    email: str
    url: str


def _cleaned(commenter: Commenter) -> Commenter:
    return Commenter(
        user=commenter.user,
        name=without_nul(commenter.name),
        email=without_nul(commenter.email),
        url=without_nul(commenter.url),
        is_moderator=commenter.is_moderator,
    )


def _reply_parent(
    *, post: Post, parent_id: int | None, settings: DiscussionSettings
) -> Comment | None:
    """The comment replied to: on this post and approved. At the deepest level, "Reply"
    answers at that same level."""
    if not parent_id:
        return None
    # Written out (decision 0019): a quarter of the comments posted are replies. Only what
    # the checks and the new row read (any other field is read if asked for).
    parent = select_one(Comment, parent_id, only=_PARENT_FIELDS)
    if parent is None or parent.post_id != post.pk:
        raise CommentRejected(_("The comment you are replying to does not exist."), code="parent")
    if parent.status != Comment.Status.APPROVED:
        raise CommentRejected(
            _("Sorry, replies to unapproved comments are not allowed."), status=403, code="parent"
        )
    while parent is not None and parent.depth + 1 >= settings.max_depth:
        above = parent.parent_id
        parent = select_one(Comment, above, only=_PARENT_FIELDS) if above is not None else None
    return parent


_PARENT_FIELDS = ("post_id", "parent_id", "thread_id", "depth", "status")


def _identity(commenter: Commenter, settings: DiscussionSettings) -> Identity:
    """Accounts speak for themselves; guests give a name and an email, and a web address if
    they like."""
    user = (
        commenter.user if commenter.user is not None and commenter.user.is_authenticated else None
    )
    if user is not None:
        website = getattr(getattr(user, "profile", None), "website", "") or ""
        return Identity(user=user, name=user.display_name, email=user.email, url=website)
    if settings.comment_registration:
        raise CommentRejected(
            _("Sorry, you must be logged in to comment."), status=403, code="registration"
        )
    name, email, url = commenter.name.strip(), commenter.email.strip(), commenter.url.strip()
    if settings.require_name_email:
        for value, field in ((name, "author"), (email, "email")):
            if not value:
                raise CommentRejected(
                    _("Please fill the required fields."), field=field, code="required"
                )
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise CommentRejected(
                _("Please enter a valid email address."), field="email", code="email"
            ) from None
    try:
        url = web_address(url, max_length=len(url) or 1)  # the length is checked below
    except NotAWebAddress:
        raise CommentRejected(
            _("Please enter a web address starting with https://."), field="url", code="url"
        ) from None
    return Identity(user=None, name=name, email=email, url=url)


# Translated only for a comment they refuse.
_NAME_TOO_LONG = gettext_lazy("Your name is too long.")
_EMAIL_TOO_LONG = gettext_lazy("Your email address is too long.")
_URL_TOO_LONG = gettext_lazy("Your URL is too long.")


def _words(body: str, who: Identity) -> str:
    """A comment needs words, and fits WordPress's columns."""
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise CommentRejected(_("Please type your comment text."), field="comment", code="empty")
    for value, limit, field, message in (
        (who.name, MAX_NAME, "author", _NAME_TOO_LONG),
        (who.email, MAX_EMAIL, "email", _EMAIL_TOO_LONG),
        (who.url, MAX_URL, "url", _URL_TOO_LONG),
    ):
        if len(value) > limit:
            raise CommentRejected(str(message), field=field, code="length")
    if len(body.encode()) > MAX_BODY:
        raise CommentRejected(_("Your comment is too long."), field="comment", code="length")
    return body


def _not_repeated(
    *,
    post: Post,
    parent: Comment | None,
    body: str,
    who: Identity,
    is_moderator: bool,
    ip_address: str | None,
) -> None:
    """The same words twice on the same thread are a double click, not a second comment; and
    one comment per 15 seconds from one address, email or account. (Each check is one flat
    filter: building the query costs more than running it.)"""
    user_id = who.user.pk if who.user is not None else None
    _writer_takes_turns(user_id=user_id, name=who.name, email=who.email)
    repeated = comment_repeated(
        post_id=post.pk,
        parent_id=parent.pk if parent is not None else None,
        body=body,
        user_id=user_id,
        name=who.name,
        email=who.email,
        flood_since=None if is_moderator else timezone.now() - timedelta(seconds=FLOOD_SECONDS),
        ip_address=ip_address,
    )
    if repeated == "duplicate":
        raise CommentRejected(
            _("Duplicate comment detected; it looks as though you’ve already said that!"),
            status=409,
            code="duplicate",
        )
    if repeated == "flood":
        raise CommentRejected(
            _("You are posting comments too quickly. Slow down."), status=429, code="flood"
        )


def _not_barred(who: Identity, ip_address: str | None, is_moderator: bool) -> None:
    """A writer a moderator barred is told so politely; the form keeps their words."""
    if is_moderator:
        return
    refused = barred(
        user_id=who.user.pk if who.user is not None else None,
        email=who.email,
        ip_address=ip_address,
    )
    if refused is not None:
        raise CommentRejected(refused, status=403, code="banned")


def _passage(post: Post, anchor: Selector | None) -> Selector | None:
    """The reader's selection checked against the essay as it is now: what they submitted
    only chooses between occurrences; the stored selector is taken from the text."""
    if anchor is None:
        return None
    # The comment's own lookup reads only what every comment needs: the text, in one query.
    post.refresh_from_db(fields=["body_html", "footnotes_html", "bibliography_html"])
    try:
        return select(
            post_passages(post),
            passage=anchor.passage,
            exact=anchor.exact,
            prefix=anchor.prefix,
            suffix=anchor.suffix,
            # The form's -1: no usable position was sent.
            start=anchor.start if anchor.start >= 0 else None,
            end=anchor.end if anchor.end >= 0 else None,
        )
    except NotInText as refused:
        raise CommentRejected(refused.message, field=ANCHOR_FIELD, code="anchor") from None


def _anchor_create(comment: Comment, post: Post, selector: Selector) -> None:
    """The passage the comment responds to, located in the version it was written on."""
    Anchor.objects.create(
        comment=comment,
        post=post,
        **asdict(selector),  # passage, exact, prefix, suffix, start, end
        revision=post.revision,
        version=post.version,
        state=Anchor.State.INTACT,
        current_passage=selector.passage,
        current_exact=selector.exact,
        current_start=selector.start,
        current_end=selector.end,
        located_version=post.version,
    )
    post_mark(post.pk, ANCHORED)  # its pages read their passages' responses from now on


def _decision(
    *, post: Post, who: Identity, body: str, body_html: str, is_moderator: bool,
    ip_address: str | None, user_agent: str, honeypot: str, seconds_on_page: float | None,
    settings: DiscussionSettings,
) -> Decision:  # fmt: skip
    """Approve, hold, trash or spam (moderation.rules, through discussion.gate)."""
    return decided(
        Candidate(
            # Only an account can be one of the post's authors: no query for a guest.
            post_author_ids=frozenset(post.authors.values_list("pk", flat=True))
            if who.user is not None
            else frozenset(),
            user_id=who.user.pk if who.user is not None else None,
            is_moderator=is_moderator,
            author_name=who.name,
            author_email=who.email,
            author_url=who.url,
            body=body,
            body_html=body_html,
            ip_address=ip_address,
            user_agent=user_agent,
            honeypot=honeypot,
            seconds_on_page=seconds_on_page,
        ),
        settings,
    )


@action
def comment_submit(
    *,
    post: Post,
    commenter: Commenter,
    body: str,
    parent_id: int | None = None,
    ip_address: str | None = None,
    user_agent: str = "",
    honeypot: str = "",
    seconds_on_page: float | None = None,
    anchor: Selector | None = None,
) -> Comment:
    """Check and store a comment, with WordPress's checks in WordPress's order, marked for the
    worker to tell whoever should hear of it. `anchor` is the passage the reader responds to,
    as they submitted it (checked here against the essay).

    One transaction from the first read (the action's): the checks and the row agree."""
    settings = DiscussionSettings.current()
    body, user_agent = without_nul(body), without_nul(user_agent)
    parent = _reply_parent(post=post, parent_id=parent_id, settings=settings)
    if not comments_are_open(post=post, settings=settings):
        raise CommentRejected(
            _("Sorry, comments are closed for this item."), status=403, code="closed"
        )
    who = _identity(_cleaned(commenter), settings)
    body = _words(body, who)
    selector = _passage(post, anchor)
    is_moderator = _moderates(commenter, who)
    ip_address, user_agent = _clean_ip(ip_address), user_agent[:254]
    _not_barred(who, ip_address, is_moderator)
    _not_repeated(
        post=post, parent=parent, body=body, who=who, is_moderator=is_moderator,
        ip_address=ip_address,
    )  # fmt: skip
    body_html = render_comment_markdown(body)
    decision = _decision(
        post=post, who=who, body=body, body_html=body_html, is_moderator=is_moderator,
        ip_address=ip_address, user_agent=user_agent, honeypot=honeypot,
        seconds_on_page=seconds_on_page, settings=settings,
    )  # fmt: skip
    comment = _comment_create(
        post=post, parent=parent, who=who, body=body, body_html=body_html, decision=decision,
        ip_address=ip_address, user_agent=user_agent, settings=settings,
    )  # fmt: skip
    if selector is not None:
        _anchor_create(comment, post, selector)
    _counted_and_shown(comment)
    return comment


def _moderates(commenter: Commenter, who: Identity) -> bool:
    """Whether the writer moderates: never barred, never held for writing fast, and their
    comment published (moderation.rules)."""
    return commenter.is_moderator or bool(
        who.user is not None and who.user.has_perm("discussion.change_comment")
    )


def _notice_due(status: str, settings: DiscussionSettings) -> bool:
    """Whether anyone could be emailed about a new comment with this status (the worker's
    round, notifications' `comments_notify_due`, tells them): a comment nobody would hear of
    (spam, trash, held with moderator emails off) is not marked."""
    if status == Comment.Status.PENDING:
        return settings.moderation_notify
    return status == Comment.Status.APPROVED


def _comment_create(
    *,
    post: Post,
    parent: Comment | None,
    who: Identity,
    body: str,
    body_html: str,
    decision: Decision,
    ip_address: str | None,
    user_agent: str,
    settings: DiscussionSettings,
    received: Received | None = None,
) -> Comment:
    """The row, on the post's current published version (the thread says so once the essay
    has been revised), with its card. Written out (decision 0019): the ORM's INSERT of the
    row's 27 columns cost more than the checks before it."""
    now = timezone.now()
    comment = Comment(
        kind=received.kind if received else Comment.Kind.COMMENT,
        mention=received.mention if received else "",
        post=post,
        parent=parent,
        thread_id=parent.thread_id if parent is not None else None,  # no read of the thread row
        depth=parent.depth + 1 if parent is not None else 0,
        status=decision.status,
        status_changed_at=now,
        user=who.user,
        author_name=who.name,
        author_email=who.email,
        author_url=who.url,
        ip_address=ip_address,
        user_agent=user_agent,
        body=body,
        body_html=body_html,
        created_at=received.created_at if received else now,
        modified_at=now,
        moderation_reason=decision.reason,
        spam_score=decision.spam_score,
        # Whoever should hear of it is told by the worker's next round, not by this request.
        notice_due=_notice_due(decision.status, settings),
        post_version=post.version or None,
    )
    refresh_card(comment, settings)  # what Comment.save() adds
    insert_row(comment)
    if parent is None:
        comment_starts_thread(comment)
    return comment


@action
def comment_create_stored(
    *,
    post: Post,
    parent: Comment | None,
    body: str,
    status: str,
    created_at: Any,
    user: Any = None,
    author_name: str = "",
    author_email: str = "",
    author_url: str = "",
    ip_address: str | None = None,
    kind: str = Comment.Kind.COMMENT,
) -> Comment:
    """Store a comment as it already was (demo content, imports): no rules, dates kept."""
    body, author_name = without_nul(body), without_nul(author_name)
    author_email, author_url = without_nul(author_email), without_nul(author_url)
    if user is not None:
        author_name = author_name or user.display_name
        author_email = author_email or user.email
    comment = Comment.objects.create(
        post=post,
        parent=parent,
        thread_id=parent.thread_id if parent is not None else None,  # no read of the thread row
        depth=parent.depth + 1 if parent is not None else 0,
        kind=kind,
        status=status,
        # Trash and spam are emptied 30 days after they got here, not after they were written.
        status_changed_at=timezone.now(),
        user=user,
        author_name=author_name[:MAX_NAME],
        author_email=author_email[:MAX_EMAIL],
        author_url=author_url[:MAX_URL],
        ip_address=_clean_ip(ip_address),
        body=body.strip(),
        body_html=render_comment_markdown(body.strip()),
        created_at=created_at,
        modified_at=created_at,
    )
    if parent is None:
        comment_starts_thread(comment)
    _counted_and_shown(comment)
    return comment


@dataclass(frozen=True)
class Received:
    """A comment written on another site and sent here (a Webmention): its text and HTML
    already taken from the source and sanitized by the receiving app."""

    name: str
    url: str
    body: str  # plain text, for search and moderation
    body_html: str  # sanitized (core.sanitize)
    created_at: Any
    mention: str  # reply, like, repost, bookmark, mention
    kind: str = "webmention"  # Comment.Kind: webmention, fediverse
    parent: Comment | None = None  # a reply to a comment here (the fediverse's inReplyTo)


def comment_receive(*, post: Post, received: Received) -> Comment:
    """Store a comment sent from another site, decided by the same moderation rules as the
    form's (links, words, previously approved, spam score) and noticed as they are. Called by
    the receiving app's action, inside its transaction."""
    settings = DiscussionSettings.current()
    who = Identity(user=None, name=without_nul(received.name)[:MAX_NAME] or "Anonymous",
                   email="", url=without_nul(received.url)[:MAX_URL])  # fmt: skip
    body = without_nul(received.body)[:MAX_BODY]
    decision = _decision(
        post=post, who=who, body=body, body_html=received.body_html, is_moderator=False,
        ip_address=None, user_agent="", honeypot="", seconds_on_page=None, settings=settings,
    )  # fmt: skip
    comment = _comment_create(
        post=post, parent=received.parent, who=who, body=body, body_html=received.body_html,
        decision=decision, ip_address=None, user_agent=received.kind.title(), settings=settings,
        received=received,
    )  # fmt: skip
    _counted_and_shown(comment)
    return comment


def comment_receive_again(*, comment: Comment, received: Received) -> Comment:
    """A received comment whose source changed: its words and author as the source now has
    them (its moderation status stays), inside the receiving app's action."""
    was_counted = comment.counts_on_post()
    comment.author_name = without_nul(received.name)[:MAX_NAME] or "Anonymous"
    comment.author_url = without_nul(received.url)[:MAX_URL]
    comment.body = without_nul(received.body)[:MAX_BODY]
    comment.body_html = received.body_html
    comment.mention = received.mention
    comment.modified_at = timezone.now()
    comment.save()
    delta = int(comment.counts_on_post()) - int(was_counted)  # a reply become a like, or back
    if delta:
        add_to(Post, comment.post_id, "comment_count", delta)
    comment_changed(
        comment_id=comment.pk, post_id=comment.post_id, shown=comment.status == "approved"
    )
    return comment


# --- a commenter's own comment, in its edit window (issue 22; decisions 0074 and 0089) ------

# From the least to the most removed: an edit moves a comment only towards the end.
_SEVERITY = (Comment.Status.APPROVED, Comment.Status.PENDING, Comment.Status.SPAM,
             Comment.Status.TRASH)  # fmt: skip


def edit_minutes() -> int:
    return int(django_settings.COMMENT_EDIT_MINUTES)


def edit_window_open(comment: Comment, *, now: Any = None, minutes: int | None = None) -> bool:
    """Whether the comment's writer may still change it (COMMENT_EDIT_MINUTES, or the API's
    own `minutes`; 0: never)."""
    minutes = edit_minutes() if minutes is None else minutes
    return bool(minutes) and (now or timezone.now()) - comment.created_at < timedelta(
        minutes=minutes
    )


def own_comment(
    *, pk: int | None, user: Any, guest_ids: set[int] | frozenset[int] = frozenset()
) -> Comment | None:
    """The reader's own comment that they may still see and change: an account's by its
    account, a guest's by the signed cookie that lists their comments (`guest_ids`). None for
    anybody else's, one that does not exist, or one filed as spam or trashed: a forged id
    tells nothing about the comments there are."""
    if not pk:
        return None
    comment = (
        Comment.objects.filter(pk=pk, removed=False)
        .exclude(status__in=[Comment.Status.SPAM, Comment.Status.TRASH])
        .select_related("user__profile", "post")
        .first()
    )
    if comment is None:
        return None
    account = user is not None and getattr(user, "is_authenticated", False)
    if account and comment.user_id == user.pk:
        return comment
    if comment.user_id is None and pk in guest_ids:
        return comment
    return None


def window_closed_message() -> str:
    minutes = edit_minutes()
    return ngettext(
        "A comment can be changed for %(minutes)d minute after it is written; ask a "
        "moderator to change this one.",
        "A comment can be changed for %(minutes)d minutes after it is written; ask a "
        "moderator to change this one.",
        minutes,
    ) % {"minutes": minutes}


def _judged_again(comment: Comment, body: str, body_html: str) -> Decision:
    """The moderation rules on the new words, with the writer as they wrote the first."""
    settings = DiscussionSettings.current()
    who = Identity(user=comment.user, name=comment.author_name, email=comment.author_email,
                   url=comment.author_url)  # fmt: skip
    return _decision(
        post=comment.post, who=who, body=body, body_html=body_html, is_moderator=False,
        ip_address=comment.ip_address, user_agent=comment.user_agent, honeypot="",
        seconds_on_page=None, settings=settings,
    )  # fmt: skip


def _status_after_edit(old: str, decided: str) -> str:
    """An edit never approves (a held comment waits for its moderator) but may hold: an
    approved comment edited into spam is held, or filed as the rules say."""
    if old not in _SEVERITY or decided not in _SEVERITY:
        return old
    return old if _SEVERITY.index(decided) <= _SEVERITY.index(old) else decided


@action
def comment_edit_own(
    *, comment: Comment, body: str, editor_id: int | None = None, minutes: int | None = None
) -> Comment:
    """The writer's new words for their comment, in its window: the earlier text kept for the
    moderators, "edited" shown with the time, and the moderation rules run again on the new
    words (an approved comment edited into spam is held). The caller checked whose it is."""
    locked = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("user__profile", "post")
        .get(pk=comment.pk)
    )
    if locked.removed or not edit_window_open(locked, minutes=minutes):
        raise CommentRejected(window_closed_message(), status=403, code="edit_window_closed")
    who = Identity(user=None, name="", email="", url="")
    body = _words(without_nul(body), who)
    if body == locked.body:
        return locked
    keep_earlier_text(comment=locked, editor_id=editor_id)
    body_html = render_comment_markdown(body)
    decision = _judged_again(locked, body, body_html)
    old = locked.status
    locked.status = _status_after_edit(old, decision.status)
    now = timezone.now()
    update = ["body", "body_html", "edited_at", "modified_at", "status"]
    if locked.status != old:
        locked.previous_status, locked.status_changed_at = old, now
        locked.moderation_reason = f"Edited by its writer: {decision.reason}"[:300]
        locked.spam_score = decision.spam_score
        locked.notice_due = _notice_due(locked.status, DiscussionSettings.current())
        update += ["previous_status", "status_changed_at", "moderation_reason", "spam_score",
                   "notice_due"]  # fmt: skip
        if old == Comment.Status.APPROVED:
            add_to(Post, locked.post_id, "comment_count", -1)
    locked.body, locked.body_html = body, body_html
    locked.edited_at = locked.modified_at = now
    locked.save(update_fields=update)
    comment_changed(
        comment_id=locked.pk, post_id=locked.post_id, shown=old == Comment.Status.APPROVED
    )
    return locked


@action
def comment_withdraw(*, comment: Comment, minutes: int | None = None) -> Comment | None:
    """The writer takes their comment back in its window, as a moderator deletes it. Declared
    shown whatever its status: a held comment may have a notice of the public log in its
    place."""
    if not edit_window_open(comment, minutes=minutes):
        raise CommentRejected(window_closed_message(), status=403, code="edit_window_closed")
    return comment_remove(comment=comment, shown=True)

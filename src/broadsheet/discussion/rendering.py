"""The comment tree as HTML, built in Python: a thread of 2,000 comments renders in a few
milliseconds, where 2,000 template includes would take far longer. Every value is escaped
here except `body_html`, which was sanitized when the comment was written.

Each approved comment's card (its `<article>` up to the text) is built once, when it is saved,
and stored with it (`Comment.card_html`, like `body_html`); a page joins the stored cards and
adds what depends on the page: the `<li>` with its classes, the reply link, the nesting. A
card built with other site-wide inputs (avatars, Gravatar, time zone: `card_key`) or never
built (an import, a held comment) is rendered with the page instead.

The markup follows WordPress's (ids `comment-N`, classes `comment`, `children`,
`bypostauthor`; the Reply link is `reply`) and microformats2 (`h-cite`), kept short: a post with
200 comments weighs less than half of WordPress's page. WordPress's `depth-N` and `fn`
classes are left out (decision 0066): the nesting of the lists says the depth, `p-author`
names the author, and no style or script here reads either.
"""

from __future__ import annotations

import hashlib
import weakref
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from django.conf import settings as django_settings
from django.db.models import QuerySet
from django.templatetags.static import static
from django.utils import formats, timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, trans_real

from broadsheet.core.identicon import identicon_key
from broadsheet.core.numerals import localize_digits
from broadsheet.discussion.anchors import anchor_of, anchor_shown
from broadsheet.discussion.models import Anchor, Comment, DiscussionSettings
from broadsheet.discussion.selectors import NOT_SHOWN, CommentPage, Node
from broadsheet.publishing.models import Post, Revision

AWAITING = gettext_lazy("Your comment is awaiting moderation.")
HELD_AVATAR = "broadsheet/avatar-held.svg"
DELETED = gettext_lazy("This comment was deleted.")


def avatar_url(comment: Comment, settings: DiscussionSettings) -> str:
    profile = getattr(comment.user, "profile", None) if comment.user_id else None
    own = ""
    if profile is not None and (profile.avatar or profile.remote_avatar_url):
        own = str(profile.avatar_url)
    return avatar_for(
        user_id=comment.user_id,
        approved=comment.status == Comment.Status.APPROVED,
        own=own,
        email=(comment.user.email if comment.user is not None else comment.author_email) or "",
        name=comment.author_name,
        settings=settings,
    )


def avatar_for(
    *, user_id: int | None, approved: bool, own: str, email: str, name: str,
    settings: DiscussionSettings,
) -> str:  # fmt: skip
    """A comment's avatar from its columns (the API reads them without a model): the
    account's own picture, else Gravatar when the site uses it, else our identicon."""
    if not user_id and not approved:
        # A guest's held comment is shown to whoever holds its cookie: the avatar of the email
        # they typed would let them test an address against someone's public comments.
        return static(HELD_AVATAR)
    if own:
        return own
    if settings.use_gravatar and email:
        digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
        return f"https://secure.gravatar.com/avatar/{digest}?s=96&d=identicon&r=g"
    if email:
        source = email
    elif user_id:
        source = f"user:{user_id}"
    else:
        source = f"name:{name}"
    return f"/identicon/{identicon_key(source)}.svg"


_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def comment_date(comment: Comment) -> str:
    """WordPress's "March 14, 2026 at 6:42 pm", written out directly: Django's dateformat
    costs more than the rest of a comment's markup together."""
    return comment_date_of(timezone.localtime(comment.created_at))


@dataclass(frozen=True, slots=True)
class Words:
    """The site's words in comment cards and threads, in one language: translated once per
    render (or per batch of cards), not once per comment (decision 0112). English keeps its
    own date writer (WordPress's format, written out fast); another language gets Django's
    formats for it."""

    language: str
    awaiting: str
    deleted: str
    edited: str
    revised: str
    removed: str
    now_reads: str
    version_responded: str
    what_changed: str
    on_version: str
    reply: str
    like: str
    report: str
    like_or_report: str
    edit: str
    delete: str
    pin: str
    unpin: str
    pinned: tuple[str, str]
    collapsed: str
    date: Callable[[datetime], str]
    day: Callable[[datetime], str]

    @classmethod
    def active(cls) -> Words:
        """The words of the active language: made once per catalog (a process keeps its
        catalogs; a test that changes them gets a new catalog object, and new words)."""
        catalog = trans_real.catalog()
        found = _WORDS.get(catalog)
        if found is None:
            found = _WORDS[catalog] = cls._made()
        return found

    @classmethod
    def _made(cls) -> Words:
        language = translation.get_language() or django_settings.LANGUAGE_CODE
        english = language.split("-")[0] == "en"
        return cls(
            language=language,
            awaiting=str(AWAITING),
            deleted=str(DELETED),
            # Translators: before the time a comment's writer last changed it ("edited March
            # 14, 2026 at 6:42 pm").
            edited=pgettext("comment changed", "edited"),
            revised=str(REVISED),
            removed=_("The passage was removed."),
            now_reads=_("The passage now reads: %(passage)s"),
            version_responded=_("The version responded to"),
            what_changed=_("What changed"),
            # Translators: under a comment written on an earlier version of the essay.
            on_version=_("On the version of %(date)s"),
            reply=pgettext("link under a comment", "Reply"),
            like=pgettext("button under a comment", "Like"),
            report=pgettext("link under a comment", "Report"),
            like_or_report=_("Like or report"),
            edit=pgettext("link under one's own comment", "Edit"),
            delete=pgettext("link under one's own comment", "Delete"),
            pin=pgettext("button under a comment", "Pin"),
            unpin=pgettext("button under a comment", "Unpin"),
            pinned=(_("Pinned by a moderator"), _("Pinned by the author")),
            collapsed=_("A comment with few likes (show)"),
            date=comment_date_of if english else _localised_date_time,
            day=_english_day if english else _localised_day,
        )


_WORDS: weakref.WeakKeyDictionary[Any, Words] = weakref.WeakKeyDictionary()


def _english_day(moment: datetime) -> str:
    return f"{_MONTHS[moment.month - 1]} {moment.day}, {moment.year}"


def _localised_date_time(moment: datetime) -> str:
    return localize_digits(str(formats.date_format(moment, "DATETIME_FORMAT")))


def _localised_day(moment: datetime) -> str:
    return localize_digits(str(formats.date_format(moment, "DATE_FORMAT")))


CARD_VERSION = "8"  # bump when the card markup changes: every stored card is then rebuilt

# The card's link to the comment itself (microformats' u-url; resolved against the page, it is
# the comment's public address). Stored without the id, which a new comment does not have yet
# when its card is built; the renderer writes it in.
_PERMALINK = '<a class="u-url" href="#comment-">'
# The post's address in a stored card's links to its passages and versions (a card is built
# without the post, whose address may change): the renderer writes it in. Escaping keeps "<"
# out of every value a card holds, so only these links have it.
POST_URL = "<post>"
REVISED = gettext_lazy("The essay has been revised since this comment.")


def card_key(settings: DiscussionSettings, language: str | None = None) -> str:
    """The site-wide inputs of a card, in a language (the active one by default); a stored
    card with another key is not used. Cards are stored in the site's language (`card_words`):
    a reader in another language gets the comments rendered with the page. English adds
    nothing to the inputs, so the cards stored before translations keep their key."""
    language = language or translation.get_language() or django_settings.LANGUAGE_CODE
    inputs = f"{CARD_VERSION}|{settings.show_avatars}|{settings.use_gravatar}|{django_settings.TIME_ZONE}"
    if language != "en":
        inputs += f"|{language}|digits"  # dates in the language's digits (decision 0116)
    return hashlib.sha256(inputs.encode()).hexdigest()[:16]


def stored_card_key(settings: DiscussionSettings) -> str:
    """The key of the cards stored with the comments: built in the site's language."""
    return card_key(settings, django_settings.LANGUAGE_CODE)


def card_words() -> Words:
    """The words of stored cards: the site's language, whoever's request saves the comment."""
    with translation.override(django_settings.LANGUAGE_CODE):
        return Words.active()


def comment_card(comment: Comment, settings: DiscussionSettings, words: Words | None = None) -> str:
    """The comment's `<article>` up to and including its text (the caller closes it), in the
    language of `words` (the active one by default)."""
    words = words or Words.active()
    name = escape(comment.display_name)
    url = (
        comment.author_url if comment.author_url.lower().startswith(("http://", "https://")) else ""
    )
    if comment.user_id and comment.user is not None:
        # An account holder's name leads to their profile page on this site.
        profile_url = f"/people/{quote(comment.user.username)}/"
        author = f'<a class="u-url p-name" href="{escape(profile_url)}">{name}</a>'
    elif url:
        author = (
            f'<a class="u-url p-name" href="{escape(url)}" rel="external nofollow ugc">{name}</a>'
        )
    else:
        author = name
    avatar = ""
    if settings.show_avatars:
        avatar = f'<img class="avatar" src="{escape(avatar_url(comment, settings))}" alt="" loading="lazy">'
    moment = timezone.localtime(comment.created_at)
    offset = moment.strftime("%z")
    pending = (
        f'<p class="comment-awaiting-moderation">{words.awaiting}</p>'
        if comment.status in (Comment.Status.PENDING, Comment.Status.SPAM)
        else ""
    )
    return (
        f"<article><footer>{avatar}"
        f'<b class="p-author h-card">{author}</b> {_PERMALINK}'
        f'<time class="dt-published" datetime="{moment.strftime("%Y-%m-%dT%H:%M")}{"Z" if offset == "+0000" else offset}">'
        f"{words.date(moment)}</time></a>{edited_note(comment, words)}{pending}</footer>"
        f"{anchor_card(anchor_of(comment), words)}"
        f'<div class="e-content">{comment.body_html}</div>'
    )


def edited_note(comment: Comment, words: Words) -> str:
    """ "edited" with the time its writer last changed the words (microformats' dt-updated)."""
    if comment.edited_at is None:
        return ""
    moment = timezone.localtime(comment.edited_at)
    return (
        f' <span class="comment-edited">{words.edited} <time class="dt-updated" '
        f'datetime="{moment.isoformat(timespec="minutes")}">{words.date(moment)}</time></span>'
    )


def comment_date_of(moment: datetime) -> str:
    hour = moment.hour % 12 or 12
    meridiem = "am" if moment.hour < 12 else "pm"
    return f"{_MONTHS[moment.month - 1]} {moment.day}, {moment.year} at {hour}:{moment.minute:02d} {meridiem}"


def anchor_card(anchor: Anchor | None, words: Words) -> str:
    """The passage a comment responds to, as its card shows it: the quote, linking to the
    passage (microformats' u-in-reply-to: what the comment replies to), and, once the essay's
    revisions changed or removed those words, a note saying so with links to the version
    responded to and to what changed."""
    if anchor is None:
        return ""
    shown = anchor_shown(anchor)
    html = (
        f'<blockquote class="comment-quote"><a class="u-in-reply-to" '
        f'href="{POST_URL}{escape(shown.href)}">{escape(shown.quote)}</a></blockquote>'
    )
    if not shown.revised:
        return html
    if shown.removed:
        now: str = escape(words.removed)
    else:
        passage = f'<a href="{POST_URL}{escape(shown.now_href)}">“{escape(shown.now_reads)}”</a>'
        now = escape(words.now_reads) % {"passage": passage}
    links = ""
    if shown.version_href:
        links = (
            f' <span class="comment-revised-links">'
            f'<a href="{POST_URL}{escape(shown.version_href)}">{escape(words.version_responded)}</a>'
            f' · <a href="{POST_URL}{escape(shown.changes_href)}">{escape(words.what_changed)}</a></span>'
        )
    return f'{html}<p class="comment-revised">{escape(words.revised)} {now}{links}</p>'


def refresh_card(
    comment: Comment, settings: DiscussionSettings | None = None, words: Words | None = None
) -> bool:
    """Build the stored card of a comment about to be saved (in the site's language, `words`
    when the caller has them); True when it changed."""
    if comment.status == Comment.Status.APPROVED and not comment.removed:
        settings = settings or DiscussionSettings.current()
        words = words or card_words()
        if translation.get_language() == words.language:
            html = comment_card(comment, settings, words)
        else:
            with translation.override(words.language):  # Django's date formats read it
                html = comment_card(comment, settings, words)
        key = card_key(settings, words.language)
    else:
        html, key = "", ""  # held, spam, trash or removed: never shown from a stored card
    changed = (html, key) != (comment.card_html, comment.card_key)
    comment.card_html, comment.card_key = html, key
    return changed


def refresh_cards(comments: Iterable[Comment], *, batch_size: int = 1000) -> int:
    """Rebuild the stored cards of these comments (after an import, a settings or profile
    change), written in batches of one statement each; returns how many changed."""
    from django.db import connection

    table = connection.ops.quote_name(Comment._meta.db_table)  # the model's, not user input
    sql = f"UPDATE {table} SET card_html = %s, card_key = %s WHERE id = %s"  # noqa: S608
    changed: list[tuple[str, str, int]] = []
    count = 0
    settings = DiscussionSettings.current()
    words = card_words()
    with connection.cursor() as cursor, translation.override(words.language):
        for comment in comments:
            if refresh_card(comment, settings, words):
                changed.append((comment.card_html, comment.card_key, comment.pk))
            if len(changed) >= batch_size:
                cursor.executemany(sql, changed)
                count += len(changed)
                changed.clear()
        if changed:
            cursor.executemany(sql, changed)
    return count + len(changed)


def stale_cards(settings: DiscussionSettings | None = None) -> QuerySet[Comment]:
    """Approved comments whose stored card was built with other inputs (or never), loaded
    with what a card shows."""
    key = stored_card_key(settings or DiscussionSettings.current())
    return (
        Comment.objects.filter(status=Comment.Status.APPROVED, removed=False)
        .exclude(card_key=key)
        .select_related("user__profile", "anchor")
        .defer(*NOT_SHOWN)
    )


def made_on(node: Node) -> int:
    """The published version a comment was written on. Comments stored as they already were
    (imports, the demo) carry none: they were written on the text the site started with,
    its version 1."""
    return node.post_version or 1


def version_notes(post: Post, shown: Iterable[Node]) -> dict[int, str]:
    """ "On the version of <date>", for each earlier published version of `post` that comments
    in `shown` were written on: one query, none when every comment is on the current text."""
    if post.version <= 1:
        return {}  # never revised: every comment is on its one version
    older = {made_on(n) for n in shown if made_on(n) < post.version}
    if not older:
        return {}
    words = Words.active()
    versions = Revision.objects.filter(post_id=post.pk, version__in=older)
    base = post.get_absolute_url()
    notes: dict[int, str] = {}
    for number, saved in versions.values_list("version", "created_at"):
        assert number is not None  # asked for by number
        # Version 1 is dated as the post went live (publishing/includes/version_date.html).
        moment = timezone.localtime(
            post.published_at if number == 1 and post.published_at else saved
        )
        link = (
            f'<a href="{escape(base)}v/{number}/">'
            f'<time datetime="{moment:%Y-%m-%d}">{escape(words.day(moment))}</time></a>'
        )
        notes[number] = (
            f'<p class="comment-version">{escape(words.on_version) % {"date": link}}</p>'
        )
    return notes


def _plain(text: str) -> str:
    """Escaped, as a str (not a SafeString)."""
    return str.__str__(escape(text))


class CommentRenderer:
    def __init__(
        self,
        *,
        settings: DiscussionSettings,
        post_author_ids: Collection[int],
        can_reply: bool = True,
        post_url: str = "",
        versions: Mapping[int, str] | None = None,
        editable: Collection[int] = (),
        can_pin: bool = False,
    ) -> None:
        """`post_url`: the address of the post the comments are on (its cards' links start
        with it); `versions`: the note of each earlier version of it (`version_notes`)."""
        self.settings = settings
        self.post_url = post_url
        self.versions = versions or {}
        self.key = card_key(settings)
        self.words = words = Words.active()
        # The texts written around each comment, made once here (the loop runs 2,000 times),
        # as plain strings: an f-string asks a SafeString for its str() in Python.
        self._reply, self._like, self._report = map(_plain, (words.reply, words.like, words.report))
        self._edit, self._delete = _plain(words.edit), _plain(words.delete)
        self._pin = (_plain(words.unpin), _plain(words.pin))  # by whether the comment is pinned
        self._act = _plain(words.like_or_report if settings.comment_likes else words.report)
        self._removed = f'<article><p class="comment-deleted">{escape(words.deleted)}</p>'
        self._pinned = tuple(
            f'<article><p class="comment-pinned">{escape(text)}</p>' for text in words.pinned
        )
        self._collapsed = (
            '<details class="comment-collapse">'
            f"<summary>{escape(words.collapsed)}</summary><article>"
        )
        self.post_author_ids = frozenset(post_author_ids)
        self.can_reply = can_reply
        self.max_depth = settings.max_depth
        self.notices: dict[int, str] = {}  # the page's removal notices, by comment id
        # The reader's own comments still in their edit window (a personal page only), and
        # whether the reader may pin (an author of the post or a moderator: personal too).
        self.editable = frozenset(editable)
        self.can_pin = can_pin
        self.likes = settings.comment_likes
        self.collapse_below = settings.collapse_below if settings.comment_order == _BEST else 0

    def page(self, page: CommentPage) -> str:
        parts: list[str] = []
        self.notices = page.notices
        for node in page.roots:
            self._node(node, page.loaded, page.children, parts)
        return "".join(parts)

    def single(self, comment: Comment) -> str:
        parts: list[str] = []
        node = Node.of(comment)
        self._node(node, {} if node.has_card(self.key) else {comment.pk: comment}, {}, parts)
        return "".join(parts)

    def _node(
        self,
        node: Node,
        loaded: dict[int, Comment],
        children: dict[int, list[Node]],
        out: list[str],
    ) -> None:
        # Called once per comment (2,000 on a busy post): plain strings, no enum lookups.
        # Past the threading limit (lowered since they were written, or an import's deeper
        # threads) replies show at the last level, as WordPress's Walker_Comment shows them.
        pk = node.pk
        last_level = node.depth + 1 >= self.max_depth
        approved = node.status == _APPROVED
        classes = "comment"
        if node.user_id and node.user_id in self.post_author_ids:
            classes += " bypostauthor"
        notice = self.notices.get(pk) if self.notices else None
        if node.removed or notice is not None:
            classes += " is-removed"
        elif not approved:
            classes += " is-pending"
        if node.kind != _COMMENT:
            classes += f" is-{node.kind}"
        card = self._card(node, loaded, notice)
        reply, close = "", "</article>"
        # No Reply at the last level (WordPress's comment_reply_link offers none there).
        if self.can_reply and approved and not node.removed and not last_level:
            reply = f'<a class="reply" href="?replytocom={pk}#respond">{self._reply}</a>'
        elif approved and not node.removed and notice is None and pk != self.focus:
            reply = self._act_link(pk)  # where Reply would be: its page offers Like and Report
        if not node.removed and notice is None:
            # Most comments have no controls (likes, focus, edit window, pin): no call for them.
            some = (node.like_count and self.likes) or pk == self.focus or pk in self.editable
            if some or (self.can_pin and node.depth == 0):
                controls = self._controls(node, approved)
                reply = f"{controls} {reply}" if controls and reply else controls or reply
            if node.pinned_at is not None and node.depth == 0:
                classes += " is-pinned"
                card = card.replace("<article>", self._pinned[node.pinned_as == "author"], 1)
            if approved and node.like_count < self.collapse_below:
                classes += " is-collapsed"
                card = card.replace("<article>", self._collapsed, 1)
                close = "</article></details>"
        # The h-cite is the entry's p-comment (microformats2); its replies nest inside it.
        out.append(f'<li id="comment-{pk}" class="{classes} p-comment h-cite">{card}{reply}{close}')
        if pk in children and last_level:
            out.append("</li>")  # its replies follow it, at this same level
            for child in children[pk]:
                self._node(child, loaded, children, out)
        elif pk in children:
            out.append('<ol class="children">')
            for child in children[pk]:
                self._node(child, loaded, children, out)
            out.append("</ol></li>")
        else:
            out.append("</li>")

    def _card(self, node: Node, loaded: dict[int, Comment], notice: str | None) -> str:
        """The comment's card up to its closing tag: the stored one (or one made now, when
        it cannot be used: see comment_page_for_post), or what stands for a removed one."""
        if node.removed:
            return self._removed
        if notice is not None:
            return f'<article><p class="comment-deleted comment-moderated">{escape(notice)}</p>'
        pk = node.pk
        card = (
            comment_card(loaded[pk], self.settings, self.words) if pk in loaded else node.card_html
        ).replace(_PERMALINK, f'<a class="u-url" href="#comment-{pk}">', 1)
        card = card.replace(POST_URL, self.post_url)
        if self.versions and made_on(node) in self.versions:
            card += self.versions[made_on(node)]
        return card

    def _controls(self, node: Node, approved: bool) -> str:
        """Like (with its count), Report, and the reader's own Edit and Delete or Pin: small
        forms and links that work without JavaScript (comments.js posts them in place).

        Like and Report are written for the comment the page is opened on — its Reply page
        (`?replytocom=N`), or `?c=N` where no Reply is offered — and a Like for a comment with
        likes (its count shows); comments.js adds them to every other comment. Written on all
        200 comments of a page they weighed 37 KB, a fifth of it (decision 0111)."""
        pk, out = node.pk, ""
        token = (
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{self.csrf_token}">'
            if self.csrf_token
            else ""
        )
        focused = pk == self.focus
        if approved and self.likes and (focused or node.like_count):
            out += (
                f'<form class="comment-like" method="post" action="/comment/{pk}/like/">{token}'
                f'<button>{self._like} <span class="like-count">{node.like_count}</span></button></form> '
            )
        if approved and focused:
            out += f'<a class="comment-report" rel="nofollow" href="/comment/{pk}/report/">{self._report}</a>'
        if pk in self.editable:
            out += (
                f' <a class="comment-edit" rel="nofollow" href="/comment/{pk}/edit/">{self._edit}</a>'
                f' <a class="comment-delete" rel="nofollow" href="/comment/{pk}/delete/">{self._delete}</a>'
            )
        if self.can_pin and approved and node.depth == 0:
            verb = self._pin[node.pinned_at is None]
            out += (
                f' <form class="comment-pin" method="post" action="/comment/{pk}/pin/">{token}'
                f'<button name="pin" value="{int(node.pinned_at is None)}">{verb}</button></form>'
            )
        return out

    def _act_link(self, pk: int) -> str:
        """Without JavaScript, the way to Like and Report a comment that offers no Reply (the
        last level, a closed discussion): the page opened on it."""
        return f'<a class="comment-act" href="?c={pk}#comment-{pk}">{self._act}</a>'

    csrf_token = ""  # set by the page for a signed-in reader (a personal page)
    focus: int | None = None  # the comment the page was opened on (`?c=N`): its controls shown


_APPROVED = str(Comment.Status.APPROVED)
_BEST = str(DiscussionSettings.Order.BEST)
_COMMENT = str(Comment.Kind.COMMENT)

"""Every action declares what it changes for readers (core.effects).

The walk: a small site's pages are stored in the page cache, one action runs, and every page
is fetched twice — as the cache serves it and freshly rendered. A page that differs was
changed by the action without the action declaring it (the cache still serves the old one).
Every registered action must have a scenario here: a new action cannot skip the walk.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

import broadsheet
from broadsheet.accounts.models import Profile, User
from broadsheet.core import effects
from broadsheet.core.models import SiteSettings
from broadsheet.discussion.models import Comment, DiscussionSettings
from broadsheet.publishing.models import Post
from tests.factories import (
    AuthorFactory,
    CategoryFactory,
    PostFactory,
    TagFactory,
    approved_comment,
)

# Effects run after the commit: these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


def _import_every_module() -> None:
    """Actions register when their module is imported: import them all (the URLconf first:
    it registers the converters the apps' URLconfs use)."""
    importlib.import_module("broadsheet.urls")
    for module in pkgutil.walk_packages(broadsheet.__path__, "broadsheet."):
        name = module.name
        if ".migrations" in name or name in ("broadsheet.wsgi", "broadsheet.settings"):
            continue
        importlib.import_module(name)


_import_every_module()


@dataclass
class Site:
    post: Post
    other: Post
    page: Post
    scheduled: Post
    reader: User
    approved: Comment
    answered: Comment
    pending: Comment
    spam: Comment
    trash: Comment
    old_trash: Comment
    media: Any = None  # a library image, for the media scenarios


def _site() -> Site:
    author = AuthorFactory(username="mhale", profile__display_name="Margaret Hale")
    category, tag = CategoryFactory(name="Harbours"), TagFactory(name="tides")
    now = timezone.now()
    other = PostFactory(title="An earlier essay", published_at=now - timedelta(days=3))
    post = PostFactory(
        title="On harbours",
        authors=[author],
        categories=[category],
        tags=[tag],
        published_at=now - timedelta(days=2),
    )
    page = PostFactory(kind=Post.Kind.PAGE, title="About", slug="about", menu_order=1)
    scheduled = PostFactory(
        title="Coming soon", status=Post.Status.SCHEDULED, published_at=now + timedelta(days=1)
    )
    reader = User.objects.create_user("rea", "rea@example.net", "a long pass phrase 42")
    profile = Profile.objects.get(user=reader)
    profile.display_name = "Rea Dern"
    profile.save()
    approved = approved_comment(post, name="Ada Reader", author_email="ada@example.org")
    answered = approved_comment(post, name="Bob Other", body="Worth a reply.")
    approved_comment(post, parent=answered, name="Cy Third", body="Here it is.", user=reader)
    pending = approved_comment(post, name="Held Writer", status="pending", body="Held.")
    spam = approved_comment(
        post, name="Spam Once", status="spam", previous_status="approved", body="Not spam."
    )
    trash = approved_comment(
        post, name="Trash Once", status="trash", previous_status="approved", body="Binned."
    )
    old_trash = approved_comment(post, name="Long Gone", status="trash", body="Old bin.")
    approved_comment(post, parent=old_trash, name="Dee Fourth", body="Reply to the binned.")
    Comment.objects.filter(pk=old_trash.pk).update(
        status_changed_at=now - timedelta(days=DiscussionSettings.current().empty_trash_days + 1)
    )
    from broadsheet.search.services import search_index_rebuild

    search_index_rebuild()  # the comments above were written past the actions
    return Site(post, other, page, scheduled, reader, approved, answered, pending, spam, trash,
                old_trash)  # fmt: skip


def _pages(site: Site) -> list[str]:
    post_url = site.post.get_absolute_url()
    return [
        "/",
        post_url,
        f"{post_url}feed/",
        site.other.get_absolute_url(),
        site.page.get_absolute_url(),
        "/feed/",
        "/feed/atom/",
        "/feed/json/",
        "/comments/feed/",
        "/?s=harbours",
        "/?s=reply&comments=1",
        "/?s=Ada&comments=1",
        "/?s=Rea&comments=1",
        "/category/harbours/",
        "/tag/tides/",
        "/author/mhale/",
        f"/{site.post.published_at:%Y}/",
        "/people/rea/",
        "/sitemap.xml",
        "/sitemap-posts.xml",
        # The public moderation log, where the site publishes it (a 404 otherwise).
        *(["/moderation/log/", "/moderation/log/feed/"] if _log_on() else []),
        "/corrections/",
        "/corrections/feed/",
    ]


def _log_on() -> bool:
    return DiscussionSettings.current().public_moderation_log


def _submit(site: Site) -> None:
    from broadsheet.discussion.services import Commenter, comment_submit

    editor = AuthorFactory(username="editor", is_superuser=True)
    comment_submit(
        post=site.post, commenter=Commenter(user=editor, is_moderator=True), body="An answer."
    )


def _submit_anchored(site: Site) -> None:
    """A response to one passage: the post page's margin shows its count."""
    from broadsheet.core.anchoring import Selector
    from broadsheet.discussion.services import Commenter, comment_submit
    from broadsheet.publishing.passages import post_passages

    editor = AuthorFactory(username="editor", is_superuser=True)
    first = post_passages(site.post)[0]
    comment_submit(
        post=site.post,
        commenter=Commenter(user=editor, is_moderator=True),
        body="On this sentence.",
        anchor=Selector(first.id, first.text[:12], "", "", 0, 12),
    )


def _store(site: Site) -> None:
    from broadsheet.discussion.services import comment_create_stored

    comment_create_stored(
        post=site.post,
        parent=None,
        body="Imported words.",
        status=Comment.Status.APPROVED,
        created_at=timezone.now() - timedelta(minutes=5),
        author_name="Imported Person",
    )


def _moderate(name: str, which: str) -> Callable[[Site], None]:
    def run(site: Site) -> None:
        from broadsheet.moderation import services

        getattr(services, f"comment_{name}")(comment=getattr(site, which))

    return run


def _edit(site: Site) -> None:
    from broadsheet.moderation.services import comment_edit

    comment_edit(
        comment=site.approved,
        body="Edited words.",
        author_name="Ada Renamed",
        author_email="ada@example.org",
        author_url="https://ada.example",
    )


def _clean(site: Site) -> None:
    from broadsheet.moderation.services import comments_clean

    assert comments_clean()["emptied"] >= 1


def _post_save(site: Site) -> None:
    from broadsheet.publishing.services import post_save

    site.post.title = "On harbours, revised"
    post_save(post=site.post)


def _post_rerender(site: Site) -> None:
    from broadsheet.publishing.models import Reference
    from broadsheet.publishing.services import post_rerender

    Reference.objects.create(post=site.post, key="marsh1998", title="A Ledger", uncited=True)
    post_rerender(post=site.post)


def _references_add(site: Site) -> None:
    from broadsheet.publishing.references import references_add

    references_add(
        post=site.post, entries=[{"title": "A Ledger", "key": "ledger", "uncited": True}], by=None
    )


def _with_reference(site: Site) -> None:
    from broadsheet.publishing.models import Reference
    from broadsheet.publishing.services import post_rerender

    Reference.objects.create(post=site.post, key="marsh1998", title="A Ledger", uncited=True)
    post_rerender(post=site.post)


def _reference_update(site: Site) -> None:
    from broadsheet.publishing.references import reference_update

    fields = {"title": "A Ledger, revised"}
    reference_update(post=site.post, key="marsh1998", fields=fields, by=None)


def _reference_delete(site: Site) -> None:
    from broadsheet.publishing.references import reference_delete

    reference_delete(post=site.post, key="marsh1998", by=None)


def _revision_restore(site: Site) -> None:
    from broadsheet.publishing.models import Revision
    from broadsheet.publishing.revisions import revision_restore
    from broadsheet.publishing.services import post_save

    first = Revision.objects.get(post=site.post, number=site.post.revision)
    site.post.body = "A second version of the essay."
    post_save(post=site.post)
    revision_restore(revision=first, by=None)


def _autosave(site: Site) -> None:
    """The studio's own rows: no page shows an autosave or a review note (nothing to refresh,
    and the walk holds that nothing went stale)."""
    from broadsheet.studio.services import autosave_store

    author = site.post.authors.get()
    autosave_store(user=author, post=site.post, title="Typed", excerpt="", body="On and on")
    autosave_store(user=author, post=None, title="New", excerpt="", body="Not yet saved")


def _autosave_discard(site: Site) -> None:
    from broadsheet.studio.services import autosave_discard, autosave_store

    author = site.post.authors.get()
    autosave_store(user=author, post=site.post, title="Typed", excerpt="", body="On and on")
    autosave_discard(user=author, post=site.post)


def _review_note(site: Site) -> None:
    from broadsheet.studio.services import review_note_add

    review_note_add(post=site.scheduled, author=site.reader, body="Tighten the opening.")


def _publish_due(site: Site) -> None:
    from broadsheet.publishing.services import posts_publish_due

    assert posts_publish_due(now=timezone.now() + timedelta(days=2)) == 1


def _erase(site: Site) -> None:
    from broadsheet.accounts.privacy import personal_data_erase

    personal_data_erase(email="ada@example.org", user=None, remove_text=False)


def _profile(site: Site) -> None:
    from broadsheet.accounts.services import profile_update

    profile = Profile.objects.get(user=site.reader)
    profile.display_name = "Rea Renamed"
    profile_update(profile=profile)


def _site_settings(site: Site) -> None:
    from broadsheet.core.services import settings_save

    current = SiteSettings.current()
    current.title = "The Harbour Review"
    settings_save(settings=current)


def _discussion_settings(site: Site) -> None:
    from broadsheet.core.services import settings_save

    current = DiscussionSettings.current()
    current.show_avatars = not current.show_avatars
    settings_save(settings=current)


def _media_item(site: Site) -> None:
    """A library image (uploaded before the walk) shown on its own line in the post, with
    no alt text or caption in the Markdown: the library's are shown."""
    from broadsheet.media.services import upload_image
    from broadsheet.publishing.services import post_save
    from tests.media.images import photo

    item = upload_image(data=photo(1000, 500), name="lamp.jpg", uploader=None, alt_text="A lamp")
    site.post.body += f"\n\n![]({item.url})\n"
    post_save(post=site.post)
    site.media = item


def _media_upload(site: Site) -> None:
    """An upload alone shows on no page: the walk sees it once it is inserted in the post."""
    from broadsheet.media.services import upload_image
    from broadsheet.publishing.services import post_save
    from tests.media.images import photo

    item = upload_image(data=photo(600, 300), name="new.png", uploader=None, alt_text="New")
    site.post.body += f"\n\n{item.markdown()}\n"
    post_save(post=site.post)


def _media_update(site: Site) -> None:
    from broadsheet.media.services import media_update

    media_update(item=site.media, alt_text="A lamp, lit", caption="At dusk", credit="A. Keeper")


def _media_variants(site: Site) -> None:
    from broadsheet.media.services import variants_write

    assert variants_write(item_id=site.media.pk) == 4  # 480 and 800, WebP and JPEG


def _media_delete(site: Site) -> None:
    from broadsheet.media.services import media_delete

    media_delete(item=site.media)


def _publish_log(site: Site) -> None:
    """The site publishes its moderation log, and one published comment was trashed."""
    from broadsheet.core.services import settings_save
    from broadsheet.moderation.services import comment_trash

    current = DiscussionSettings.current()
    current.public_moderation_log = True
    settings_save(settings=current)
    comment_trash(comment=site.answered)


def _hold_logged(site: Site) -> None:
    """With the log on, a published comment held: its notice appears in its place."""
    from broadsheet.moderation.log import Reason
    from broadsheet.moderation.services import comment_unapprove

    comment_unapprove(comment=site.approved, reason=Reason(choice="Duplicate"))


def _publish_log_held(site: Site) -> None:
    """The site publishes its log, and one published comment was held (logged)."""
    from broadsheet.core.services import settings_save
    from broadsheet.moderation.services import comment_unapprove

    current = DiscussionSettings.current()
    current.public_moderation_log = True
    settings_save(settings=current)
    comment_unapprove(comment=site.answered)


def _trash_held_logged(site: Site) -> None:
    """A logged comment, held (no reader sees it), trashed with the moderator's own words: the
    notice in its place and the log change though the comment itself was never shown."""
    from broadsheet.moderation.log import Reason
    from broadsheet.moderation.services import comment_trash

    comment = Comment.objects.get(pk=site.answered.pk)
    comment_trash(comment=comment, reason=Reason(choice="other", text="Sold pills"))


def _approve_logged(site: Site) -> None:
    from broadsheet.moderation.services import comment_restore

    comment_restore(comment=Comment.objects.get(pk=site.answered.pk))


def _delete_logged(site: Site) -> None:
    """The trashed comment deleted for good: its log entry loses the name."""
    from broadsheet.moderation.services import comment_delete

    comment_delete(comment=Comment.objects.get(pk=site.answered.pk))


def _suggestion(site: Site) -> Any:
    from broadsheet.core.anchoring import Selector
    from broadsheet.corrections.services import correction_suggest
    from broadsheet.corrections.sources import Source

    quote = Selector(passage="p-x", exact="harbour", prefix="", suffix="", start=0, end=7)
    return correction_suggest(
        post=site.post, selector=quote, problem="Wrong year.", fix="1862.",
        sources=[Source("url", "https://example.org/ledger")], credit=True, user=None,
        name="Ada Reader", email="ada@example.org",
    )  # fmt: skip


def _suggest(site: Site) -> None:
    """A reader's suggestion: private, emailed to the authors and Editors (no page shows it)."""
    _suggestion(site)


def _with_suggestion(site: Site) -> None:
    site.media = _suggestion(site)  # the scenario's own slot for what it acts on


def _correction_accept(site: Site) -> None:
    from broadsheet.corrections.services import correction_accept

    correction_accept(correction=site.media, by=None, note="The year is 1862, not 1826.")


def _correction_decline(site: Site) -> None:
    from broadsheet.corrections.services import correction_decline

    correction_decline(correction=site.media, by=None, reason="The ledger says 1826.")


def _note(site: Site) -> Any:
    from broadsheet.corrections.sources import Source
    from broadsheet.notes.services import note_write
    from tests.factories import verified_reader

    return note_write(
        post=site.post, author=verified_reader("nora", days=30), body="The dredging was 1862.",
        sources=[Source("url", "https://example.org/ledger")], selector=None,
    )  # fmt: skip


def _note_write(site: Site) -> None:
    """A reader's context note: hidden until a scoring run shows it (no page shows it)."""
    _note(site)


def _with_note(site: Site) -> None:
    site.media = _note(site)  # the scenario's own slot for what it acts on


def _note_rate(site: Site) -> None:
    """A rating: stored for the next scoring run, which alone changes what readers see."""
    from broadsheet.notes.services import note_rate
    from tests.factories import verified_reader

    note_rate(note=site.media, rater=verified_reader("rita"), value="helpful", reasons=["clear"])


def _bridged_note(site: Site) -> None:
    """A note on the essay's first passage that readers on both sides of a divide rated
    helpful: the next scoring run shows it above that passage."""
    from tests.notes.crowd import Crowd, passage_note

    crowd = Crowd(site.other)
    site.media = crowd.bridge(passage_note(site.post, "The dredging was in 1862."))


def _notes_score(site: Site) -> None:
    from broadsheet.notes.runs import notes_score

    assert notes_score().changes == 1


def _shown_note(site: Site) -> None:
    from broadsheet.notes.runs import notes_score

    _bridged_note(site)
    notes_score()


def _note_remove(site: Site) -> None:
    from broadsheet.notes.moderation import note_remove

    note_remove(note=site.media, by=None)


def _written_now(comment: Comment) -> Comment:
    """In its writer's edit window."""
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now())
    comment.refresh_from_db()
    return comment


def _api_edit(site: Site) -> None:
    from broadsheet.api.services import comment_edit_body

    comment_edit_body(comment=_written_now(site.approved), body="Edited *through* the API.")


def _own_edit_held(site: Site) -> None:
    """An approved comment edited into words the rules hold leaves the page."""
    from broadsheet.discussion.services import comment_edit_own

    current = DiscussionSettings.current()
    current.moderation_keys = "casino"
    current.save()
    comment_edit_own(comment=_written_now(site.approved), body="My casino, now.")


def _api_withdraw(site: Site) -> None:
    from broadsheet.api.services import comment_withdraw

    # A reply holds its place under a tombstone.
    comment_withdraw(comment=_written_now(site.answered))


def _like(site: Site) -> None:
    from broadsheet.discussion.likes import comment_like
    from broadsheet.discussion.readers import Reader

    comment_like(comment_id=site.approved.pk, reader=Reader(key="g:one", address="a1"))


def _post_like(site: Site) -> None:
    from broadsheet.discussion.likes import post_like
    from broadsheet.discussion.readers import Reader

    post_like(post_id=site.post.pk, reader=Reader(key="g:one", address="a1"))


def _pin(site: Site) -> None:
    from broadsheet.discussion.pins import comment_pin

    comment_pin(comment=site.answered, user=site.post.authors.get(), pin=True, most=3)


def _reported_held(site: Site) -> None:
    from broadsheet.discussion.readers import Reader
    from broadsheet.moderation.reports import comment_report

    for n in range(3):
        comment_report(comment=site.approved, reader=Reader(key=f"g:{n}", address=f"a{n}"),
                       reason="abuse")  # fmt: skip


def _ban_hiding(site: Site) -> None:
    from broadsheet.moderation.bans import ban_create

    ban_create(kind="account", user=site.reader, hide_comments=True, reason="Abuse")


def _ban_lift(site: Site) -> None:
    from broadsheet.moderation.bans import ban_create, ban_lift

    ban_lift(ban=ban_create(kind="email", value="spam@example.org"))


def _thread_discussed(site: Site) -> None:
    """A thread of a page elsewhere starts, and its first comment is approved: no listing,
    feed, search or sitemap of the site shows either."""
    from broadsheet.discussion.services import Commenter, comment_submit
    from broadsheet.publishing.threads import thread_create

    thread = thread_create(url="https://blog.example.org/harbours/", title="Harbours elsewhere")
    editor = AuthorFactory(username="editor", is_superuser=True)
    comment_submit(post=thread, commenter=Commenter(user=editor), body="Harbours, reply and Ada.")


def _token_made(site: Site) -> None:
    from broadsheet.accounts.tokens import access_token_create

    access_token_create(user=site.reader, name="script", scopes=["read", "comment"])


def _token_revoked(site: Site) -> None:
    from broadsheet.accounts.tokens import access_token_create, access_token_revoke

    made = access_token_create(user=site.reader, name="script", scopes=["read"])
    assert access_token_revoke(user=site.reader, token_id=made.token.pk)


def _with_like(site: Site) -> Any:
    """A like from another site, approved: a face under the essay (its post marked, as
    mention_accept marks it, so the page reads the faces)."""
    from broadsheet.publishing.additions import post_mark
    from broadsheet.webmention.models import Mention
    from broadsheet.webmention.published import MARK

    like = approved_comment(site.post, name="Lia Liker", body="Liked.", kind="webmention",
                            mention="like", author_url="https://lia.example.org/")  # fmt: skip
    site.media = Mention.objects.create(
        source="https://lia.example.org/likes/1", target=site.post.get_absolute_url(),
        post=site.post, comment=like, kind="like", status="accepted",
    )  # fmt: skip
    post_mark(site.post.pk, MARK)


def _read(kind: str, name: str) -> Any:
    from broadsheet.webmention.parse import Read

    return Read(kind=kind, author_name=name, author_url="https://lia.example.org/",
                author_photo="", text="Liked.", html="<p>Liked.</p>",
                published=timezone.now() - timedelta(hours=1))  # fmt: skip


def _mention_accept(site: Site) -> None:
    """The liker's page now names her otherwise: the face under the essay follows."""
    from broadsheet.webmention.services import mention_accept

    mention_accept(mention=site.media, read=_read("like", "Lia Longname"))


def _mention_reply(site: Site) -> None:
    """The like became a reply: it leaves the faces for the thread."""
    from broadsheet.webmention.services import mention_accept

    mention_accept(mention=site.media, read=_read("reply", "Lia Liker"))


def _mention_remove(site: Site) -> None:
    from broadsheet.webmention.services import mention_remove

    mention_remove(mention=site.media, reason="The source answered 410.")


def _mention_receive(site: Site) -> None:
    from broadsheet.webmention.services import mention_receive

    mention_receive(source="https://a.example/r", target=site.post.get_absolute_url(),
                    post=site.post)  # fmt: skip


def _mention_refuse(site: Site) -> None:
    from broadsheet.webmention.models import Mention
    from broadsheet.webmention.services import mention_refuse

    queued = Mention.objects.create(source="https://a.example/r", target="/x/", post=site.post)
    mention_refuse(mention=queued, reason="The source does not link to the target.")


def _sents(site: Site) -> None:
    from broadsheet.webmention.services import sent_record, sents_queue

    [sent] = sents_queue(post=site.post, targets=["https://a.example/page"])
    sent_record(sent=sent, status="sent", endpoint="https://a.example/wm", answer=202)


def _remote_actor() -> Any:
    from broadsheet.federation.models import RemoteActor

    return RemoteActor.objects.get_or_create(
        uri="https://fedi.example/users/ann",
        defaults={"key_id": "https://fedi.example/users/ann#main-key", "public_key_pem": "-",
                  "inbox": "https://fedi.example/users/ann/inbox", "name": "Ann Fedi",
                  "url": "https://fedi.example/@ann"},
    )[0]  # fmt: skip


def _fedi_reply(text: str = "<p>From afar.</p>") -> Any:
    from broadsheet.federation.services import Reply

    return Reply(object_id="https://fedi.example/notes/1", url="https://fedi.example/@ann/1",
                 html=text, text=text[3:-4], published=timezone.now() - timedelta(hours=1))  # fmt: skip


def _with_fedi_reply(site: Site) -> None:
    from broadsheet.federation.services import remote_reply_receive
    from broadsheet.moderation.services import comment_approve

    remote = remote_reply_receive(post=site.post, parent=None, actor=_remote_actor(),
                                  reply=_fedi_reply())  # fmt: skip
    comment_approve(comment=remote.comment)


def _remote_reply_update(site: Site) -> None:
    from broadsheet.federation.models import Remote
    from broadsheet.federation.services import remote_reply_update

    remote_reply_update(remote=Remote.objects.get(), reply=_fedi_reply("<p>Edited afar.</p>"))


def _remote_remove(site: Site) -> None:
    from broadsheet.federation.models import Remote
    from broadsheet.federation.services import remote_remove

    remote_remove(remote=Remote.objects.get())


def _remote_reply_receive(site: Site) -> None:
    """A first reply from a stranger is held: no page changes."""
    from broadsheet.federation.services import remote_reply_receive

    remote_reply_receive(post=site.post, parent=None, actor=_remote_actor(), reply=_fedi_reply())


def _remote_reaction_receive(site: Site) -> None:
    from broadsheet.federation.services import remote_reaction_receive

    remote_reaction_receive(post=site.post, actor=_remote_actor(),
                            activity_id="https://fedi.example/likes/1", kind="like")  # fmt: skip


def _federation_bookkeeping(site: Site) -> None:
    """Actors, keys, followers, blocks, signatures seen, activities and deliveries: no page."""
    from broadsheet.federation import services

    actor = services.site_actor()
    remote = services.remote_actor_store(uri=_remote_actor().uri, fields={"name": "Ann F."})
    services.signature_remember(digest="0" * 64)
    services.follower_add(actor=actor, remote=remote, follow_id="https://fedi.example/f/1")
    services.follower_remove(actor=actor, remote=remote)
    queued = services.activity_queue(actor=actor, kind="Announce", obj="x", to=[],
                                     inboxes=["https://fedi.example/inbox"])  # fmt: skip
    services.delivery_record(delivery=queued.deliveries.get(), status="sent", answer=202)
    services.remote_block(target="spam.example", reason="spam")
    services.actors_leave()


# What a scenario needs in place before the pages are stored.
def _anchored_then_revised(site: Site) -> None:
    from broadsheet.publishing.services import post_save
    from tests.factories import anchored_comment

    anchored_comment(site.post, "An opening paragraph", body="Which opening?")
    site.post.refresh_from_db()
    site.post.body = site.post.body.replace("An opening paragraph.", "")
    post_save(post=site.post)  # version 2: the quoted paragraph is gone


def _anchors_relocate(site: Site) -> None:
    from broadsheet.discussion.relocation import anchors_relocate

    assert anchors_relocate(post_id=site.post.pk) == 1  # "the passage was removed"


def _essay_likes_on(site: Site) -> None:
    current = DiscussionSettings.current()
    current.post_likes = True
    current.save()


BEFORE: dict[Callable[[Site], None], Callable[[Site], Any]] = {
    _post_like: _essay_likes_on,
    _anchors_relocate: _anchored_then_revised,
    _media_update: _media_item,
    _media_variants: _media_item,
    _media_delete: _media_item,
    _reference_update: _with_reference,
    _reference_delete: _with_reference,
    _hold_logged: _publish_log,
    _trash_held_logged: _publish_log_held,
    _approve_logged: _publish_log,
    _delete_logged: _publish_log,
    _correction_accept: _with_suggestion,
    _correction_decline: _with_suggestion,
    _note_rate: _with_note,
    _notes_score: _bridged_note,
    _note_remove: _shown_note,
    _mention_accept: _with_like,
    _mention_reply: _with_like,
    _mention_remove: _with_like,
    _remote_reply_update: _with_fedi_reply,
    _remote_remove: _with_fedi_reply,
}


# One scenario per action: each changes something a cached page shows.
SCENARIOS: dict[str, list[Callable[[Site], None]]] = {
    "comment_submit": [_submit, _submit_anchored],
    "comment_create_stored": [_store],
    "comment_approve": [_moderate("approve", "pending")],
    "comment_unapprove": [_moderate("unapprove", "approved"), _hold_logged],
    "comment_spam": [_moderate("spam", "approved")],
    "comment_not_spam": [_moderate("not_spam", "spam")],
    "comment_trash": [_moderate("trash", "approved"), _trash_held_logged],
    "comment_restore": [_moderate("restore", "trash"), _approve_logged],
    "comment_delete": [
        _moderate("delete", "approved"),
        _moderate("delete", "answered"),
        _delete_logged,
    ],
    "comment_edit": [_edit],
    "comment_edit_own": [_api_edit, _own_edit_held],
    "comment_withdraw": [_api_withdraw],
    "comment_like": [_like],
    "post_like": [_post_like],
    "comment_pin": [_pin],
    "comment_report": [_reported_held],
    "ban_create": [_ban_hiding],
    "comments_clean": [_clean],
    "anchors_relocate": [_anchors_relocate],
    "post_save": [_post_save],
    "post_rerender": [_post_rerender],
    "posts_publish_due": [_publish_due],
    "revision_restore": [_revision_restore],
    "references_add": [_references_add],
    "reference_update": [_reference_update],
    "reference_delete": [_reference_delete],
    "personal_data_erase": [_erase],
    "profile_update": [_profile],
    "settings_save": [_site_settings, _discussion_settings],
    "media_upload": [_media_upload],
    "media_update": [_media_update],
    "media_variants_save": [_media_variants],
    "media_delete": [_media_delete],
    "correction_accept": [_correction_accept],
    "notes_score": [_notes_score],
    "note_remove": [_note_remove],
    "mention_accept": [_mention_accept, _mention_reply],
    "mention_remove": [_mention_remove],
    "remote_reply_update": [_remote_reply_update],
    "remote_remove": [_remote_remove],
}


# Actions on rows no reader's page shows (the studio's autosaves and review notes): the walk
# holds that they change no page, so a later change that makes them visible must declare it.
UNSEEN: dict[str, list[Callable[[Site], None]]] = {
    "autosave_store": [_autosave],
    "autosave_discard": [_autosave_discard],
    "review_note_add": [_review_note],
    "correction_suggest": [_suggest],
    "correction_decline": [_correction_decline],
    "note_write": [_note_write],
    "note_rate": [_note_rate],
    "thread_create": [_thread_discussed],
    "ban_lift": [_ban_lift],
    "access_token_create": [_token_made],
    "access_token_revoke": [_token_revoked],
    "mention_receive": [_mention_receive],
    "mention_refuse": [_mention_refuse],
    "sents_queue": [_sents],
    "sent_record": [_sents],
    "remote_reply_receive": [_remote_reply_receive],
    "remote_reaction_receive": [_remote_reaction_receive],
    "local_actor_create": [_federation_bookkeeping],
    "remote_actor_store": [_federation_bookkeeping],
    "signature_remember": [_federation_bookkeeping],
    "follower_add": [_federation_bookkeeping],
    "follower_remove": [_federation_bookkeeping],
    "activity_queue": [_federation_bookkeeping],
    "delivery_record": [_federation_bookkeeping],
    "remote_block": [_federation_bookkeeping],
    "actors_leave": [_federation_bookkeeping],
}


# The comment form's signed time of rendering (decision 0006) differs on every render.
_SHOWN_AT = re.compile(rb'name="shown_at" value="[^"]*"')


def _fresh(client: Client, url: str) -> tuple[int, bytes]:
    with override_settings(PAGE_CACHE=False):
        response = client.get(url)
    return response.status_code, _SHOWN_AT.sub(b"", response.content)


def _served(client: Client, url: str) -> tuple[int, bytes]:
    with override_settings(PAGE_CACHE=True):
        response = client.get(url)
    return response.status_code, _SHOWN_AT.sub(b"", response.content)


def _run_worker_tasks() -> None:
    """Card rebuilds are queued for the worker; pages are right before they run (cards marked
    stale render in full), and after."""
    from django_tasks_db.models import DBTaskResult

    from broadsheet.discussion.tasks import rebuild_comment_cards

    for queued in DBTaskResult.objects.filter(task_path__endswith="rebuild_comment_cards"):
        rebuild_comment_cards.call(*queued.args_kwargs["args"])


def test_every_action_has_a_scenario() -> None:
    assert sorted(effects.ACTIONS) == sorted({**SCENARIOS, **UNSEEN}), (
        "Each action needs a scenario in SCENARIOS that changes what a cached page shows."
    )


@pytest.mark.parametrize(
    ("name", "scenario"),
    [(name, run) for name, runs in SCENARIOS.items() for run in runs],
    ids=[f"{name}-{run.__name__}" for name, runs in SCENARIOS.items() for run in runs],
)
def test_an_action_refreshes_every_cached_page_it_changes(
    name: str, scenario: Callable[[Site], None]
) -> None:
    site = _site()
    if scenario in BEFORE:
        BEFORE[scenario](site)
    _walk(name, site, lambda: scenario(site))


@pytest.mark.parametrize(
    ("name", "scenario"),
    [(name, run) for name, runs in UNSEEN.items() for run in runs],
    ids=[f"{name}-{run.__name__}" for name, runs in UNSEEN.items() for run in runs],
)
def test_an_action_no_reader_sees_changes_no_cached_page(
    name: str, scenario: Callable[[Site], None]
) -> None:
    site = _site()
    if scenario in BEFORE:
        BEFORE[scenario](site)
    _walk(name, site, lambda: scenario(site), seen=False)


def _walk(name: str, site: Site, change: Callable[[], None], *, seen: bool = True) -> None:
    """Store every page, make the change, and hold what the cache serves to a fresh render."""
    client = Client()
    pages = _pages(site)
    before = {}
    for url in pages:
        before[url] = _fresh(client, url)
        assert before[url][0] == 200, url
        assert _served(client, url) == before[url]  # stored
        assert _fresh(client, url) == before[url], f"{url} is not the same twice"

    change()
    _run_worker_tasks()

    stale = []
    changed = []
    for url in pages:
        fresh = _fresh(client, url)
        if fresh != before[url]:
            changed.append(url)
        if _served(client, url) != fresh:
            stale.append(url)
    if not seen:
        assert not changed, f"{name} changed {changed}: move it to SCENARIOS, declaring it"
    assert changed or not seen, f"the scenario for {name} changes no page: it cannot catch anything"
    assert not stale, f"{name} changed {stale} without declaring it: the cache serves old pages"
    assert _search_rows() == _search_rows_rebuilt(), f"{name} left the search index behind"


def _search_rows() -> set[tuple[Any, ...]]:
    from broadsheet.search.models import SearchDocument

    fields = ("kind", "post_id", "comment_id", "title", "extra", "body", "heading", "byline")
    return set(SearchDocument.objects.values_list(*fields, "url", "visible_from"))


def _search_rows_rebuilt() -> set[tuple[Any, ...]]:
    """What a full rebuild would write, rolled back."""
    from broadsheet.search.services import search_index_rebuild

    with transaction.atomic():
        search_index_rebuild()
        rows = _search_rows()
        transaction.set_rollback(True)
    return rows


# --- writes from the admin: its signals declare the same effects ---------------------------


def _admin() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("boss", "boss@example.org", "pw-pw-pw-pw"))
    return client


def _admin_post(url: str, data: dict[str, Any]) -> None:
    response = _admin().post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]


def _admin_profile(site: Site) -> None:
    profile = Profile.objects.get(user=site.reader)
    _admin_post(
        f"/admin/accounts/profile/{profile.pk}/change/",
        {"user": site.reader.pk, "display_name": "Rea Admin", "bio": "", "website": ""},
    )


def _admin_user_delete(site: Site) -> None:
    _admin_post(f"/admin/accounts/user/{site.reader.pk}/delete/", {"post": "yes"})


def _admin_tag_rename(site: Site) -> None:
    from broadsheet.publishing.models import Tag

    tag = Tag.objects.get(slug="tides")
    _admin_post(f"/admin/publishing/tag/{tag.pk}/change/", {"name": "Tidal", "slug": "tides"})


def _admin_category_rename(site: Site) -> None:
    from broadsheet.publishing.models import Category

    category = Category.objects.get(slug="harbours")
    _admin_post(
        f"/admin/publishing/category/{category.pk}/change/",
        {"name": "Ports", "slug": "harbours", "parent": "", "description": ""},
    )


def _admin_post_delete(site: Site) -> None:
    _admin_post(f"/admin/publishing/post/{site.other.pk}/delete/", {"post": "yes"})


def _admin_site_settings(site: Site) -> None:
    admin = _admin()
    assert admin.get("/admin/core/sitesettings/").status_code == 302  # the row is made
    response = admin.post("/admin/core/sitesettings/1/change/", {"title": "P", "tagline": "O"})
    assert response.status_code == 302 and SiteSettings.current().title == "P"


ADMIN_SCENARIOS = [
    _admin_profile,
    _admin_user_delete,
    _admin_tag_rename,
    _admin_category_rename,
    _admin_post_delete,
    _admin_site_settings,
]


@pytest.mark.parametrize("scenario", ADMIN_SCENARIOS, ids=[s.__name__ for s in ADMIN_SCENARIOS])
def test_an_admin_write_refreshes_every_cached_page_it_changes(
    scenario: Callable[[Site], None],
) -> None:
    site = _site()
    _walk(scenario.__name__, site, lambda: scenario(site))


def test_an_action_rolled_back_runs_no_effect() -> None:
    calls: list[set[Any]] = []

    @effects.handles(effects.NAVIGATION)
    def record(keys: set[Any]) -> None:
        calls.append(keys)

    try:
        with transaction.atomic():
            effects.navigation()
            transaction.set_rollback(True)
        assert calls == []
        with transaction.atomic():
            effects.navigation()
            effects.navigation()
        assert calls == [{None}]  # once per commit, however often declared
    finally:
        effects._handlers[effects.NAVIGATION].remove(record)


def test_signals_stay_silent_inside_an_action_and_speak_outside() -> None:
    """The admin's writes declare through signals; an action's are its own to declare."""
    post = PostFactory(title="Signals")
    seen: list[set[Any]] = []

    @effects.handles(effects.PAGES)
    def record(names: set[Any]) -> None:
        seen.append(names)

    try:
        post.title = "Signals, saved outside an action"
        post.save()
        assert seen and f"post:{post.pk}" in seen[-1]
        seen.clear()

        @effects.action
        def post_touch_quietly(*, post: Post) -> None:
            post.save()

        post_touch_quietly(post=post)
        assert seen == []
    finally:
        effects._handlers[effects.PAGES].remove(record)
        effects.ACTIONS.pop("post_touch_quietly", None)


def test_an_unknown_effect_is_refused_with_the_kinds_that_exist() -> None:
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="the kinds are"):
        effects.declare("pages.everything")
    with pytest.raises(ImproperlyConfigured, match="<entity>_<verb>"):
        effects.action(lambda: None)


def test_cards_are_marked_stale_with_the_write_and_later_comments_keep_theirs() -> None:
    """Marking cards stale is part of the write (like a counter): a comment the same
    transaction writes afterwards was built with the new name and keeps its card."""
    from broadsheet.accounts.services import profile_update
    from broadsheet.discussion.services import comment_create_stored

    post = PostFactory(title="Cards")
    reader = User.objects.create_user("rea", "rea@example.net", "a long pass phrase 42")
    earlier = approved_comment(post, name="Rea", user=reader)
    assert Comment.objects.get(pk=earlier.pk).card_key
    with transaction.atomic():
        profile = reader.profile  # type: ignore[attr-defined]
        profile.display_name = "Rea Renamed"
        profile_update(profile=profile)
        later = comment_create_stored(
            post=post,
            parent=None,
            body="After the rename.",
            status=Comment.Status.APPROVED,
            created_at=timezone.now(),
            user=reader,
        )
    assert Comment.objects.get(pk=earlier.pk).card_key == ""  # rendered in full until rebuilt
    kept = Comment.objects.get(pk=later.pk)
    assert kept.card_key and "Rea Renamed" in kept.card_html


def test_signal_receivers_live_only_in_signals_modules() -> None:
    """One way to wire a receiver: `@receiver` in the app's signals.py (found at start-up),
    not `ready()`, module-level `connect` or handlers in apps.py."""
    from pathlib import Path

    wiring = re.compile(r"@receiver\(|\b[a-z_]+\.connect\((?!f?[\"'])")
    root = Path(broadsheet.__file__).parent
    elsewhere = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path.name != "signals.py" and wiring.search(path.read_text(encoding="utf-8"))
    ]
    assert not elsewhere, f"{elsewhere} wire signal receivers: move them to the app's signals.py"


def test_a_new_name_is_found_in_search_in_one_statement_per_person(
    django_assert_max_num_queries: Any,
) -> None:
    from broadsheet.accounts.services import profile_update
    from broadsheet.search.services import search_index_rebuild

    post = PostFactory(title="Names")
    reader = User.objects.create_user("rea", "rea@example.net", "a long pass phrase 42")
    for n in range(30):
        approved_comment(post, name="Rea", user=reader, body=f"Comment number {n}.")
    search_index_rebuild()
    profile = reader.profile  # type: ignore[attr-defined]
    profile.display_name = "Zephyrine Quayle"
    # the profile, its cards, the pages' versions, and the search rows: not one per comment
    with django_assert_max_num_queries(8):
        profile_update(profile=profile)
    found = Client().get("/?s=Zephyrine&comments=1").content.decode()
    assert found.count("Zephyrine Quayle") >= 10


def test_an_effect_that_fails_keeps_neither_the_others_from_running_nor_its_error_quiet() -> None:
    ran: list[str] = []

    def broken(keys: set[Any]) -> None:
        raise RuntimeError("search is down")

    @effects.handles(effects.PAGES)
    def record(names: set[Any]) -> None:
        ran.append("pages")

    effects.handles(effects.SEARCH_POSTS)(broken)
    try:

        def write() -> None:
            with transaction.atomic():
                effects.search(posts=[1])
                effects.pages(site=True)

        with pytest.raises(RuntimeError, match="search is down"):
            write()
        assert ran == ["pages"]  # after the failed search effect, in the same round
    finally:
        effects._handlers[effects.SEARCH_POSTS].remove(broken)
        effects._handlers[effects.PAGES].remove(record)

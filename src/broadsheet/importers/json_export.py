"""`broadsheet export json`: everything the site holds, as one JSON document (docs/export-format.md).

The document is written as it is read: the head, then each section's records one per line,
each fetched with `.iterator()`, so memory stays the same whatever the size of the site.
Sections come in the order `broadsheet import json` needs them (what is referred to before
what refers to it), which lets the import read the file as a stream too.

No secrets are written: no password hashes, no social-login tokens, no session data.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any, TextIO

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.db import models
from django.db.models import Prefetch
from django.utils import timezone

from broadsheet.accounts.models import Profile, User
from broadsheet.core.models import SiteSettings
from broadsheet.discussion.models import Comment, DiscussionSettings
from broadsheet.importers.progress import Progress
from broadsheet.media.models import MediaItem
from broadsheet.notifications.models import Subscription
from broadsheet.publishing.models import (
    Category,
    CitationSettings,
    Post,
    PostAuthor,
    PostRedirect,
    Reference,
    Tag,
)
from broadsheet.webmention.models import Mention

FORMAT = "broadsheet-export"
VERSION = 1

# The fields of each record, by model field name (a foreign key is written as the other
# record's id under the field's name). The import reads the same lists.
SITE_SETTINGS_FIELDS = [f.name for f in SiteSettings._meta.concrete_fields if f.name != "id"]
DISCUSSION_SETTINGS_FIELDS = [
    f.name for f in DiscussionSettings._meta.concrete_fields if f.name != "id"
]
CITATION_SETTINGS_FIELDS = ["style"]
ACCOUNT_FIELDS = [
    "id",
    "username",
    "email",
    "first_name",
    "last_name",
    "is_active",
    "is_staff",
    "is_superuser",
    "date_joined",
    "last_login",
]
PROFILE_FIELDS = ["display_name", "bio", "website", "avatar", "remote_avatar_url", "header"]
CATEGORY_FIELDS = ["id", "name", "slug", "parent", "description"]
TAG_FIELDS = ["id", "name", "slug"]
POST_FIELDS = [
    "id",
    "kind",
    "title",
    "slug",
    "status",
    "published_at",
    "created_at",
    "modified_at",
    "excerpt",
    "body",
    "comments_open",
    "comment_count",
    "sticky",
    "parent",
    "menu_order",
    "featured_image",
    "source_digest",
]
# Rendered from `body` and `excerpt` when a post is saved; written for other programs, and
# rendered again (not read) by the import.
POST_DERIVED_FIELDS = ["body_html", "footnotes_html", "bibliography_html", "excerpt_html"]
REFERENCE_FIELDS = [
    f.name for f in Reference._meta.concrete_fields if f.name not in ("id", "post", "html")
]
# The library's images: their words and what the files are. The files themselves stay in the
# media folder (or bucket), as avatars do.
MEDIA_FIELDS = [
    "id", "file", "original_name", "mime_type", "width", "height", "size", "animated",
    "alt_text", "caption", "credit", "uploader", "created_at", "variants",
]  # fmt: skip
REDIRECT_FIELDS = ["old_path", "post", "created_at"]
COMMENT_FIELDS = [
    "id",
    "post",
    "parent",
    "kind",
    "status",
    "previous_status",
    "status_changed_at",
    "removed",
    "user",
    "author_name",
    "author_email",
    "author_url",
    "ip_address",
    "user_agent",
    "created_at",
    "modified_at",
    "body",
    "body_html",
    "moderation_reason",
    "spam_score",
]
MENTION_FIELDS = ["source", "target", "post", "comment", "kind", "status", "reason",
                  "author_photo", "received_at", "checked_at"]  # fmt: skip
SUBSCRIPTION_FIELDS = [
    "email",
    "kind",
    "post",
    "user",
    "status",
    "created_at",
    "confirmed_at",
    "cancelled_at",
]


def plain_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    return value


def record(instance: models.Model, names: Iterable[str]) -> dict[str, Any]:
    """The named fields of a row as JSON values; a foreign key as the other row's id."""
    out: dict[str, Any] = {}
    for name in names:
        field = instance._meta.get_field(name)
        attribute = field.attname if isinstance(field, models.ForeignKey) else name
        out[name] = plain_value(getattr(instance, str(attribute)))
    return out


def json_export(*, output: TextIO, progress: Progress | None = None) -> Counter[str]:
    """Write the whole site to `output`; returns how many records of each section."""
    written: Counter[str] = Counter()
    head = {
        "format": FORMAT,
        "version": VERSION,
        "generated_at": timezone.now().isoformat(),
        "site": {
            "url": settings.SITE_URL,
            "time_zone": settings.TIME_ZONE,
            "language": settings.LANGUAGE_CODE,
        },
        "settings": {
            "site": record(SiteSettings.current(), SITE_SETTINGS_FIELDS),
            "discussion": record(DiscussionSettings.current(), DISCUSSION_SETTINGS_FIELDS),
            "citations": record(CitationSettings.current(), CITATION_SETTINGS_FIELDS),
        },
    }
    output.write("{\n")
    for key, value in head.items():
        output.write(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)},\n")
    sections: list[tuple[str, Iterator[dict[str, Any]]]] = [
        ("accounts", _accounts()),
        ("categories", _categories()),
        ("tags", (record(t, TAG_FIELDS) for t in Tag.objects.order_by("pk").iterator())),
        ("media", _media()),
        ("posts", _posts()),
        ("post_redirects", _redirects()),
        ("comments", _comments()),
        ("subscriptions", _subscriptions()),
        ("mentions", _mentions()),
    ]
    for number, (name, rows) in enumerate(sections):
        output.write(f"{json.dumps(name)}: [")
        first = True
        for row in rows:
            output.write(("\n" if first else ",\n") + json.dumps(row, ensure_ascii=False))
            first = False
            written[name] += 1
            if progress is not None:
                progress.update(done=sum(written.values()))
        output.write("\n]" + (",\n" if number < len(sections) - 1 else "\n"))
    output.write("}\n")
    return written


def _accounts() -> Iterator[dict[str, Any]]:
    users = (
        User.objects.order_by("pk")
        .select_related("profile")
        .prefetch_related(
            "groups",
            Prefetch(
                "emailaddress_set",
                queryset=EmailAddress.objects.order_by("pk"),
                to_attr="exported_addresses",
            ),
            Prefetch(
                "socialaccount_set",
                queryset=SocialAccount.objects.order_by("pk"),
                to_attr="exported_social",
            ),
        )
    )
    for user in users.iterator(chunk_size=500):
        row = record(user, ACCOUNT_FIELDS)
        row["roles"] = sorted(group.name for group in user.groups.all())
        profile: Profile | None = getattr(user, "profile", None)
        row["profile"] = record(profile, PROFILE_FIELDS) if profile is not None else None
        row["email_addresses"] = [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in getattr(user, "exported_addresses", [])
        ]
        # Which outside accounts sign in as this one; never their tokens or profile data.
        row["social_accounts"] = [
            {"provider": s.provider, "uid": s.uid} for s in getattr(user, "exported_social", [])
        ]
        yield row


def _categories() -> Iterator[dict[str, Any]]:
    """Parents before their children."""
    categories = list(Category.objects.order_by("pk"))
    children: dict[int | None, list[Category]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    queue = list(children.get(None, []))
    while queue:
        category = queue.pop(0)
        yield record(category, CATEGORY_FIELDS)
        queue.extend(children.get(category.pk, []))


def _posts() -> Iterator[dict[str, Any]]:
    posts = (
        Post.objects.order_by("pk")
        .prefetch_related(
            Prefetch("postauthor_set", queryset=PostAuthor.objects.order_by("position", "id")),
            Prefetch("categories", queryset=Category.objects.order_by("pk")),
            Prefetch("tags", queryset=Tag.objects.order_by("pk")),
            "references",
        )
        .iterator(chunk_size=100)
    )
    for post in posts:
        row = record(post, POST_FIELDS)
        row["authors"] = [link.author_id for link in post.postauthor_set.all()]
        row["categories"] = [category.pk for category in post.categories.all()]
        row["tags"] = [tag.pk for tag in post.tags.all()]
        row["references"] = [record(r, REFERENCE_FIELDS) for r in post.references.all()]
        row.update(record(post, POST_DERIVED_FIELDS))
        yield row


def _media() -> Iterator[dict[str, Any]]:
    for item in MediaItem.objects.order_by("pk").iterator(chunk_size=500):
        yield {**record(item, MEDIA_FIELDS), "url": item.absolute_url}


def _redirects() -> Iterator[dict[str, Any]]:
    for redirect in PostRedirect.objects.order_by("pk").iterator(chunk_size=2000):
        yield record(redirect, REDIRECT_FIELDS)


def _comments() -> Iterator[dict[str, Any]]:
    """In the order they were written, so every reply comes after the comment it answers."""
    for comment in Comment.objects.order_by("pk").iterator(chunk_size=2000):
        row = record(comment, COMMENT_FIELDS)
        if comment.mention:
            row["mention"] = comment.mention  # a Webmention's type: like, repost, reply, …
        yield row


def _mentions() -> Iterator[dict[str, Any]]:
    """Webmentions received: which source each comment of kind webmention stands for, so a
    source sent again or gone updates or removes it on the importing site too."""
    for mention in Mention.objects.order_by("pk").iterator(chunk_size=2000):
        yield record(mention, MENTION_FIELDS)


def _subscriptions() -> Iterator[dict[str, Any]]:
    for subscription in Subscription.objects.order_by("pk").iterator(chunk_size=2000):
        yield record(subscription, SUBSCRIPTION_FIELDS)

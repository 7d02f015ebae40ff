"""Comments written before comments knew their version: each is taken to be on the version its
post showed when it was written, from the versions' dates (decision 0050). Version 1 dates
from when the post went live (publishing/includes/version_date.html); a comment older than
that (an import's) is on version 1, the oldest text kept."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def _version_dates(Revision: Any, post: Any) -> list[tuple[int, Any]]:
    versions = (
        Revision.objects.filter(post_id=post.pk, version__isnull=False)
        .order_by("version")
        .values_list("version", "created_at")
    )
    return [
        (number, post.published_at if number == 1 and post.published_at else saved)
        for number, saved in versions
    ]


def comment_versions(apps: Any, schema_editor: Any) -> None:
    Comment = apps.get_model("discussion", "Comment")
    Post = apps.get_model("publishing", "Post")
    Revision = apps.get_model("publishing", "Revision")
    posts = Post.objects.filter(
        pk__in=Comment.objects.filter(post_version__isnull=True).values("post_id"), version__gt=0
    ).only("pk", "published_at")
    for post in posts.iterator():
        dates = _version_dates(Revision, post)
        for i, (number, _) in enumerate(dates):
            # One statement per version: those written before the next one went live.
            comments = Comment.objects.filter(post_id=post.pk, post_version__isnull=True)
            if i + 1 < len(dates):
                comments = comments.filter(created_at__lt=dates[i + 1][1])
            comments.update(post_version=number)


class Migration(migrations.Migration):
    dependencies = [
        ("discussion", "0006_passage_anchors"),
        ("publishing", "0011_citation_settings"),
    ]

    operations = [migrations.RunPython(comment_versions, migrations.RunPython.noop)]

"""Post.comment_count no longer counts Webmention likes and reposts (decision 0103): the essays
that have approved ones are counted again as recount_comments counts (its rule, written here
as it stands today, since a migration must not import the code that may change after it)."""

from django.db import migrations
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

REACTIONS = ("like", "repost")


def recount(apps, schema_editor):
    Comment = apps.get_model("discussion", "Comment")
    Post = apps.get_model("publishing", "Post")
    liked = set(
        Comment.objects.filter(status="approved", removed=False, mention__in=REACTIONS)
        .values_list("post_id", flat=True)
        .distinct()
    )
    counted = (
        Comment.objects.filter(post=OuterRef("pk"), status="approved", removed=False)
        .exclude(mention__in=REACTIONS)
        .values("post")
        .annotate(n=Count("pk"))
        .values("n")
    )
    ids = sorted(liked)
    for start in range(0, len(ids), 500):
        Post.objects.filter(pk__in=ids[start : start + 500]).update(
            comment_count=Coalesce(Subquery(counted), 0)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("webmention", "0002_mark_posts"),
        ("discussion", "0010_mark_posts"),
    ]

    operations = [migrations.RunPython(recount, migrations.RunPython.noop)]

"""The essays with likes or reposts are marked (publishing.additions): their pages read them."""

from django.db import migrations
from django.db.models import F, Value
from django.db.models.functions import Concat


def mark(apps, schema_editor):
    rows = apps.get_model("webmention", "Mention").objects.filter(
        **{"kind__in": ["like", "repost"]}
    )
    posts = set(rows.values_list("post_id", flat=True))
    apps.get_model("publishing", "Post").objects.filter(pk__in=posts).exclude(
        marks__contains=",webmention,"
    ).update(marks=Concat(F("marks"), Value(",webmention,")))


class Migration(migrations.Migration):
    dependencies = [
        ("webmention", "0001_initial"),
        ("publishing", "0013_post_marks"),
    ]

    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]

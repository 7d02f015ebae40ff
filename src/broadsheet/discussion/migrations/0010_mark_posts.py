"""The essays with a comment on one of their passages are marked (publishing.additions): their pages read them."""

from django.db import migrations
from django.db.models import F, Value
from django.db.models.functions import Concat


def mark(apps, schema_editor):
    rows = apps.get_model("discussion", "Anchor").objects.all()
    posts = set(rows.values_list("post_id", flat=True))
    apps.get_model("publishing", "Post").objects.filter(pk__in=posts).exclude(
        marks__contains=",anchored,"
    ).update(marks=Concat(F("marks"), Value(",anchored,")))


class Migration(migrations.Migration):
    dependencies = [
        ("discussion", "0009_comment_kind_fediverse"),
        ("publishing", "0013_post_marks"),
    ]

    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]

"""The essays with a published correction are marked (publishing.additions): their pages read them."""

from django.db import migrations
from django.db.models import F, Value
from django.db.models.functions import Concat


def mark(apps, schema_editor):
    rows = apps.get_model("corrections", "Correction").objects.filter(**{"status": "accepted"})
    posts = set(rows.values_list("post_id", flat=True))
    apps.get_model("publishing", "Post").objects.filter(pk__in=posts).exclude(
        marks__contains=",corrections,"
    ).update(marks=Concat(F("marks"), Value(",corrections,")))


class Migration(migrations.Migration):
    dependencies = [
        ("corrections", "0001_initial"),
        ("publishing", "0013_post_marks"),
    ]

    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]

from typing import Any

from django.db import migrations, models
from django.utils.html import escape


def _keep_existing_bibliographies(apps: Any, schema_editor: Any) -> None:
    """Before citations, every reference of a post was listed: mark them all "uncited" so each
    stays listed, and store the list as it was shown until the post is next saved."""
    Post = apps.get_model("publishing", "Post")
    Reference = apps.get_model("publishing", "Reference")
    Reference.objects.update(uncited=True)
    posts = Post.objects.filter(references__isnull=False).distinct().only("pk")
    for post in posts.iterator():
        references = Reference.objects.filter(post=post).order_by("position", "id")
        items = "".join(
            f'<li id="ref-{escape(r.key)}" class="reference reference--{escape(r.kind)}">'
            f"{r.html}</li>"
            for r in references
        )
        Post.objects.filter(pk=post.pk).update(
            bibliography_html=f'<ul class="references__list">{items}</ul>'
        )


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0006_post_status_pending_review"),
    ]

    operations = [
        migrations.AddField(
            model_name="post",
            name="bibliography_html",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="reference",
            name="uncited",
            field=models.BooleanField(
                default=False,
                help_text="List it in the bibliography even though the text never cites it.",
            ),
        ),
        migrations.RunPython(_keep_existing_bibliographies, migrations.RunPython.noop),
    ]

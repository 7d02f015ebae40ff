"""Work the worker does for publishing."""

from __future__ import annotations

from django_tasks import task

from broadsheet.publishing.models import Post


@task()
def rerender_cited_posts() -> int:
    """After the citation style changed: every post with references is rendered again (its
    citations and bibliography). Each entry is formatted once per style and kept, so a
    switch back costs little. Returns how many posts were rendered."""
    from broadsheet.publishing.services import post_rerender

    count = 0
    posts = Post.objects.filter(references__isnull=False).distinct().order_by("pk")
    for post in posts.iterator(chunk_size=100):
        post_rerender(post=post)
        count += 1
    return count

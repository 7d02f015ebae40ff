"""What an essay's page shows of federation (registered with publishing.additions): a `Link`
header and a `<link rel="alternate" type="application/activity+json">` naming its Article.
Nothing, and no query, while FEDERATION_ENABLED is off."""

from __future__ import annotations

from django.conf import settings
from django.utils.html import format_html

from broadsheet.federation.documents import CONTENT_TYPE, article_uri
from broadsheet.publishing.additions import PostAddition, post_addition_register
from broadsheet.publishing.models import Post


def post_federation(post: Post) -> PostAddition | None:
    if not settings.FEDERATION_ENABLED or not post.is_public or post.kind != Post.Kind.POST:
        return None
    uri = article_uri(post.pk)
    head = format_html('<link rel="alternate" type="{}" href="{}">', CONTENT_TYPE, uri)
    return PostAddition(
        head=head, headers={"Link": f'<{uri}>; rel="alternate"; type="{CONTENT_TYPE}"'}
    )


def register() -> None:
    post_addition_register("federation", post_federation)

"""What a post's page shows of Webmention (registered with publishing.additions): the
endpoint, in an HTTP Link header and a `<link>` in the head, on every public post; under an
essay, its approved likes and reposts as counts and faces (one query per page render)."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from broadsheet.publishing.additions import PostAddition, post_addition_register, post_marked
from broadsheet.publishing.models import Post
from broadsheet.webmention.selectors import reactions_for_post

# The post's mark (publishing.additions) once a mention of it has been accepted.
MARK = "webmention"


def endpoint_url() -> str:
    return f"{settings.SITE_URL}{reverse('webmention:endpoint')}"


def post_webmention(post: Post) -> PostAddition | None:
    if not post.is_public:
        return None
    endpoint = endpoint_url()
    head = format_html('<link rel="webmention" href="{}">', endpoint)
    headers = {"Link": f'<{endpoint}>; rel="webmention"'}
    if post.is_page or not post_marked(post, MARK):  # marked when a mention is accepted
        return PostAddition(head=head, headers=headers)
    reactions = reactions_for_post(post.pk)
    if not reactions.likes and not reactions.reposts:
        return PostAddition(head=head, headers=headers)
    html = render_to_string("webmention/_reactions.html", {"reactions": reactions})
    return PostAddition(html=mark_safe(html), head=head, headers=headers)


def register() -> None:
    post_addition_register("webmention", post_webmention)

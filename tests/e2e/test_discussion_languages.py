"""The comment flow in German and in Arabic (right to left) in a real Chromium: a guest's comment
and a reply posted through the form, the page's words compared with what gettext gives for
the same msgids (the catalogs are filled after this was written: true before and after), the
layout from bounding boxes, axe."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext, ngettext, pgettext

from broadsheet.discussion.models import Comment, DiscussionSettings
from broadsheet.publishing.models import Post
from tests.e2e.test_post_page import _serious_violations
from tests.e2e.test_rtl import BODY, box, right
from tests.factories import PostFactory, approved_comment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ESSAYS = {
    "de": (
        "Das Hauptbuch und die Lampe",
        "Die Leuchttürme an der Küste wurden mit Büchern geführt.",
    ),
    "ar": ("الدفتر والمصباح", BODY),
}


def _words(language: str, **values: Any) -> dict[str, str]:
    """What the page should say in `language`, from the catalogs as they are."""
    with translation.override(language):
        return {
            "leave": gettext("Leave a Reply"),
            "reply_to": gettext("Leave a Reply to %(name)s") % values,
            "post": gettext("Post Comment"),
            "comment": gettext("Comment"),
            "reply": pgettext("link under a comment", "Reply"),
            "awaiting": gettext("Your comment is awaiting moderation."),
            "title": ngettext(
                "One thought on “%(title)s”", "%(counter)s thoughts on “%(title)s”", 1
            )
            % {"counter": 1, "title": values["title"]},
        }


@pytest.fixture
def essay(request: Any, settings: Any, monkeypatch: Any) -> tuple[str, Post]:
    language = request.param
    # The guest's comment and reply follow each other at once, from one address.
    monkeypatch.setattr("broadsheet.discussion.services.FLOOD_SECONDS", 0)
    settings.PAGE_CACHE = False
    settings.LANGUAGE_CODE = language
    DiscussionSettings.objects.update(minimum_seconds_on_page=0)
    title, body = ESSAYS[language]
    post = PostFactory(title=title, slug=f"essay-{language}", body=body, language=language)
    approved_comment(post, name="Salma", body="Eine schöne Bemerkung · ملاحظة جميلة.")
    return language, post


@pytest.mark.parametrize("essay", ["de", "ar"], indirect=True)
def test_the_comment_flow_in_the_sites_language(
    live_server: Any, page: Any, essay: tuple[str, Post], artifacts: Path
) -> None:
    language, post = essay
    words = _words(language, name="Salma", title=post.title)
    english = _words("en", name="Salma", title=post.title)
    # The catalogs are complete: every one of these reads otherwise than the English.
    assert not {key for key in words if words[key] == english[key]}, language
    page.goto(live_server.url + post.get_absolute_url())
    html = page.locator("html")
    assert html.get_attribute("lang") == language
    assert html.get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    # The JavaScript catalog is loaded (a page not in English) and the scripts use it.
    assert page.locator(f'script[src^="/jsi18n/{language}/"]').count() == 1
    assert page.evaluate("typeof window.gettext") == "function"
    assert page.locator("#comments-title").inner_text() == words["title"]
    assert page.locator("#reply-title .comment-reply-title__text").inner_text() == words["leave"]
    assert page.locator("#submit").inner_text() == words["post"]
    assert page.locator("label[for=id_comment]").inner_text().startswith(words["comment"])

    # A guest's comment: held, shown to its writer in place, in the page's language.
    page.fill("#id_comment", "Ein erster Gedanke.")
    page.fill("#id_author", "Grete Gast")
    page.fill("#id_email", "grete@example.org")
    page.click("#submit")
    page.wait_for_selector("li.comment.is-new")
    held = Comment.objects.get(body="Ein erster Gedanke.")
    assert words["awaiting"] in page.locator(f"#comment-{held.pk}").inner_text()

    # A reply: the form moves under the comment, its title names who is answered (comments.js,
    # through the catalog), and the reply appears nested in place.
    parent = Comment.objects.get(author_name="Salma")
    link = page.locator(f"#comment-{parent.pk} > article > a.reply")
    assert link.inner_text() == words["reply"]
    link.click()
    assert page.locator("#reply-title .comment-reply-title__text").inner_text() == words["reply_to"]
    page.fill("#id_comment", "Eine Antwort darauf.")
    page.click("#submit")
    page.wait_for_selector(f"#comment-{parent.pk} ol.children li.comment.is-new")
    page.wait_for_load_state()
    reply = Comment.objects.get(body="Eine Antwort darauf.")
    assert reply.parent_id == parent.pk

    # Layout: the reply is indented from the start side (the right in Arabic), the form's
    # fields line up on the start edge.
    outer = box(page, f"#comment-{parent.pk} > article")
    inner = box(page, f"#comment-{reply.pk} > article")
    form = box(page, "#commentform")
    if language == "ar":
        assert right(inner) < right(outer) - 8
        for field in ("#id_comment", "#id_author", "#id_email"):
            assert abs(right(box(page, field)) - right(form)) < 2, field
    else:
        assert inner["x"] > outer["x"] + 8
        for field in ("#id_comment", "#id_author", "#id_email"):
            assert abs(box(page, field)["x"] - form["x"]) < 2, field
    page.screenshot(path=str(artifacts / f"comment-flow-{language}.png"), full_page=True)
    assert _serious_violations(page) == []

    # Reloaded: the held comment and the reply come from the server in the same words.
    page.reload()
    page.wait_for_load_state()
    assert words["awaiting"] in page.locator(f"#comment-{held.pk}").inner_text()
    assert page.locator(f"#comment-{parent.pk} ol.children #comment-{reply.pk}").count() == 1

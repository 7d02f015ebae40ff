"""The discussion's own parts of the pages in the pseudo language (tests/i18n/test_pseudo_locale):
the thread, the form, the margin and the discussion's own pages hold no English that escaped
translation, whatever the rest of the page does."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from lxml import html as lxml_html

from broadsheet.discussion.forms import shown_at_token
from broadsheet.discussion.models import Comment, DiscussionSettings
from tests.i18n import test_pseudo_locale as pseudo
from tests.i18n.test_pseudo_locale import OPEN, Site, escaped_english

# The pseudo language's fixtures (a site written in Greek, the pseudo catalog).
pseudo_locale, in_pseudo, site = pseudo.pseudo_locale, pseudo.in_pseudo, pseudo.site

pytestmark = pytest.mark.django_db

# The parts of a page that are the discussion's: its section, the essay's margins, the
# reactions from elsewhere, the respond page's and the own-comment pages' content.
_CLASSES = ("margin", "reactions", "comment-own", "error-page", "embed-no-thread")
PARTS = "//*[@id='comments']|" + "|".join(
    f"//*[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]" for name in _CLASSES
)


def _parts(page: str) -> str:
    tree = lxml_html.document_fromstring(page)
    found = tree.xpath(PARTS)
    assert found, "none of the discussion's parts is on the page"
    parts = "".join(lxml_html.tostring(part, encoding="unicode") for part in found)
    assert OPEN in parts, "nothing in the discussion's parts was translated"
    return parts


def _passage(site: Site) -> str:
    page = Client().get(site.post.get_absolute_url()).content.decode()
    match = re.search(r' id="(p-[^"]+)"', page)
    assert match, "the essay has no passage"
    return match.group(1)


PAGES: list[tuple[str, Callable[[Site], str], bool]] = [
    ("essay", lambda s: s.post.get_absolute_url(), False),
    ("essay, replying", lambda s: f"{s.post.get_absolute_url()}?replytocom={s.comment.pk}", False),
    (
        "essay, opened on a comment",
        lambda s: f"{s.post.get_absolute_url()}?c={s.comment.pk}",
        False,
    ),
    ("essay, signed in", lambda s: s.post.get_absolute_url(), True),
    ("respond to a passage", lambda s: f"{s.post.get_absolute_url()}respond/{_passage(s)}/", False),
]


@pytest.mark.parametrize(("name", "address", "signed_in"), PAGES, ids=[p[0] for p in PAGES])
def test_the_discussion_speaks_the_sites_language(
    client: Client, site: Site, name: str, address: Callable[[Site], str], signed_in: bool
) -> None:
    if signed_in:
        client.force_login(site.reader)
    response = client.get(address(site))
    assert response.status_code == 200, name
    names = {"Σοφία", "Γιάννης", site.reader.username}
    assert escaped_english(_parts(response.content.decode()), allowed=names) == [], name


def test_a_held_comment_and_the_own_comment_pages(client: Client, site: Site) -> None:
    DiscussionSettings.objects.update(minimum_seconds_on_page=0)
    response = client.post(
        "/comments/post/",
        {
            "comment": "Σχόλιο.", "author": "Μαρία", "email": "maria@example.org", "url": "",
            "post_id": site.post.pk, "parent_id": "0", "hp": "", "shown_at": shown_at_token(),
        },
    )  # fmt: skip
    assert response.status_code == 302
    held = Comment.objects.get(author_name="Μαρία")
    assert held.status == Comment.Status.PENDING
    page = client.get(site.post.get_absolute_url()).content.decode()
    assert f"{OPEN}Your comment is awaiting moderation." in page
    assert escaped_english(_parts(page), allowed={"Σοφία", "Γιάννης", "Μαρία"}) == []
    for path in (f"/comment/{held.pk}/edit/", f"/comment/{held.pk}/delete/"):
        own = client.get(path)
        assert own.status_code == 200, path
        assert escaped_english(_parts(own.content.decode())) == [], path


def test_a_refusal_page(client: Client, site: Site) -> None:
    response = client.post("/comments/post/", {"comment": "Σχόλιο.", "post_id": "999999"})
    assert response.status_code == 404
    assert escaped_english(_parts(response.content.decode())) == []


def test_the_embeds_pages_and_the_reactions(client: Client, site: Site) -> None:
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    for path in ("/embed/thread/?url=https://elsewhere.example/x", "/embed/sign-in/done/"):
        page = client.get(path).content.decode()
        main = page[page.index("<main") : page.index("</main>")]
        assert OPEN in main and escaped_english(main) == [], path
    face = SimpleNamespace(url="https://elsewhere.example/", name="Σοφία", picture="/a.png")
    for count in (1, 2):
        reactions = SimpleNamespace(likes=[face] * count, reposts=[face] * count)
        html = render_to_string("webmention/_reactions.html", {"reactions": reactions})
        assert OPEN in html and escaped_english(f"<div>{html}</div>", allowed={"Σοφία"}) == [], (
            count
        )

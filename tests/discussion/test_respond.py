"""Responding to a passage (issue 16 §1, the reader's side): the anchor comment_submit stores,
the form's quote, the no-JavaScript respond page and the margin of the post page."""

from __future__ import annotations

import json
import re
from html import unescape
from typing import Any

import pytest
from django.test import Client

from broadsheet.core.anchoring import MAX_QUOTE, Selector
from broadsheet.discussion.forms import shown_at_token
from broadsheet.discussion.margins import Margins
from broadsheet.discussion.models import Anchor, Comment, DiscussionSettings
from broadsheet.discussion.services import Commenter, CommentRejected, comment_submit
from broadsheet.publishing.models import Post
from broadsheet.publishing.passages import post_passages
from tests.discussion.hostile import SCRIPTS
from tests.factories import PostFactory, ReferenceFactory, approved_comment

pytestmark = pytest.mark.django_db

BODY = (
    "The harbour master kept a ledger of every ship. The lamp burned all night.\n\n"
    "A second paragraph says the lamp burned all night, twice: the lamp burned all night.[^1]\n\n"
    "[^1]: Harbour records, 1820, kept in Bristol.\n"
)
MODERATOR = Commenter(name="Mo", email="mo@example.org", is_moderator=True)


@pytest.fixture(autouse=True)
def _readers_take_their_time() -> None:
    current = DiscussionSettings.current()
    current.minimum_seconds_on_page = 0
    current.save()


@pytest.fixture
def post(author: Any) -> Post:
    return PostFactory(title="Lamps", body=BODY, authors=[author])


def _passage(post: Post, index: int = 0) -> Any:
    return post_passages(post)[index]


def _anchor(passage: str, exact: str, start: int = -1, **parts: Any) -> Selector:
    end = start + len(exact) if start >= 0 else -1
    return Selector(passage, exact, parts.get("prefix", ""), parts.get("suffix", ""), start, end)


def _respond(post: Post, anchor: Selector | None, body: str = "On this.", **kw: Any) -> Comment:
    kw.setdefault("commenter", MODERATOR)
    return comment_submit(post=post, body=body, anchor=anchor, **kw)


# --- comment_submit ----------------------------------------------------------------------


def test_an_anchored_comment_stores_the_selectors_taken_from_the_text(post: Post) -> None:
    first = _passage(post)
    comment = _respond(post, _anchor(first.id, "The lamp burned all night.", prefix="forged"))
    anchor = Anchor.objects.get(comment=comment)
    start = first.text.index("The lamp burned")
    assert (anchor.passage, anchor.exact, anchor.start, anchor.end) == (
        first.id, "The lamp burned all night.", start, start + 26
    )  # fmt: skip
    assert anchor.prefix == first.text[start - 32 : start] and anchor.suffix == ""
    assert (anchor.revision, anchor.version) == (post.revision, post.version)
    assert anchor.state == Anchor.State.INTACT and anchor.located_version == post.version
    assert (anchor.current_passage, anchor.current_exact) == (first.id, anchor.exact)
    assert (anchor.current_start, anchor.current_end) == (anchor.start, anchor.end)
    assert comment.post_version == post.version == 1


def test_the_submitted_position_chooses_between_occurrences(post: Post) -> None:
    second = _passage(post, 1)
    words = "the lamp burned all night"
    last = second.text.rindex(words)
    comment = _respond(post, _anchor(second.id, words, start=last - 3))
    assert Anchor.objects.get(comment=comment).start == last
    # A forged position far outside the text still finds the words, never fails.
    other = _respond(post, _anchor(second.id, words, start=10**9), body="Again.")
    assert Anchor.objects.get(comment=other).exact == words


def test_footnotes_and_references_can_be_responded_to(post: Post) -> None:
    ReferenceFactory(post=post)
    post.refresh_from_db()
    ids = [p.id for p in post_passages(post)]
    note = next(p for p in post_passages(post) if p.id == "fn-1")
    reference = next(p for p in post_passages(post) if p.id.startswith("ref-"))
    assert "fn-1" in ids
    on_note = _respond(post, _anchor(note.id, "kept in Bristol"))
    on_ref = _respond(post, _anchor(reference.id, reference.text[:10]), body="The book.")
    assert Anchor.objects.get(comment=on_note).passage == "fn-1"
    assert Anchor.objects.get(comment=on_ref).passage == reference.id


def test_every_comment_records_the_version_it_was_written_on(post: Post) -> None:
    plain = _respond(post, None, body="No quote.")
    assert plain.post_version == 1 and not Anchor.objects.filter(comment=plain).exists()


@pytest.mark.parametrize(
    ("passage", "exact", "message"),
    [
        ("p-00000000", "The lamp", "That passage is not in the essay"),
        ("FIRST", "The lamp was green", "Those words are not in that passage"),
        ("FIRST", "x" * 100_000, f"at most {MAX_QUOTE:,} characters"),
        ("FIRST", "   \n\t ", "Select some words"),
        ("FIRST", SCRIPTS[0], "Those words are not in that passage"),
        ("<script>alert(1)</script>", "The lamp", "That passage is not in the essay"),
    ],
    ids=["no-passage", "not-in-text", "100k", "blank", "script", "script-passage"],
)
def test_a_forged_or_invalid_anchor_is_refused_by_the_quote_and_nothing_is_stored(
    post: Post, passage: str, exact: str, message: str
) -> None:
    passage = _passage(post).id if passage == "FIRST" else passage
    with pytest.raises(CommentRejected) as refused:
        _respond(post, _anchor(passage, exact))
    assert message in refused.value.message
    assert (refused.value.field, refused.value.code, refused.value.status) == (
        "anchor_exact", "anchor", 400
    )  # fmt: skip
    assert not Comment.objects.exists() and not Anchor.objects.exists()


# --- over HTTP ----------------------------------------------------------------------------


def _form(post: Post, **fields: Any) -> dict[str, Any]:
    data = {
        "comment": "A thoughtful reply.", "author": "Ada Reader", "email": "ada@example.org",
        "url": "", "post_id": post.pk, "parent_id": "0", "shown_at": shown_at_token(), "hp": "",
    }  # fmt: skip
    data.update(fields)
    return data


def _anchor_fields(passage: str, exact: str, **more: Any) -> dict[str, Any]:
    return {"anchor_passage": passage, "anchor_exact": exact, **more}


def test_the_form_posts_an_anchor_and_a_forged_position_is_only_a_hint(
    client: Client, post: Post
) -> None:
    first = _passage(post)
    fields = _anchor_fields(first.id, "a ledger", anchor_start="abc", anchor_end="-5")
    response = client.post("/comments/post/", _form(post, **fields))
    assert response.status_code == 302
    anchor = Anchor.objects.get()
    assert anchor.exact == "a ledger" and anchor.start == first.text.index("a ledger")


@pytest.mark.parametrize("field", ["anchor_passage", "anchor_exact"])
def test_a_nul_character_in_the_quote_is_refused_not_dropped(
    client: Client, post: Post, field: str
) -> None:
    fields = _anchor_fields(_passage(post).id, "a ledger")
    fields[field] += "\x00"
    response = client.post("/comments/post/", _form(post, **fields))
    assert response.status_code == 400 and not Comment.objects.exists()


def test_post_without_the_quote_stores_no_anchor(client: Client, post: Post) -> None:
    fields = _anchor_fields("p-forged", "nothing", anchor_remove="on")
    assert client.post("/comments/post/", _form(post, **fields)).status_code == 302
    assert Comment.objects.count() == 1 and not Anchor.objects.exists()


@pytest.mark.parametrize("exact", [SCRIPTS[0], "y" * 100_000, "not there"])
def test_a_refused_anchor_is_shown_by_the_quote_with_the_comment_kept(
    client: Client, post: Post, exact: str
) -> None:
    words = f"My words {SCRIPTS[2]}"
    response = client.post(
        "/comments/post/", _form(post, comment=words, **_anchor_fields(_passage(post).id, exact))
    )
    assert response.status_code == 400
    html = response.content.decode()
    quote = html[html.index('id="comment-quote"') :]
    assert 'class="field-error" id="id_anchor_exact_error"' in quote[: quote.index("</div>")]
    assert "<script>window" not in html and "<img src=x onerror" not in html
    assert unescape(re.search(r"<textarea[^>]*>\n(.*?)</textarea>", html, re.S)[1]) == words
    assert not Comment.objects.exists()


def test_a_refused_anchor_over_fetch_names_the_quote_field(client: Client, post: Post) -> None:
    response = client.post(
        "/comments/post/",
        _form(post, **_anchor_fields("p-nothing", "The lamp")),
        headers={"X-Requested-With": "fetch"},
    )
    assert response.status_code == 400
    assert json.loads(response.content)["field"] == "anchor_exact"


# --- the no-JavaScript respond page -------------------------------------------------------


def test_the_respond_page_quotes_the_whole_passage_in_the_form(client: Client, post: Post) -> None:
    first = _passage(post)
    response = client.get(f"{post.get_absolute_url()}respond/{first.id}/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "private" in response["Cache-Control"]
    html = response.content.decode()
    assert (
        f'<blockquote class="comment-quote__text" aria-labelledby="comment-quote-label">{first.text}</blockquote>'
        in html
    )
    assert f'name="anchor_passage" value="{first.id}"' in html
    assert 'action="/comments/post/"' in html and 'name="robots" content="noindex"' in html
    # Posting it as the page stands stores the whole paragraph as the quote.
    fields = dict(re.findall(r'<input type="hidden" name="(anchor_\w+)" value="([^"]*)"', html))
    assert client.post("/comments/post/", _form(post, **fields)).status_code == 302
    assert Anchor.objects.get().exact == first.text


def test_the_respond_page_of_a_footnote(client: Client, post: Post) -> None:
    response = client.get(f"{post.get_absolute_url()}respond/fn-1/")
    assert response.status_code == 200 and "Harbour records, 1820" in response.content.decode()


@pytest.mark.parametrize("passage", ["p-00000000", "fnref-1", "%3Cscript%3E"])
def test_the_respond_page_of_no_passage_is_not_found(
    client: Client, post: Post, passage: str
) -> None:
    assert client.get(f"{post.get_absolute_url()}respond/{passage}/").status_code == 404


def test_the_respond_page_of_a_private_post_is_not_found(client: Client, author: Any) -> None:
    private = PostFactory(body=BODY, status=Post.Status.PRIVATE, authors=[author])
    draft = PostFactory(body=BODY, status=Post.Status.DRAFT, authors=[author])
    for hidden in (private, draft):
        url = f"/{hidden.published_at:%Y/%m/%d}/{hidden.slug}/respond/{_passage(hidden).id}/"
        assert client.get(url).status_code == 404


def test_the_respond_page_when_comments_are_closed(client: Client, post: Post) -> None:
    post.comments_open = False
    post.save()
    response = client.get(f"{post.get_absolute_url()}respond/{_passage(post).id}/")
    assert response.status_code == 403 and "comments are closed" in response.content.decode()


def test_a_page_has_its_respond_page_too(client: Client, author: Any) -> None:
    page = PostFactory(kind=Post.Kind.PAGE, slug="about", body=BODY, authors=[author])
    response = client.get(f"/about/respond/{_passage(page).id}/")
    assert response.status_code == 200 and "Respond to the whole page instead" in (
        response.content.decode()
    )


# --- the margin ---------------------------------------------------------------------------


def test_every_passage_has_a_respond_control_leading_to_its_page(
    client: Client, post: Post
) -> None:
    ReferenceFactory(post=post)
    html = client.get(post.get_absolute_url()).content.decode()
    # Written relative to the post's address, which the page is at.
    linked = re.findall(r'<span class="margin"><a href="respond/([^"/]+)/">Respond</a>', html)
    # The page lists the references before the notes.
    assert sorted(linked) == sorted(p.id for p in post_passages(Post.objects.get(pk=post.pk)))
    assert len(linked) == 4
    assert f'data-respond-url="{post.get_absolute_url()}respond/"' in html
    assert "broadsheet/respond.js" in html
    for passage in linked:
        assert client.get(f"{post.get_absolute_url()}respond/{passage}/").status_code == 200


def test_the_margin_counts_approved_responses_and_links_to_the_first(
    client: Client, post: Post
) -> None:
    first, second = _passage(post), _passage(post, 1)
    one = _respond(post, _anchor(first.id, "a ledger"))
    two = _respond(post, _anchor(first.id, "every ship"), body="Ships.")
    _respond(post, _anchor(second.id, "twice"), body="Twice.")
    held = comment_submit(
        post=post, commenter=Commenter(name="New", email="new@example.org"), body="Held.",
        anchor=_anchor(second.id, "second"),
    )  # fmt: skip
    assert held.status == Comment.Status.PENDING
    orphan = _respond(post, _anchor(second.id, "paragraph"), body="Gone.")
    Anchor.objects.filter(comment=orphan).update(state=Anchor.State.ORPHANED)
    html = client.get(post.get_absolute_url()).content.decode()
    markers = re.findall(
        r'id="(p-[^"]+)"><span class="margin">.*?(?:<a class="responses" href="/comment/(\d+)/" '
        r'aria-label="([^"]+)" data-comments="([^"]+)">(\d+)</a>)?</span>',
        html,
    )
    assert markers[0] == (first.id, str(one.pk), "2 responses", f"{one.pk} {two.pk}", "2")
    assert markers[1][2:] == ("1 response", markers[1][3], "1")


def test_closed_comments_keep_the_counts_without_respond_controls(
    client: Client, post: Post
) -> None:
    _respond(post, _anchor(_passage(post).id, "a ledger"))
    Post.objects.filter(pk=post.pk).update(comments_open=False)
    html = client.get(post.get_absolute_url()).content.decode()
    assert ">Respond</a>" not in html and "data-respond-url" not in html
    assert html.count('class="responses"') == 1


@pytest.mark.django_db(transaction=True)  # the effects run after a real commit
def test_a_new_response_refreshes_the_cached_page(
    client: Client, post: Post, settings: Any
) -> None:
    settings.PAGE_CACHE = True
    url = post.get_absolute_url()
    assert 'class="responses"' not in client.get(url).content.decode()
    _respond(post, _anchor(_passage(post).id, "a ledger"))
    assert client.get(url).content.decode().count('class="responses"') == 1


def test_stored_text_and_versions_stay_without_the_margin(client: Client, post: Post) -> None:
    html = client.get(post.get_absolute_url()).content.decode()
    assert 'class="margin"' in html
    stored = Post.objects.get(pk=post.pk)
    assert "margin" not in stored.body_html + stored.footnotes_html
    version = client.get(f"{post.get_absolute_url()}v/1/").content.decode()
    assert 'class="margin"' not in version


def test_the_margin_escapes_a_hostile_reference_key(client: Client, post: Post) -> None:
    approved_comment(post)  # a discussion under the essay as usual
    ReferenceFactory(post=post, key='x"><script>window.__pwned=1</script>')
    html = client.get(post.get_absolute_url()).content.decode()
    assert "<script>window.__pwned" not in html


def test_respond_links_are_relative_only_on_the_posts_own_address() -> None:
    margins = Margins(respond_url="/2026/01/02/essay/respond/")
    assert margins.seen_from("/2026/01/02/essay/").respond_url == "respond/"
    for elsewhere in ("/2026/01/02/essay/comment-page-2/", "/comments/post/"):
        assert margins.seen_from(elsewhere).respond_url == "/2026/01/02/essay/respond/"


def test_the_form_carries_the_quote_box_only_with_a_quote(client: Client, post: Post) -> None:
    page = client.get(post.get_absolute_url()).content.decode()
    assert 'id="comment-quote"' not in page and 'name="anchor_exact"' not in page
    passage = _passage(post)
    respond = client.get(f"{post.get_absolute_url()}respond/{passage.id}/").content.decode()
    assert 'id="comment-quote"' in respond and 'name="anchor_exact"' in respond

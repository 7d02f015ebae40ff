"""What an essay's page shows of its context notes: a shown note just above its passage (or
before the text), nothing of the others, a line leading to the essay's notes, the address the
selection popup writes to — in one query, escaped, and fresh in the page cache after a run."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client, override_settings

from broadsheet.notes.models import Note, NoteSettings, Status
from broadsheet.notes.runs import notes_score
from broadsheet.publishing.models import Post
from broadsheet.publishing.passages import post_passages
from broadsheet.publishing.services import post_save
from tests.factories import PostFactory
from tests.notes.crowd import Crowd, note, passage_note

pytestmark = pytest.mark.django_db
SCRIPT = '<script>alert("x")</script>'
LABEL = "Context note · Rated helpful by people who usually disagree"


@pytest.fixture
def essay() -> Post:
    return PostFactory(title="On harbours", slug="on-harbours")


def _page(client: Client, post: Post) -> str:
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def _disable() -> None:
    settings = NoteSettings.current()
    settings.enabled = False
    settings.save()


def test_a_shown_note_is_just_above_its_passage(client: Client, essay: Post) -> None:
    second = post_passages(essay)[1]
    shown = passage_note(essay, "It was 1862, says the ledger.", which=1, status=Status.SHOWN)
    html = _page(client, essay)
    aside = html.index('<aside class="context-note"')
    assert html.index(f'id="{post_passages(essay)[0].id}"') < aside
    assert aside < html.index(f'id="{second.id}"')
    block = html[aside : html.index("</aside>", aside)]
    assert LABEL in block and "It was 1862, says the ledger." in block
    assert '<a href="https://example.org/ledger" rel="nofollow ugc">' in block
    assert f'<a href="/notes/{shown.pk}/">Why is this shown?</a>' in block
    assert " id=" not in block  # the page's passage ids are the essay's own


def test_notes_not_shown_are_nowhere_on_the_page(client: Client, essay: Post) -> None:
    note(essay, "Still needs ratings.")
    note(essay, "Rated not helpful.", status=Status.NOT_HELPFUL)
    note(essay, "Shown, then removed.", status=Status.SHOWN, removed=True)
    html = _page(client, essay)
    for hidden in ("Still needs ratings", "Rated not helpful", "Shown, then removed"):
        assert hidden not in html
    assert "context-note" in html  # the line
    assert '<aside class="context-note"' not in html


def test_a_note_on_the_whole_essay_comes_before_its_text(client: Client, essay: Post) -> None:
    note(essay, "On the whole essay.", status=Status.SHOWN)
    html = _page(client, essay)
    assert html.index("On the whole essay.") < html.index('class="entry-content')
    assert "passage the essay no longer has" not in html


def test_a_note_whose_passage_is_gone_comes_before_the_text_with_its_quote(
    client: Client, essay: Post
) -> None:
    passage_note(essay, "About the opening.", status=Status.SHOWN)
    essay.body = essay.body.replace("An opening paragraph.", "A new opening, reworded.")
    post_save(post=essay)
    html = _page(client, essay)
    start = html.index("About the opening.")
    assert start < html.index('class="entry-content')
    assert "On a passage the essay no longer has: <q>An opening paragraph.</q>" in html


def test_the_line_after_the_essay_leads_to_its_notes(client: Client, essay: Post) -> None:
    note(essay, status=Status.SHOWN)
    note(essay, status=Status.SHOWN)
    html = _page(client, essay)
    url = essay.get_absolute_url()
    line = f'Context notes: 2 shown · <a href="{url}notes/">Read and rate notes</a>'
    assert line in html
    assert html.index(line) < html.index("</article>")
    assert f'data-notes-url="{url}notes/new/"' in html


def test_with_notes_off_an_essay_without_notes_has_no_trace_of_them(
    client: Client, essay: Post
) -> None:
    _disable()
    html = _page(client, essay)
    assert "context-note" not in html and "data-notes-url" not in html


def test_with_notes_off_shown_notes_stay_and_cannot_be_rated(client: Client, essay: Post) -> None:
    _disable()
    note(essay, "Decided before.", status=Status.SHOWN)
    html = _page(client, essay)
    assert "Decided before." in html
    assert "Context notes: 1 shown · " in html and "Read the notes</a>" in html
    assert "data-notes-url" not in html


def test_pages_and_unpublished_essays_show_no_notes(
    client: Client, essay: Post, author: Any
) -> None:
    page = PostFactory(kind=Post.Kind.PAGE, title="About", slug="about")
    note(page, "On a page.", status=Status.SHOWN)
    assert "context-note" not in _page(client, page)
    draft = PostFactory(status=Post.Status.DRAFT, published_at=None, authors=[author])
    note(draft, "On a draft.", status=Status.SHOWN)
    client.force_login(author)
    preview = client.get(draft.get_absolute_url()).content.decode()
    assert "On a draft." not in preview and "data-notes-url" not in preview


def test_hostile_note_text_is_escaped(client: Client, essay: Post) -> None:
    passage_note(
        essay, f"Body {SCRIPT}", status=Status.SHOWN,
        sources=[{"kind": "url", "value": f"https://example.org/?q={SCRIPT}"},
                 {"kind": "url", "value": "javascript:alert(1)"},
                 {"kind": "reference", "value": f'x" onmouseover="{SCRIPT}'}],
    )  # fmt: skip
    essay.body = essay.body.replace("An opening paragraph.", "Another opening.")
    post_save(post=essay)  # the note's quote is shown too, now
    html = _page(client, essay)
    assert SCRIPT not in html and "javascript:" not in html
    assert "Body &lt;script&gt;" in html
    assert 'onmouseover="' not in html


def test_the_page_reads_its_notes_in_one_query_however_many(
    client: Client, essay: Post, django_assert_num_queries: Any
) -> None:
    other = PostFactory(slug="other")
    client.get(essay.get_absolute_url())  # steady state: settings cached
    with django_assert_num_queries(8) as without:  # an essay that never showed a note
        _page(client, essay)
    queries = len(without.captured_queries) + 1  # the shown notes, however many
    for n, passage in enumerate(post_passages(other) * 5):
        note(other, f"Note {n}.", passage=passage.id, exact=passage.text, status=Status.SHOWN)
    client.get(other.get_absolute_url())
    with django_assert_num_queries(queries):
        html = _page(client, other)
    assert html.count('<aside class="context-note"') == len(post_passages(other)) * 5


@pytest.mark.django_db(transaction=True)
def test_a_cached_page_shows_a_note_after_the_run_that_shows_it(client: Client) -> None:
    essay, elsewhere = PostFactory(slug="essay"), PostFactory(slug="elsewhere")
    crowd = Crowd(elsewhere)
    bridged = crowd.bridge(passage_note(essay, "Shown by the next run."))
    with override_settings(PAGE_CACHE=True):
        assert "Shown by the next run." not in _page(client, essay)  # stored
        stored_elsewhere = _page(client, elsewhere)
        notes_score()
        html = _page(client, essay)
        assert "Shown by the next run." in html and f"/notes/{bridged.pk}/" in html
        assert _page(client, elsewhere) == stored_elsewhere
    assert Note.objects.get(pk=bridged.pk).status == Status.SHOWN


def test_the_notes_markup_is_small(client: Client, essay: Post) -> None:
    passage_note(essay, "Short.", status=Status.SHOWN)
    html = _page(client, essay)
    block = re.search(r'<aside class="context-note".*?</aside>', html, re.S)
    assert block is not None and len(block.group(0).encode()) < 500


def test_a_note_on_a_footnote_comes_before_the_text_and_links_to_it(
    client: Client, essay: Post
) -> None:
    footnote = next(p for p in post_passages(essay) if p.id.startswith("fn-"))
    note(essay, "On the footnote.", passage=footnote.id, exact=footnote.text, status=Status.SHOWN)
    html = _page(client, essay)
    assert html.index("On the footnote.") < html.index('class="entry-content')
    assert f'On <a href="#{footnote.id}">this passage</a>: <q>{footnote.text}</q>' in html

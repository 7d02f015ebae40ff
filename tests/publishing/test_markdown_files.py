from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest
from django.core.management import CommandError, call_command

from broadsheet.publishing.markdown_files import PublishError, publish_markdown_file
from broadsheet.publishing.models import Category, Post, Reference, Tag

pytestmark = pytest.mark.django_db

GOOD = dedent(
    """\
    ---
    title: "Lamps and Ledgers"
    slug: lamps-and-ledgers
    date: 2026-03-14 09:30
    status: published
    authors: [mhale]
    categories: [History/Maritime History]
    tags: [archives, climate]
    excerpt: "Why keepers' logs matter."
    comments: open
    references:
      - kind: book
        author: ["Marsh, Edith"]
        title: "The Keeper's Year"
        publisher: Harbour Press
        place: Bristol
        issued: 1998
      - kind: webpage
        title: "Keepers Online"
        url: https://example.org/keepers
        accessed: 2026-02-01
        uncited: true
    ---
    An opening paragraph [@marsh1998].[^1]

    ## The logs

    Body text.

    [^1]: A note.
    """
)


@pytest.fixture
def categories() -> None:
    history = Category.objects.create(name="History", slug="history")
    Category.objects.create(name="Maritime History", slug="maritime-history", parent=history)


def test_publishing_a_file_creates_the_post_with_everything(
    author: object, categories: None
) -> None:
    result = publish_markdown_file(text=GOOD, filename="lamps.md")
    assert result.outcome == "created"
    post = Post.objects.get(slug="lamps-and-ledgers")
    assert post.title == "Lamps and Ledgers"
    assert post.get_absolute_url() == "/2026/03/14/lamps-and-ledgers/"
    assert [a.username for a in post.authors.all()] == ["mhale"]
    assert [c.path for c in post.categories.all()] == ["history/maritime-history"]
    assert sorted(t.name for t in post.tags.all()) == ["archives", "climate"]
    refs = list(post.references.all())
    assert [r.kind for r in refs] == ["book", "webpage"]
    assert refs[0].contributors == {"author": [{"family": "Marsh", "given": "Edith"}]}
    assert refs[0].issued == "1998"
    assert '<li id="fn-1">' in post.footnotes_html


def test_publishing_the_same_file_twice_changes_nothing(author: object, categories: None) -> None:
    publish_markdown_file(text=GOOD, filename="lamps.md")
    before = Post.objects.values().get(slug="lamps-and-ledgers")
    again = publish_markdown_file(text=GOOD, filename="lamps.md")
    assert again.outcome == "unchanged"
    assert Post.objects.values().get(slug="lamps-and-ledgers") == before
    assert Post.objects.count() == 1 and Reference.objects.count() == 2 and Tag.objects.count() == 2


def test_an_edited_file_updates_the_post_by_slug(author: object, categories: None) -> None:
    publish_markdown_file(text=GOOD, filename="lamps.md")
    result = publish_markdown_file(
        text=GOOD.replace("Body text.", "Revised body text."), filename="lamps.md"
    )
    assert result.outcome == "updated"
    assert Post.objects.count() == 1
    assert "Revised body text." in Post.objects.get().body_html


def _problems(text: str) -> list[str]:
    with pytest.raises(PublishError) as caught:
        publish_markdown_file(text=text, filename="essay.md")
    return caught.value.problems


def test_unknown_author_is_reported_with_file_and_line_and_not_created(categories: None) -> None:
    problems = _problems(GOOD)
    assert problems == [
        "essay.md:6: unknown author 'mhale': create the account first (broadsheet createsuperuser, or the admin)"
    ]
    assert not Post.objects.exists()


def test_unknown_category_is_reported_not_created(author: object) -> None:
    problems = _problems(GOOD)
    assert len(problems) == 1
    assert problems[0].startswith("essay.md:7: unknown category 'History/Maritime History'")
    assert not Category.objects.exists()


def test_broken_yaml_names_the_line(author: object) -> None:
    problems = _problems("---\ntitle: ok\ntags: [unclosed\nstatus: published\n---\nBody")
    assert len(problems) == 1
    assert problems[0].startswith("essay.md:") and "not valid YAML" in problems[0]
    line = int(problems[0].split(":")[1])
    assert 3 <= line <= 5


def test_a_scheduled_post_without_a_date_is_refused_at_the_date(author: object) -> None:
    text = "---\ntitle: Soon\nstatus: scheduled\nauthors: [mhale]\n---\nBody"
    assert _problems(text) == [
        "essay.md:3: a scheduled post needs a 'date' to go live, e.g. date: 2026-03-14 09:30"
    ]
    with_empty_date = "---\ntitle: Soon\nstatus: scheduled\ndate:\nauthors: [mhale]\n---\nBody"
    assert _problems(with_empty_date) == [
        "essay.md:4: a scheduled post needs a 'date' to go live, e.g. date: 2026-03-14 09:30"
    ]
    assert not Post.objects.exists()


def test_unclosed_front_matter_is_reported() -> None:
    assert _problems("---\ntitle: x\nBody text") == [
        "essay.md:1: the front matter opened by '---' on line 1 is never closed by another '---' line"
    ]


def test_missing_front_matter_is_reported() -> None:
    assert "must start with front matter" in _problems("Just text.")[0]


def test_undefined_footnote_names_the_line_in_the_file(author: object, categories: None) -> None:
    text = GOOD.replace("Body text.", "Body text.[^ghost]")
    problems = _problems(text)
    assert problems == [
        "essay.md:28: footnote [^ghost] is referenced but never defined (add a line '[^ghost]: …' below the text)"
    ]
    assert text.splitlines()[27] == "Body text.[^ghost]"


def test_bad_fields_are_all_reported_at_once(author: object, categories: None) -> None:
    text = (
        GOOD.replace("status: published", "status: live")
        .replace("comments: open", "colour: blue")
        .replace("date: 2026-03-14 09:30", "date: yesterday")
        .replace("kind: webpage", "kind: tweet")
    )
    problems = _problems(text)
    joined = "\n".join(problems)
    assert "essay.md:5: status must be one of" in joined
    assert "essay.md:10: unknown field 'colour'" in joined
    assert "essay.md:4: the date 'yesterday' is not a date" in joined
    assert "essay.md:18: unknown reference kind 'tweet'" in joined


def test_hostile_markup_in_front_matter_and_body_is_stored_safely(
    author: object, categories: None
) -> None:
    evil = "<script>alert(1)</script><img src=x onerror=alert(1)>"
    text = (
        GOOD.replace('"Lamps and Ledgers"', f"'{evil}'")
        .replace("Body text.", evil)
        .replace('"The Keeper\'s Year"', f"'{evil}'")
    )
    publish_markdown_file(text=text, filename="evil.md")
    post = Post.objects.get()
    assert "<script" not in post.body_html and "onerror" not in post.body_html
    assert "<script" not in post.references.first().html  # type: ignore[union-attr]


def test_the_publish_command_reports_problems_and_succeeds_on_good_files(
    author: object, categories: None, tmp_path: Path
) -> None:
    good = tmp_path / "good.md"
    good.write_text(GOOD, encoding="utf-8")
    bad = tmp_path / "bad.md"
    bad.write_text(
        GOOD.replace("authors: [mhale]", "authors: [nobody]").replace("lamps-and-ledgers", "other"),
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as caught:
        call_command("publish", str(good), str(bad))
    assert f"{bad}:6: unknown author 'nobody'" in str(caught.value)
    assert Post.objects.filter(slug="lamps-and-ledgers").exists()


def test_citation_problems_name_their_lines_in_the_file(author: object, categories: None) -> None:
    text = GOOD.replace("Body text.", "Body text [@nobody2020].").replace("    uncited: true\n", "")
    lines = text.splitlines()
    problems = _problems(text)
    body_line = lines.index("Body text [@nobody2020].") + 1
    entry_line = lines.index("  - kind: webpage") + 1
    assert sorted(problems) == sorted(
        [
            f"essay.md:{body_line}: unknown citation key @nobody2020: no reference of this "
            "essay has that key",
            f"essay.md:{entry_line}: reference 'keepers' is never cited: cite it as [@keepers] "
            "or mark it uncited to list it anyway",
        ]
    )


def test_a_published_file_lists_the_cited_and_the_uncited_references(
    author: object, categories: None
) -> None:
    publish_markdown_file(text=GOOD, filename="lamps.md")
    post = Post.objects.get(slug="lamps-and-ledgers")
    assert '<a href="#ref-marsh1998">Marsh 1998</a>' in post.body_html
    assert '<li id="ref-marsh1998"' in post.bibliography_html
    assert '<li id="ref-keepers"' in post.bibliography_html

"""Citations and bibliographies through the CSL processor (citeproc-py, official styles)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from broadsheet.core.services import settings_save
from broadsheet.publishing import csl
from broadsheet.publishing.citations import parse_name
from broadsheet.publishing.citing import _memo, render_essay, split_locator
from broadsheet.publishing.csl import Form
from broadsheet.publishing.csl_json import reference_to_csl
from broadsheet.publishing.models import CitationSettings, Post, Reference
from broadsheet.publishing.services import post_render, post_save
from broadsheet.publishing.tasks import rerender_cited_posts
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db

CHICAGO, APA, MLA = "chicago-author-date", "apa", "modern-language-association"


def _ref(key: str, **fields: Any) -> Reference:
    fields.setdefault("kind", "book")
    fields.setdefault("title", "The Keeper's Year")
    fields.setdefault("contributors", {"author": [parse_name("Marsh, Edith")]})
    fields.setdefault("issued", "1998")
    return Reference(key=key, **fields)


def _keeper() -> Reference:
    return _ref("marsh1998", publisher="Harbour Press", place="Bristol")


# --- the three styles --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("style", "cite", "located", "entry"),
    [
        (
            CHICAGO,
            "(Marsh 1998)",
            "(Marsh 1998, 84)",
            "Marsh, Edith. 1998. <i>The Keeper's Year</i>. Harbour Press.",
        ),
        (
            APA,
            "(Marsh, 1998)",
            "(Marsh, 1998, p. 84)",
            "Marsh, E. (1998). <i>The Keeper's Year</i>. Harbour Press.",
        ),
        (
            MLA,
            "(Marsh)",
            "(Marsh 84)",
            "Marsh, Edith. <i>The Keeper's Year</i>. Harbour Press, 1998.",
        ),
    ],
)
def test_each_style_writes_citations_and_entries_its_way(
    style: str, cite: str, located: str, entry: str
) -> None:
    essay = render_essay("A [@marsh1998] and [@marsh1998, 84].", [_keeper()], style=style)
    html = essay.rendered.body_html
    linked = cite[0] + f'<a href="#ref-marsh1998">{cite[1:-1]}</a>' + cite[-1]
    assert f'<span class="citation">{linked}</span>' in html
    assert f'<a href="#ref-marsh1998">{located[1:-1]}</a>' in html
    assert essay.bibliography_html == (
        '<ul class="references__list"><li id="ref-marsh1998" class="reference reference--book">'
        f"{entry}</li></ul>"
    )


def test_in_text_suppressed_and_grouped_citations() -> None:
    okafor = _ref(
        "okafor2004", title="Logs", contributors={"author": [parse_name("Okafor, Tunde")]}
    )
    okafor.issued = "2004"
    body = "@marsh1998 argues [-@marsh1998, 12]; [see @marsh1998; @okafor2004, chap. 2]."
    html = render_essay(body, [_keeper(), okafor], style=CHICAGO).rendered.body_html
    assert '<a href="#ref-marsh1998">Marsh (1998)</a>' in html
    assert '(<a href="#ref-marsh1998">1998, 12</a>)' in html
    assert (
        '(see <a href="#ref-marsh1998">Marsh 1998</a>; <a href="#ref-okafor2004">Okafor 2004'
    ) in html


@pytest.mark.parametrize(
    ("suffix", "form", "rest"),
    [
        (", 84", Form("page", "84"), ""),
        (", p. 84", Form("page", "84"), ""),
        (", pp. 33–35 and passim", Form("page", "33–35"), " and passim"),
        (", chap. 2", Form("chapter", "2"), ""),
        (", §§ 4", Form("section", "4"), ""),
        (", emphasis added", Form(), ", emphasis added"),
        ("", Form(), ""),
    ],
)
def test_locators_as_pandoc_reads_them(suffix: str, form: Form, rest: str) -> None:
    assert split_locator(suffix) == (form, rest)


# --- the locale: the language the essay is read in -----------------------------------------


@pytest.mark.parametrize(
    ("language", "locale"),
    [
        ("zh", "zh-CN"), ("zh-Hans", "zh-CN"), ("zh-CN", "zh-CN"), ("zh-SG", "zh-CN"),
        ("zh-hans", "zh-CN"), ("zh-Hans-HK", "zh-CN"), ("zh_CN", "zh-CN"),
        ("zh-Hant", "zh-TW"), ("zh-hant", "zh-TW"), ("zh-TW", "zh-TW"), ("zh-HK", "zh-TW"),
        ("zh-MO", "zh-TW"), ("zh-Hant-HK", "zh-TW"), ("zh-Hant-CN", "zh-TW"), ("zh_TW", "zh-TW"),
        ("de", "de-DE"), ("de-AT", "de-AT"), ("en", "en-US"), ("pt", "pt-PT"), ("ar", "ar"),
        ("tlh", "en-US"),
    ],
)  # fmt: skip
def test_each_language_gets_its_csl_locale_and_traditional_chinese_its_own(
    language: str, locale: str
) -> None:
    assert csl.locale_for(language) == locale


def test_an_essay_in_traditional_chinese_is_cited_in_its_terms() -> None:
    web = _ref("lamps", kind="webpage", title="燈塔", url="https://example.org/lamps",
               issued="", accessed=date(2024, 5, 2))  # fmt: skip
    traditional = render_essay("[@lamps]", [web], style=CHICAGO, language="zh-Hant")
    simplified = render_essay("[@lamps]", [web], style=CHICAGO, language="zh-Hans")
    # CSL's zh-TW and zh-CN: "no date", "accessed" and the title's quotation marks.
    assert "不詳. 「燈塔」. 引見於 2024年5月2日." in traditional.bibliography_html
    assert "不详. 《燈塔》. 见于 2024年5月2日." in simplified.bibliography_html


# --- compatibility with the hand-written style (decision 0033 names the differences) -------


def test_chicago_matches_the_hand_written_entries_where_citeproc_allows() -> None:
    from broadsheet.publishing.citations import reference_html

    article = _ref(
        "marsh2011",
        kind="article-journal",
        title="Logbooks as Data",
        container_title="Journal of Coastal History",
        volume="12",
        issue="3",
        pages="201–219",
        issued="2011",
        doi="10.5555/12345",
    )
    chapter = _ref(
        "marsh2004",
        kind="chapter",
        title="Lights on the Shore",
        container_title="Coastal Lives",
        contributors={
            "author": [parse_name("Marsh, Edith")],
            "editor": [parse_name("Hale, Margaret"), parse_name("Okafor, Tunde")],
        },
        pages="45–67",
        publisher="Harbour Press",
        place="Bristol",
        issued="2004",
    )
    book, article_entry, chapter_entry = csl.format_bibliography(
        [reference_to_csl(r) for r in (_keeper(), article, chapter)], CHICAGO
    )
    # The same as before but for the place (Chicago's 18th edition leaves it out).
    assert book == "Marsh, Edith. 1998. <i>The Keeper's Year</i>. Harbour Press."
    assert reference_html(_keeper()).startswith("Marsh, Edith. 1998. <em>The Keeper")
    # The same up to the style's page ranges (201–19) and its <i> for <em>.
    assert article_entry.startswith(
        "Marsh, Edith. 2011. “Logbooks as Data.” <i>Journal of Coastal History</i> 12 (3): 201–19."
    )
    assert '<a href="https://doi.org/10.5555/12345">https://doi.org/10.5555/12345</a>.' in (
        article_entry
    )
    assert chapter_entry.startswith(
        "Marsh, Edith. 2004. “Lights on the Shore.” In <i>Coastal Lives</i>, edited by "
        "Margaret Hale and Tunde Okafor"
    )


# --- disambiguation ----------------------------------------------------------------------


def _two_marsh_1998() -> list[Reference]:
    return [_ref("keeper", title="The Keeper's Year"), _ref("another", title="Another Year")]


@pytest.mark.parametrize(
    ("style", "a", "b"), [(CHICAGO, "1998a", "1998b"), (APA, "1998a", "1998b")]
)
def test_same_author_and_year_get_year_suffixes(style: str, a: str, b: str) -> None:
    essay = render_essay("[@keeper] [@another]", _two_marsh_1998(), style=style)
    html = essay.rendered.body_html
    # Suffixes follow the bibliography's order: "Another Year" before "The Keeper's Year".
    assert f'href="#ref-another">Marsh{"," if style == APA else ""} {a}</a>' in html
    assert f'href="#ref-keeper">Marsh{"," if style == APA else ""} {b}</a>' in html
    assert essay.bibliography_html.index(a) < essay.bibliography_html.index(b)


def test_mla_tells_works_by_one_author_apart_by_title() -> None:
    html = render_essay("[@keeper] [@another]", _two_marsh_1998(), style=MLA).rendered.body_html
    assert "Marsh, <i>The Keeper's Year</i>" in html and "Marsh, <i>Another Year</i>" in html


def test_no_suffix_without_a_namesake() -> None:
    html = render_essay("[@keeper]", _two_marsh_1998()[:1], style=CHICAGO).rendered.body_html
    assert ">Marsh 1998</a>" in html


# --- formatted once, then kept ----------------------------------------------------------------


@pytest.fixture
def cold() -> None:
    _memo.clear()


def _calls(run: Any) -> int:
    before = csl.calls.count
    run()
    return csl.calls.count - before


def test_each_reference_is_formatted_once_per_content_and_style(cold: None) -> None:
    refs = [_ref(f"k{i}", title=f"Work {i}", issued=str(1900 + i)) for i in range(30)]
    body = " ".join(f"[@k{i}, {i + 1}]" for i in range(30))
    assert _calls(lambda: render_essay(body, refs, style=CHICAGO)) == 1  # one citeproc run
    assert _calls(lambda: render_essay(body, refs, style=CHICAGO)) == 0
    _memo.clear()  # another worker: the shared cache has them
    assert _calls(lambda: render_essay(body, refs, style=CHICAGO)) == 0
    # A new reference: only it is formatted; the others stay as they were.
    more = [*refs, _ref("new", title="New", issued="2020")]
    assert _calls(lambda: render_essay(body + " [@new]", more, style=CHICAGO)) == 1
    # A new locator for a known reference, an edited reference, another style: one run each.
    assert _calls(lambda: render_essay(body + " [@k1, 99]", refs, style=CHICAGO)) == 1
    refs[3].title = "Work three, revised"
    assert _calls(lambda: render_essay(body, refs, style=CHICAGO)) == 1
    assert _calls(lambda: render_essay(body, refs, style=APA)) == 1


def test_a_namesake_arriving_reformats_only_the_two_told_apart(cold: None) -> None:
    refs = [_ref(f"k{i}", title=f"Work {i}", issued=str(1900 + i)) for i in range(10)]
    render_essay("[@k1]", refs, style=CHICAGO)
    namesake = _ref("twin", title="Twin", issued="1901")
    before = csl.calls.count
    html = render_essay("[@k1] [@twin]", [*refs, namesake], style=CHICAGO).rendered.body_html
    assert csl.calls.count - before == 2  # the newcomer alone, then the pair with suffixes
    assert "Marsh 1901a" in html and "Marsh 1901b" in html


# --- the bibliography and the problems ---------------------------------------------------------


def test_the_bibliography_lists_the_cited_and_the_uncited_only() -> None:
    cited, uncited, unused = (
        _ref("cited", title="Cited", issued="2001"),
        _ref("listed", title="Listed", issued="2002", uncited=True),
        _ref("unused", title="Unused", issued="2003"),
    )
    essay = render_essay("Text [@cited].", [cited, uncited, unused], style=CHICAGO)
    assert 'id="ref-cited"' in essay.bibliography_html
    assert 'id="ref-listed"' in essay.bibliography_html
    assert 'id="ref-unused"' not in essay.bibliography_html


def test_post_render_reports_unknown_keys_and_unused_references_by_line(author: Any) -> None:
    post = Post(title="T", body="First line.\n\nSecond [@ghost] and\n@cited too.")
    problems = post_render(
        post=post, references=[_ref("cited", issued="2001"), _ref("unused", issued="2002")]
    )
    assert problems == [
        "line 3: unknown citation key @ghost: no reference of this essay has that key",
        "line 1: reference 'unused' is never cited: cite it as [@unused] or mark it uncited "
        "to list it anyway",
    ]
    assert '<span class="citation__unknown">@ghost</span>' in post.body_html
    assert 'id="ref-cited"' in post.bibliography_html


def test_preview_with_unsaved_references_writes_nothing(author: Any) -> None:
    post = PostFactory(body="As [@marsh1998] says.")
    post_render(post=post, references=[_keeper()])
    assert '<a href="#ref-marsh1998">Marsh 1998</a>' in post.body_html
    assert Reference.objects.count() == 0
    assert Post.objects.get(pk=post.pk).bibliography_html == ""


def test_post_save_with_references_stores_citations_and_bibliography(author: Any) -> None:
    post = PostFactory(body="As [@marsh1998, 12] says.")
    fields = {
        "kind": "book",
        "title": "The Keeper's Year",
        "contributors": {"author": [parse_name("Marsh, Edith")]},
        "issued": "1998",
    }
    post_save(post=post, references=[fields])
    stored = Post.objects.get(pk=post.pk)
    assert '<a href="#ref-marsh1998">Marsh 1998, 12</a>' in stored.body_html
    assert '<li id="ref-marsh1998"' in stored.bibliography_html


# --- hostile fields ----------------------------------------------------------------------------

EVIL = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def test_hostile_fields_come_out_inert_in_every_style(author: Any) -> None:
    hostile = Reference(
        key="evil",
        kind="chapter",
        title=EVIL,
        original_title=EVIL,
        container_title=EVIL,
        publisher=EVIL,
        place=EVIL,
        issued=EVIL,
        volume=EVIL,
        issue=EVIL,
        pages=EVIL,
        url="javascript:alert(1)",
        doi=EVIL,
        archive=EVIL,
        archive_location=EVIL,
        note=EVIL,
        accessed=date(2026, 1, 1),
        contributors={
            "author": [{"literal": EVIL}],
            "editor": [{"family": EVIL, "given": EVIL}],
            "translator": [{"family": EVIL}],
        },
    )
    body = f"[{EVIL} @evil, {EVIL}] and @evil [{EVIL}] and [@evil]"
    for style in csl.STYLES:
        CitationSettings.objects.update_or_create(pk=1, defaults={"style": style})
        post = Post(title="T", body=body)
        post_render(post=post, references=[hostile])
        for html in (post.body_html, post.bibliography_html):
            assert "<script" not in html and "<img" not in html
            assert 'href="javascript' not in html
        assert "&lt;script&gt;" in post.bibliography_html


# --- the site setting ------------------------------------------------------------------------


def test_a_new_style_renders_every_post_with_references_again(author: Any) -> None:
    post = PostFactory(body="As [@marsh1998] says.")
    post_save(
        post=post,
        references=[
            {
                "kind": "book",
                "title": "The Keeper's Year",
                "contributors": {"author": [parse_name("Marsh, Edith")]},
                "issued": "1998",
            }
        ],
    )
    assert ">Marsh 1998</a>" in Post.objects.get(pk=post.pk).body_html
    settings = CitationSettings.current()
    settings.style = CitationSettings.Style.APA
    settings_save(settings=settings)
    assert rerender_cited_posts.call() == 1
    stored = Post.objects.get(pk=post.pk)
    assert ">Marsh, 1998</a>" in stored.body_html
    assert "Marsh, E. (1998)" in stored.bibliography_html

"""WordPress's core shortcodes become figures, players and links on import; any other
shortcode is named in the report; hostile values in them never reach a page."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from broadsheet.importers.shortcodes import attributes, convert_shortcodes
from broadsheet.publishing.models import Post
from tests.html_safety import assert_no_script
from tests.importers.test_real_exports import attachment
from tests.importers.test_wordpress import item, run, write, wxr

pytestmark = pytest.mark.django_db

UPLOADS = "https://old.example.org/wp-content/uploads"
# As a classic-editor post holds them, quotes curled by a word processor included.
CLASSIC = f"""The harbour, before the walls.

[caption id=“attachment_5” align=“aligncenter” width=“300″]<a href="{UPLOADS}/full.jpg"><img class="size-medium wp-image-5" src="{UPLOADS}/photo-300x200.jpg" alt="The harbour" width="300" height="200" /></a> The harbour in <em>1881</em>[/caption]

[gallery ids="112,111,199" columns="2"]

[embed]https://www.youtube.com/watch?v=abc123[/embed]

[audio mp3="{UPLOADS}/talk.mp3"][/audio]

[video width="640" height="360" mp4="{UPLOADS}/tour.mp4"][/video]

A form: [contact-form-7 id="5" title="Contact"], a [youtube https://youtu.be/x], [sic], and [[caption]] written as text."""


def gallery_attachments(parent: int) -> str:
    # After the post in the file, as WordPress writes uploads made while editing it.
    return attachment(111, parent, url=f"{UPLOADS}/gallery-1.png").replace(
        "<excerpt:encoded><![CDATA[]]>", "<excerpt:encoded><![CDATA[The east quay]]>"
    ) + attachment(112, parent, url=f"{UPLOADS}/gallery-2.png")


def test_core_shortcodes_become_figures_players_and_links(tmp_path: Path, client: Client) -> None:
    items = item(110, name="walls", content=CLASSIC) + gallery_attachments(110)
    report = run(write(tmp_path, wxr(items)))

    post = Post.objects.get(slug="walls")
    body = post.body_html
    for shortcode in ("[caption id", "[gallery", "[embed", "[audio", "[video", "[/"):
        assert shortcode not in body
    assert (
        f'<figure><a href="{UPLOADS}/full.jpg"><img src="{UPLOADS}/photo-300x200.jpg" '
        'alt="The harbour" width="300" height="200"></a>'
        "<figcaption>The harbour in <em>1881</em></figcaption></figure>"
    ) in body
    # The gallery in the order of its ids, each image linked to its file, captions kept.
    gallery = body[body.index('<figure class="gallery">') :]
    assert gallery.index("gallery-2.png") < gallery.index("gallery-1.png")
    assert "<figcaption>The east quay</figcaption>" in gallery
    assert (
        '<a href="https://www.youtube.com/watch?v=abc123">'
        "https://www.youtube.com/watch?v=abc123</a>"
    ) in body
    assert f'<audio controls="" preload="none" src="{UPLOADS}/talk.mp3"></audio>' in body
    assert f'src="{UPLOADS}/tour.mp4" width="640" height="360"></video>' in body
    assert "[sic]" in body and "[caption] written as text" in body
    assert_no_script(body)

    assert (
        "shortcodes left as text, since a WordPress plugin drew them and nothing here does: "
        "[contact-form-7], [youtube]. Edit the post to replace them."
    ) in report
    assert "[gallery]: attachment(s) 199 are not in the file; left out" in report
    page = client.get(post.get_absolute_url())
    assert page.status_code == 200 and b"<figcaption>The east quay</figcaption>" in page.content


def test_a_gallery_without_ids_shows_the_images_uploaded_to_its_post(tmp_path: Path) -> None:
    block = '<!-- wp:shortcode -->\n[gallery link="none"]\n<!-- /wp:shortcode -->'
    items = item(120, name="quays", content=block) + gallery_attachments(120)
    items += attachment(121, 999, url=f"{UPLOADS}/someone-elses.png")
    run(write(tmp_path, wxr(items)))

    body = Post.objects.get(slug="quays").body_html
    assert body.index("gallery-1.png") < body.index("gallery-2.png")  # WordPress's order
    assert "someone-elses.png" not in body
    assert '<a href="' not in body  # link="none"


HOSTILE = f"""[caption width="300"]<img src="javascript:alert(1)" onerror="alert(2)" alt="x"> <script>alert(3)</script>[/caption]

[caption caption='"><script>alert(4)</script>']<img src="{UPLOADS}/a.jpg" alt='"><svg onload=alert(5)>'>[/caption]

[embed]javascript:alert(6)[/embed]

[audio src="data:audio/mp3;base64,AAAA"][/audio]

[video src="javascript:alert(7)" poster="javascript:alert(8)"][/video]

[video mp4="{UPLOADS}/v.mp4" poster="javascript:alert(9)" width="1 onload=alert(10)"][/video]

[gallery ids="{"1," * 5000}"]"""


def test_hostile_values_in_shortcodes_never_reach_the_page(tmp_path: Path, client: Client) -> None:
    report = run(write(tmp_path, wxr(item(130, name="hostile", content=HOSTILE))))

    post = Post.objects.get(slug="hostile")
    assert_no_script(post.body_html)
    page = client.get(post.get_absolute_url()).content.decode()
    assert "javascript:" not in page and "data:audio" not in page
    for n in range(1, 11):
        assert f"alert({n})" not in page.replace("&lt;script&gt;alert(3)&lt;/script&gt;", "")
    assert "'javascript:alert(6)' is not a web address; left out" in report
    assert "'javascript:alert(7)' is not a web address; left out" in report


def test_attributes_are_read_as_wordpress_reads_them_curly_quotes_too() -> None:
    assert attributes(' id="a" width=\'300\' align=left “caption”=x 0 "pos"') == {
        "id": "a",
        "width": "300",
        "align": "left",
        "0": '"caption"=x',
        "1": "0",
        "2": "pos",
    }
    assert attributes(" width=“300″ caption=“It’s here”") == {
        "width": "300",
        "caption": "It's here",
    }
    assert attributes(" src=&#8220;https://x.example/a.mp3&#8221;") == {
        "src": "https://x.example/a.mp3"
    }


def test_huge_and_unclosed_shortcodes_are_text_and_quick() -> None:
    text = "[caption " + "a=" * 200_000 + " [gallery ids=" + "[" * 100_000
    result = convert_shortcodes(text, attachments={}, post_id="1")
    assert result.blocks == [] or all(len(b) < 1000 for b in result.blocks)


def test_an_embedded_address_stays_one_link_whatever_it_holds() -> None:
    result = convert_shortcodes(
        "[embed]https://video.example/watch?v=1&a=<b>(c)[/embed]", attachments={}, post_id="1"
    )
    assert result.blocks == ["<https://video.example/watch?v=1&a=%3Cb%3E%28c%29>"]


_PIECES = st.sampled_from(
    [
        "[", "]", "[/", "/]", "[[", "]]", "caption", "gallery", "embed", "audio", "video",
        "x", " ", "=", '"', "'", "“", "″", "<img src=", "javascript:alert(1)", "<script>",
        "https://old.example.org/a.jpg", "ids=", "1,2", "src=", "\n\n", "<a href=", ">",
        "onerror=", "mp3=", "poster=",
    ]
)  # fmt: skip


@given(st.lists(_PIECES, max_size=60).map("".join))
@hypothesis_settings(max_examples=300, deadline=None)
def test_any_mix_of_shortcode_pieces_converts_to_harmless_html(text: str) -> None:
    from broadsheet.core.markdown import render_markdown
    from broadsheet.importers.html import wordpress_to_markdown
    from broadsheet.importers.shortcodes import Attachment

    attachments = {"1": Attachment("1", "https://old.example.org/g.png", "9", caption="<b>x")}
    converted = wordpress_to_markdown(text, attachments=attachments, post_id="9")
    assert_no_script(render_markdown(converted.markdown).body_html)


def test_a_block_editor_image_with_a_caption_stays_a_figure(tmp_path: Path) -> None:
    block = (
        '<!-- wp:image {"id":5} --><figure class="wp-block-image size-large"><a href="'
        f'{UPLOADS}/full.jpg"><img src="{UPLOADS}/a.jpg" alt="Quay" class="wp-image-5"/></a>'
        '<figcaption class="wp-element-caption">The <em>old</em> quay</figcaption></figure>'
        "<!-- /wp:image --><!-- wp:paragraph --><p>Text.</p><!-- /wp:paragraph -->"
        f'<!-- wp:image --><figure class="wp-block-image"><img src="{UPLOADS}/b.png" alt=""/>'
        "</figure><!-- /wp:image -->"
    )
    run(write(tmp_path, wxr(item(140, name="quay", content=block))))

    post = Post.objects.get(slug="quay")
    assert (
        f'<figure><a href="{UPLOADS}/full.jpg"><img src="{UPLOADS}/a.jpg" alt="Quay"></a>'
        "<figcaption>The <em>old</em> quay</figcaption></figure>"
    ) in post.body_html
    assert f"![]({UPLOADS}/b.png)" in post.body  # no caption: a Markdown image, as before


@pytest.mark.parametrize(
    "content",
    [
        "<div>" * 20_000 + "Deep <b>words</b>." + "</div>" * 20_000,
        "<figure>" * 20_000 + "<figcaption>Deep words.",
        ("<figure><figcaption>" + "y" * 50) * 3000,
    ],
    ids=["nested-divs", "nested-figures", "unclosed-captions"],
)
def test_html_nested_too_deeply_is_imported_as_its_words_with_a_warning(
    tmp_path: Path, content: str
) -> None:
    excerpt = "<excerpt:encoded><![CDATA[" + "<i>" * 20_000 + "Short.]]></excerpt:encoded>"
    text = wxr(item(150, name="deep", content=content)).replace(
        "<excerpt:encoded><![CDATA[]]></excerpt:encoded>", excerpt
    )
    report = run(write(tmp_path, text))

    post = Post.objects.get(slug="deep")
    assert "its HTML is nested too deeply to convert; imported as plain text" in report
    assert "Deep words." in post.body_html or "yyyy" in post.body_html
    assert post.excerpt == "Short."
    assert_no_script(post.body_html)

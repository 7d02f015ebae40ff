"""A post's language: on its page (lang, dir), in feeds, JSON-LD, the studio, the admin and
WordPress imports; read with the post (no query of its own)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from lxml import etree as ElementTree

from broadsheet.accounts.models import User
from broadsheet.publishing.models import Post
from tests.factories import PostFactory
from tests.importers.test_wordpress import item, run, wxr

pytestmark = pytest.mark.django_db

ARABIC_BODY = (
    "هذه مقالة عن تاريخ الموانئ.[^1]\n\n## المنارات\n\nنص.\n\n## الطقس\n\nالمزيد.\n\n[^1]: ملاحظة."
)


def arabic_essay(**fields: Any) -> Post:
    return PostFactory(title="الموانئ والمنارات", body=ARABIC_BODY, language="ar", **fields)


def test_a_new_post_is_in_the_site_language(settings: Any) -> None:
    assert PostFactory().language == "en"
    settings.LANGUAGE_CODE = "de"
    assert Post(title="x").language == "de"


def test_an_arabic_essay_on_an_english_site_runs_right_to_left_inside_english_chrome(
    client: Client,
) -> None:
    html = client.get(arabic_essay().get_absolute_url()).content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert '<h1 class="entry-title p-name" lang="ar" dir="rtl">الموانئ والمنارات</h1>' in html
    assert '<div class="entry-content e-content" lang="ar" dir="rtl">' in html
    assert '<ol lang="ar" dir="rtl"><li class="toc__level-2">' in html
    notes = html[html.index('id="footnotes-heading"') :]
    assert '<div lang="ar" dir="rtl">' in notes[:300]
    # The chrome around it stays in the site's language and direction.
    assert re.search(r'<header class="site-header"[^>]*>', html).group(0) == (  # type: ignore[union-attr]
        '<header class="site-header" role="banner">'
    )


def test_an_essay_in_the_site_language_carries_no_extra_attributes(client: Client) -> None:
    html = client.get(PostFactory(title="Lamps").get_absolute_url()).content.decode()
    assert '<h1 class="entry-title p-name">Lamps</h1>' in html
    assert ' lang="en"' not in html.split("<html", 1)[1].split(">", 1)[1]


def test_json_ld_names_the_language(client: Client) -> None:
    html = client.get(arabic_essay().get_absolute_url()).content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert block is not None
    data = json.loads(block.group(1))
    article = data if "inLanguage" in data else next(d for d in data["@graph"] if "headline" in d)
    assert article["inLanguage"] == "ar"


def test_feeds_carry_each_item_language(client: Client) -> None:
    arabic_essay()
    PostFactory(title="English essay")
    rss = ElementTree.fromstring(client.get("/feed/").content)
    dc = "{http://purl.org/dc/elements/1.1/}language"
    assert rss.findtext("channel/language") == "en"
    assert sorted(i.findtext(dc) for i in rss.iter("item")) == ["ar", "en"]
    atom = ElementTree.fromstring(client.get("/feed/atom/").content)
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    assert atom.get(xml_lang) == "en"
    entries = atom.findall("{http://www.w3.org/2005/Atom}entry")
    assert sorted(e.get(xml_lang) for e in entries) == ["ar", "en"]
    feed = client.get("/feed/json/").json()
    assert sorted(i["language"] for i in feed["items"]) == ["ar", "en"]


def test_the_post_page_costs_no_query_for_its_language(
    client: Client, django_assert_max_num_queries: Any, settings: Any
) -> None:
    settings.PAGE_CACHE = False
    english, arabic = PostFactory(), arabic_essay()
    client.get(english.get_absolute_url())
    with django_assert_max_num_queries(100) as english_queries:
        client.get(english.get_absolute_url())
    with django_assert_max_num_queries(100) as arabic_queries:
        client.get(arabic.get_absolute_url())
    assert len(arabic_queries) == len(english_queries)


@pytest.fixture
def editor(db: Any) -> User:
    from tests.factories import role_member

    return role_member("Editor", "editor")


def studio_form(**fields: Any) -> dict[str, Any]:
    data = {"title": "Über Häfen", "body": "Ein Absatz.", "status": "draft", "do": "save"}
    return data | fields


def test_the_studio_chooses_a_post_language_among_the_site_languages(editor: User) -> None:
    client = Client()
    client.force_login(editor)
    page = client.get("/studio/posts/new/").content.decode()
    assert (
        'name="language"' in page and '<option value="ar">العربيّة</option>' in page
    )  # named in itself
    client.post("/studio/posts/new/", studio_form(language="de"))
    post = Post.objects.get(title="Über Häfen")
    assert post.language == "de"
    # Left out (an older page), the post keeps its language.
    client.post(f"/studio/posts/{post.pk}/", studio_form(based_on=str(post.revision)))
    post.refresh_from_db()
    assert post.language == "de"


@pytest.mark.parametrize(
    "hostile", ['<script>alert("x")</script>', "de" * 500, "x-\x00", "' OR 1=1 --", "tlh"]
)
def test_the_studio_refuses_a_language_it_does_not_offer(editor: User, hostile: str) -> None:
    client = Client()
    client.force_login(editor)
    response = client.post("/studio/posts/new/", studio_form(language=hostile))
    assert response.status_code in (200, 400)
    assert not Post.objects.filter(title="Über Häfen").exists()
    assert "<script>alert" not in response.content.decode()


def test_an_imported_post_keeps_a_language_the_site_does_not_offer(editor: User) -> None:
    post = PostFactory(language="fa", authors=[editor], status="draft", published_at=None)
    client = Client()
    client.force_login(editor)
    page = client.get(f"/studio/posts/{post.pk}/").content.decode()
    assert '<option value="fa" selected>فارسی</option>' in page


def test_the_admin_edits_the_language_and_refuses_a_malformed_tag(admin_client: Client) -> None:
    post = PostFactory()
    page = admin_client.get(f"/admin/publishing/post/{post.pk}/change/").content.decode()
    assert 'name="language"' in page
    from django.core.exceptions import ValidationError

    post.language = "<b>en</b>"
    with pytest.raises(ValidationError):
        post.full_clean()
    post.language = "zh-Hant-TW"
    post.full_clean(exclude=["authors"])


def test_a_wordpress_export_gives_its_language_to_its_posts(tmp_path: Path) -> None:
    polylang = '<category domain="language" nicename="es"><![CDATA[Español]]></category>'
    wpml = "<wp:postmeta><wp:meta_key>_wpml_language</wp:meta_key><wp:meta_value>ar</wp:meta_value></wp:postmeta>"
    export = wxr(
        item(11, title="Häfen", name="haefen")
        + item(12, title="Puertos", name="puertos", extra=polylang)
        + item(13, title="موانئ", name="mawani", extra=wpml)
    ).replace(
        "<description>d</description>", "<description>d</description><language>de-DE</language>"
    )
    path = tmp_path / "export.xml"
    path.write_text(export, encoding="utf-8")
    run(path)
    languages = dict(Post.objects.values_list("slug", "language"))
    assert languages == {"haefen": "de-DE", "puertos": "es", "mawani": "ar"}


def test_an_export_without_a_language_leaves_the_site_language(tmp_path: Path) -> None:
    path = tmp_path / "export.xml"
    bad = wxr(item(21, name="plain")).replace(
        "<description>d</description>", "<description>d</description><language>&lt;x&gt;</language>"
    )
    path.write_text(bad, encoding="utf-8")
    run(path)
    assert Post.objects.get(slug="plain").language == "en"

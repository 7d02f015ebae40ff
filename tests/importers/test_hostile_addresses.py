"""Every address that arrives by import (profile websites, comment URLs, featured images) goes
through the forms' check: in JSON, WXR, Disqus and Isso files alike, a hostile one is left out
with a line in the report, and nothing but http(s) is stored or shown."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from broadsheet.accounts.models import Profile
from broadsheet.discussion.models import Comment
from broadsheet.publishing.models import Post
from tests.core.test_webaddress import HOSTILE
from tests.importers import test_disqus, test_isso, test_json_format, test_wordpress
from tests.importers.export_site import Site, build_site

pytestmark = pytest.mark.django_db

# What could be shown and is not an address a page may link to or load.
REFUSED = [v for v in HOSTILE if v.strip().lower() not in ("http://", "https://")]


def stored_addresses() -> list[str]:
    return [
        *Comment.objects.values_list("author_url", flat=True),
        *Profile.objects.values_list("website", flat=True),
        *Profile.objects.values_list("remote_avatar_url", flat=True),
        *Post.objects.values_list("featured_image", flat=True),
    ]


def assert_only_web_addresses_stored() -> None:
    for address in stored_addresses():
        assert address == "" or address.lower().startswith(("http://", "https://")), address
        assert "<" not in address and " " not in address and "\t" not in address, address


def cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("\x00", "") + "]]>"


def test_wxr_comment_urls_and_featured_images(tmp_path: Path, client: Client) -> None:
    comments = "".join(
        test_wordpress.comment(500 + n).replace(
            "<wp:comment_author_url>https://ann.example.net/</wp:comment_author_url>",
            f"<wp:comment_author_url>{cdata(value)}</wp:comment_author_url>",
        )
        for n, value in enumerate(REFUSED)
    )
    thumb = (
        "<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key>"
        "<wp:meta_value>95</wp:meta_value></wp:postmeta>"
    )
    attachment = test_wordpress.item(
        95, name="img", post_type="attachment", status="inherit"
    ).replace(
        "<wp:is_sticky>",
        f"<wp:attachment_url>{cdata('javascript:alert(1)//x.jpg')}</wp:attachment_url>"
        "<wp:is_sticky>",
    )
    items = test_wordpress.item(94, name="talk", comments=comments, extra=thumb) + attachment
    report = test_wordpress.run(test_wordpress.write(tmp_path, test_wordpress.wxr(items)))

    post = Post.objects.get(slug="talk")
    assert Comment.objects.filter(post=post).count() == len(REFUSED)
    assert post.featured_image == ""
    assert_only_web_addresses_stored()
    assert report.count("the author's website") == len(REFUSED)
    assert "its file address 'javascript:alert(1)//x.jpg' was left out" in report
    page = client.get(post.get_absolute_url()).content.decode()
    assert "javascript:" not in page and "vbscript:" not in page and "data:text" not in page


def test_isso_websites(tmp_path: Path, posts: dict[str, Post], client: Client) -> None:
    rows = [
        (1, 20 + n, None, test_isso.MARCH_5 + n, None, 1, "192.0.2.1", "Hi.", "Eve", None, value)
        for n, value in enumerate(REFUSED)
    ]
    report = test_isso.run(test_isso.make_isso(tmp_path / "comments.db", comments=rows))

    assert Comment.objects.count() == len(REFUSED)
    assert_only_web_addresses_stored()
    assert report.count("the author's website") == len(REFUSED)
    page = client.get(posts["walls"].get_absolute_url()).content.decode()
    assert "javascript:" not in page


posts = test_isso.posts  # the posts Isso's and Disqus's threads are matched to


def test_disqus_thread_addresses_never_match_or_get_stored(
    tmp_path: Path, posts: dict[str, Post]
) -> None:
    # Each hostile value leads to a real post's path: only a web address may match.
    path_here = "/2012/03/04/harbour-walls/"
    threads = "".join(
        test_disqus.thread(
            str(300 + n), (value + path_here).replace("<", "&lt;").replace("\x00", "")
        )
        for n, value in enumerate(REFUSED)
    )
    comments = "".join(
        test_disqus.post(str(400 + n), str(300 + n), "<p>Hi.</p>") for n in range(len(REFUSED))
    )
    text = test_disqus.HEAD + threads + comments + "</disqus>\n"
    path = tmp_path / "disqus.xml"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    call_command("import", "disqus", str(path), stdout=out, stderr=io.StringIO())

    assert Comment.objects.count() == 0
    assert out.getvalue().startswith("Nothing was imported: none of the")


@pytest.fixture
def site(settings: Any) -> Site:
    settings.SITE_URL = "https://essays.example.org"
    return build_site()


def test_json_profile_websites_comment_urls_and_featured_images(
    site: Site, tmp_path: Path, client: Client
) -> None:
    path = tmp_path / "site.json"
    test_json_format.export(path)
    test_json_format.empty_the_site()
    document = json.loads(path.read_text(encoding="utf-8"))
    profiles = [a["profile"] for a in document["accounts"] if a["profile"]]
    for n, profile in enumerate(profiles):
        profile["website"] = REFUSED[n % len(REFUSED)]
        profile["remote_avatar_url"] = REFUSED[(n + 1) % len(REFUSED)]
    for n, comment in enumerate(document["comments"]):
        comment["author_url"] = REFUSED[(n + 2) % len(REFUSED)]
    for n, post in enumerate(document["posts"]):
        post["featured_image"] = REFUSED[(n + 3) % len(REFUSED)]
    path.write_text(json.dumps(document), encoding="utf-8")

    report = test_json_format.run_import(path)

    assert report.startswith("Imported")
    assert Comment.objects.count() == len(document["comments"])
    assert_only_web_addresses_stored()
    assert not any(stored_addresses())
    assert report.count('"website"') == len(profiles)
    assert report.count('"author_url"') == len(document["comments"])
    assert report.count('"featured_image"') == len(document["posts"])
    essay = Post.objects.get(slug="harbours")
    page = client.get(essay.get_absolute_url()).content.decode()
    assert "javascript:" not in page and "vbscript:" not in page

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from broadsheet.accounts.models import User
from broadsheet.publishing.models import Post
from tests.factories import CategoryFactory, PostFactory, ReferenceFactory, TagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(
        User.objects.create_superuser("boss", "boss@example.org", "correct horse battery")
    )
    return client


def test_every_admin_page_for_authoring_opens(admin_client: Client, author: Any) -> None:
    post = PostFactory(authors=[author], categories=[CategoryFactory()], tags=[TagFactory()])
    reference = ReferenceFactory(post=post)
    for url in [
        "/admin/publishing/post/",
        "/admin/publishing/post/add/",
        f"/admin/publishing/post/{post.pk}/change/",
        "/admin/publishing/category/add/",
        "/admin/publishing/tag/add/",
        "/admin/publishing/postredirect/",
        "/admin/accounts/user/",
        f"/admin/accounts/user/{author.pk}/change/",
        f"/admin/accounts/profile/{author.profile.pk}/change/",
    ]:
        assert admin_client.get(url).status_code == 200, url
    change = admin_client.get(f"/admin/publishing/post/{post.pk}/change/").content.decode()
    assert "Rendered body" in change and '<h2 id="first-section">' in change
    assert "Marsh, Edith" in change  # reference authors edited one per line
    assert reference.title in change


def _post_form(**overrides: Any) -> dict[str, Any]:
    data = {
        "kind": "post",
        "title": "Written in the admin",
        "slug": "written-in-the-admin",
        "excerpt": "",
        "body": "Opening.[^1]\n\n## Part\n\nText.\n\n[^1]: Note.",
        "status": "published",
        "published_at_0": "2026-03-14",
        "published_at_1": "09:30:00",
        "comments_open": "on",
        "menu_order": "0",
        "postauthor_set-TOTAL_FORMS": "0",
        "postauthor_set-INITIAL_FORMS": "0",
        "postauthor_set-MIN_NUM_FORMS": "0",
        "postauthor_set-MAX_NUM_FORMS": "1000",
        "references-TOTAL_FORMS": "1",
        "references-INITIAL_FORMS": "0",
        "references-MIN_NUM_FORMS": "0",
        "references-MAX_NUM_FORMS": "1000",
        "references-0-kind": "book",
        "references-0-position": "0",
        "references-0-key": "",
        "references-0-authors": "Marsh, Edith\nOkafor, Tunde",
        "references-0-editors": "",
        "references-0-translators": "",
        "references-0-title": "The Keeper's Year",
        "references-0-publisher": "Harbour Press",
        "references-0-place": "Bristol",
        "references-0-issued": "1998",
    }
    data.update(overrides)
    return data


def test_a_post_written_in_the_admin_is_rendered_and_credited(admin_client: Client) -> None:
    response = admin_client.post("/admin/publishing/post/add/", _post_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    post = Post.objects.get(slug="written-in-the-admin")
    assert '<li id="fn-1">' in post.footnotes_html
    assert [a.username for a in post.authors.all()] == ["boss"]  # no author chosen: the writer
    reference = post.references.get()
    assert reference.contributors == {
        "author": [{"family": "Marsh", "given": "Edith"}, {"family": "Okafor", "given": "Tunde"}]
    }
    assert reference.html.startswith("Marsh, Edith, and Tunde Okafor. 1998.")


def test_bad_admin_input_is_shown_next_to_the_field_and_kept(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/publishing/post/add/",
        _post_form(title="", **{"references-0-url": "not a url at all"}),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "This field is required." in html
    assert "Enter a valid URL." in html
    assert "Opening.[^1]" in html  # what was typed is still there
    assert not Post.objects.exists()


def test_a_scheduled_post_without_a_date_is_refused_beside_the_date(
    admin_client: Client,
) -> None:
    response = admin_client.post(
        "/admin/publishing/post/add/",
        _post_form(status="scheduled", published_at_0="", published_at_1=""),
    )
    assert response.status_code == 200
    html = response.content.decode()
    row = html.split("field-published_at", 1)[1].split("</div>\n", 3)
    assert "A scheduled post needs the date and time it goes live" in "".join(row[:3])
    assert "Opening.[^1]" in html
    assert not Post.objects.exists()
    response = admin_client.post(
        "/admin/publishing/post/add/", _post_form(status="scheduled", published_at_0="2099-01-01")
    )
    assert response.status_code == 302 and Post.objects.get().status == Post.Status.SCHEDULED


def test_a_new_post_is_the_writers_by_default(admin_client: Client) -> None:
    boss = User.objects.get(username="boss")
    page = admin_client.get("/admin/publishing/post/add/").content.decode()
    chosen = re.search(r'name="postauthor_set-0-author"[^>]*>(.*?)</select>', page, re.S)
    assert chosen and f'<option value="{boss.pk}" selected>' in chosen.group(1)
    # The form as the browser sends it, the author row untouched, is accepted.
    form = _post_form(**{
        "postauthor_set-TOTAL_FORMS": "1", "postauthor_set-MIN_NUM_FORMS": "1",
        "postauthor_set-0-author": str(boss.pk), "postauthor_set-0-position": "0",
    })  # fmt: skip
    response = admin_client.post("/admin/publishing/post/add/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert [a.username for a in Post.objects.get().authors.all()] == ["boss"]


def test_an_account_is_shown_by_its_full_name_else_its_username(client: Client) -> None:
    plain = User.objects.create_user("admin2", "a2@example.org", "pw")
    named = User.objects.create_user(
        "sam", "s@example.org", "pw", first_name="Sam", last_name="Reed"
    )
    PostFactory(title="By the plain one", authors=[plain])
    PostFactory(title="By the named one", authors=[named])
    assert (plain.display_name, named.display_name) == ("admin2", "Sam Reed")
    home = client.get("/").content.decode()
    assert "Sam Reed" in home


def test_the_demo_admin_has_a_name_to_be_shown_by(tmp_path: Any, settings: Any) -> None:
    from django.core.management import call_command

    settings.DATA_DIR = tmp_path
    call_command("demo", verbosity=0)
    assert User.objects.get(username="admin").display_name == "Site Editor"


def test_avatar_upload_accepts_images_and_refuses_other_files(
    admin_client: Client, author: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(buffer, format="PNG")
    png = buffer.getvalue()
    url = f"/admin/accounts/profile/{author.profile.pk}/change/"
    base = {
        "user": author.pk,
        "display_name": "Margaret Hale",
        "bio": "Studies *harbours*.",
        "website": "",
    }
    fake = SimpleUploadedFile("evil.png", b"<script>alert(1)</script>", content_type="image/png")
    refused = admin_client.post(url, {**base, "avatar": fake})
    html = refused.content.decode()
    assert refused.status_code == 200 and "Upload a PNG, JPEG, WebP or GIF image." in html
    ok = admin_client.post(
        url, {**base, "avatar": SimpleUploadedFile("me.png", png, content_type="image/png")}
    )
    assert ok.status_code == 302
    author.profile.refresh_from_db()
    assert author.profile.avatar_url.startswith("/media/avatars/")
    assert author.profile.bio_html == "<p>Studies <em>harbours</em>.</p>\n"


def test_references_added_in_the_admin_are_cited_and_listed(admin_client: Client) -> None:
    form = _post_form(body="As [@marsh1998, 12] showed.")
    response = admin_client.post("/admin/publishing/post/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    post = Post.objects.get(slug="written-in-the-admin")
    assert '<a href="#ref-marsh1998">Marsh and Okafor 1998, 12</a>' in post.body_html
    assert '<li id="ref-marsh1998"' in post.bibliography_html
    change = admin_client.get(f"/admin/publishing/post/{post.pk}/change/").content.decode()
    assert "Marsh and Okafor 1998, 12" in change  # the preview shows the citation


def test_the_citation_style_is_chosen_in_the_admin(admin_client: Client) -> None:
    from broadsheet.publishing.models import CitationSettings

    assert admin_client.get("/admin/publishing/citationsettings/").status_code == 302  # made
    page = admin_client.get("/admin/publishing/citationsettings/1/change/")
    assert page.status_code == 200 and "Chicago" in page.content.decode()
    response = admin_client.post("/admin/publishing/citationsettings/1/change/", {"style": "apa"})
    assert response.status_code == 302
    assert CitationSettings.current().style == "apa"
    refused = admin_client.post(
        "/admin/publishing/citationsettings/1/change/", {"style": "<script>x</script>"}
    )
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()

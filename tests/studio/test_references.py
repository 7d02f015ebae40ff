"""The studio's references page: only who may edit the post; paste (read, then add), type,
edit, delete, mark uncited, reuse from another essay — all as plain forms (JavaScript off)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from broadsheet.publishing.models import Post, Reference, Revision
from tests.factories import PostFactory, ReferenceFactory, role_member

pytestmark = pytest.mark.django_db

BIBTEX = r"""@book{conquest1990,
  author = {Conquest, Robert},
  title = {The Great Terror},
  publisher = {Oxford University Press},
  year = {1990},
  abstract = {Not kept.},
}
@article{gal:2021,
  author = {G{\'a}l, Zsuzsa},
  title = {Authority},
  journal = {Journal of the History of Ideas},
  year = {2021},
}
"""
HOSTILE = "<script>alert(1)</script>"


def _url(post: Post, tail: str = "") -> str:
    return f"/studio/posts/{post.pk}/references/{tail}"


@pytest.fixture
def writer() -> Any:
    return role_member("Author", "writer")


@pytest.fixture
def post(writer: Any) -> Post:
    return PostFactory(title="Lamps and Ledgers", authors=[writer], body="Text [@kept].")


@pytest.fixture
def signed_in(client: Client, writer: Any) -> Client:
    client.force_login(writer)
    return client


def _keys(post: Post) -> list[str]:
    return list(Reference.objects.filter(post=post).values_list("key", flat=True))


# --- who may ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["Author", "Contributor", "Subscriber"])
def test_only_who_may_edit_the_post_gets_its_references(
    client: Client, post: Post, role: str
) -> None:
    client.force_login(role_member(role, "someone"))
    response = client.get(_url(post))
    # Another Author sees the published post (403); a Subscriber is no writer (403);
    # a Contributor may not edit a published post they do not own either.
    assert response.status_code == 403


def test_a_guest_is_sent_to_sign_in(client: Client, post: Post) -> None:
    response = client.get(_url(post))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_editor_edits_anyone_s_references(client: Client, post: Post) -> None:
    client.force_login(role_member("Editor", "editor"))
    assert client.get(_url(post)).status_code == 200


def test_a_forged_post_id_is_not_found_and_another_s_draft_is_not_told(
    signed_in: Client, post: Post
) -> None:
    assert signed_in.get("/studio/posts/999999/references/").status_code == 404
    draft = PostFactory(status=Post.Status.DRAFT, published_at=None)
    response = signed_in.post(_url(draft, "new/"), {"title": "x", "kind": "book"})
    assert response.status_code == 404
    assert not Reference.objects.filter(post=draft).exists()


def test_writes_to_a_post_the_writer_may_not_edit_are_refused(client: Client, post: Post) -> None:
    ReferenceFactory(post=post, key="kept")
    client.force_login(role_member("Author", "other"))
    for tail, data in [
        ("paste/", {"text": BIBTEX, "step": "add"}),
        ("new/", {"title": "x", "kind": "book"}),
        ("@kept/", {"title": "x", "kind": "book"}),
        ("@kept/delete/", {}),
        ("@kept/uncited/", {"uncited": "0"}),
    ]:
        assert client.post(_url(post, tail), data).status_code == 403, tail
    assert _keys(post) == ["kept"]


def test_the_page_is_never_cached(signed_in: Client, post: Post) -> None:
    assert "no-store" in signed_in.get(_url(post))["Cache-Control"]


# --- paste -----------------------------------------------------------------------------


def test_pasted_bibtex_is_read_and_shown_before_anything_is_added(
    signed_in: Client, post: Post
) -> None:
    response = signed_in.post(_url(post, "paste/"), {"text": BIBTEX, "step": "read"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "BibTeX: 2 entries read" in html
    assert (
        "The Great Terror" in html
        and "Not kept (a reference has no place for them): abstract" in html
    )
    assert "The key &#x27;gal:2021&#x27; is kept as &#x27;gal-2021&#x27;" in html
    assert "@book{conquest1990," in html  # the text stays in the box
    assert _keys(post) == []


def test_adding_pasted_references_saves_them_as_a_revision(signed_in: Client, post: Post) -> None:
    revisions = Revision.objects.filter(post=post).count()
    response = signed_in.post(_url(post, "paste/"), {"text": BIBTEX, "step": "add"})
    assert response.status_code == 302
    assert response["Location"] == _url(post) + "#ref-conquest1990"
    assert _keys(post) == ["conquest1990", "gal-2021"]
    gal = Reference.objects.get(post=post, key="gal-2021")
    assert gal.contributors == {"author": [{"family": "Gál", "given": "Zsuzsa"}]}
    assert gal.container_title == "Journal of the History of Ideas"
    assert Revision.objects.filter(post=post).count() == revisions + 1
    page = signed_in.get(response["Location"]).content.decode()
    assert "Added 2 references: @conquest1990, @gal-2021." in page


def test_a_key_the_essay_has_already_gets_a_letter(signed_in: Client, post: Post) -> None:
    ReferenceFactory(post=post, key="conquest1990")
    signed_in.post(_url(post, "paste/"), {"text": BIBTEX, "step": "add"})
    assert _keys(post) == ["conquest1990", "conquest1990b", "gal-2021"]


def test_broken_input_is_reported_beside_the_box_with_the_text_kept(
    signed_in: Client, post: Post
) -> None:
    text = "@book{ok, title = {Fine}}\n@book{broken,\n  title = {Never closed\n"
    response = signed_in.post(_url(post, "paste/"), {"text": text, "step": "add"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Some entries could not be read; nothing was added yet" in html
    assert "line 2: this entry could not be read" in html
    assert 'aria-invalid="true" aria-describedby="paste_problems"' in html
    assert "@book{broken," in html
    assert _keys(post) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Paste references, or choose a file, then read them."),
        ("Conquest, Robert. The Great Terror.", "this is not BibTeX (@book{key, …}), RIS"),
        ('[{"title": ', "this is not valid JSON"),
        ("TY  - BOOK\nAU  - Nobody\nER  - ", "has no title"),
    ],
)
def test_bad_input_gives_a_clear_message_never_a_500(
    signed_in: Client, post: Post, text: str, message: str
) -> None:
    response = signed_in.post(_url(post, "paste/"), {"text": text, "step": "add"})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _keys(post) == []


def test_script_in_pasted_fields_stays_text_on_every_page(signed_in: Client, post: Post) -> None:
    # Cited, so the essay's bibliography lists it (only cited or "uncited" references are).
    Post.objects.filter(pk=post.pk).update(body="Text [@x].")
    text = (
        f"@book{{x, title = {{{HOSTILE}}}, author = {{{HOSTILE}, {HOSTILE}}},"
        f" publisher = {{{HOSTILE}}}, note = {{{HOSTILE}}}, abstract = {{{HOSTILE}}}}}"
    )
    preview = signed_in.post(_url(post, "paste/"), {"text": text, "step": "read"})
    assert HOSTILE not in preview.content.decode()
    signed_in.post(_url(post, "paste/"), {"text": text, "step": "add"})
    (reference,) = Reference.objects.filter(post=post)
    assert reference.title == HOSTILE and reference.note == HOSTILE
    for url in (_url(post), _url(post, "@x/"), post.get_absolute_url()):
        html = signed_in.get(url).content.decode()
        assert HOSTILE not in html and "&lt;script&gt;" in html, url


def test_a_file_is_read_like_pasted_text(signed_in: Client, post: Post) -> None:
    upload = SimpleUploadedFile("refs.bib", BIBTEX.encode(), content_type="application/x-bibtex")
    response = signed_in.post(_url(post, "paste/"), {"file": upload, "step": "read"})
    assert "BibTeX: 2 entries read" in response.content.decode()
    assert "@book{conquest1990," in response.content.decode()  # now in the box for "Add"


def test_a_five_megabyte_file_is_refused_beside_the_field(signed_in: Client, post: Post) -> None:
    entry = "@book{k%d, title = {A title}, author = {Doe, Jane}, year = {1999}}\n"
    text = "".join(entry % n for n in range(80_000))
    assert len(text) > 5_000_000
    upload = SimpleUploadedFile("big.bib", text.encode())
    response = signed_in.post(_url(post, "paste/"), {"file": upload, "step": "add"})
    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(r"This file is 5\.\d MB; at most 512 KB of references are read at once", html)
    assert _keys(post) == []


def test_a_long_paste_is_refused_in_words_with_the_text_kept(signed_in: Client, post: Post) -> None:
    text = "".join(f"@book{{k{n}, title = {{Title {n}}}}}\n" for n in range(20_000))
    response = signed_in.post(_url(post, "paste/"), {"text": text, "step": "add"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "of references are read at once. Split the file" in html
    assert "@book{k19999, title = {Title 19999}}" in html


def test_a_paste_too_big_to_read_is_refused_in_words(
    signed_in: Client, post: Post, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = signed_in.post(_url(post, "paste/"), {"text": "x" * 20_000, "step": "add"})
    assert response.status_code == 413
    assert "This text is too long to paste" in response.content.decode()


def test_the_paste_form_checks_its_csrf_token(post: Post, writer: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(writer)
    response = client.post(_url(post, "paste/"), {"text": BIBTEX, "step": "add"})
    assert response.status_code == 403
    assert _keys(post) == []


# --- typed, edited, deleted, uncited -------------------------------------------------------


def test_a_typed_reference_is_added_with_names_one_per_line(signed_in: Client, post: Post) -> None:
    response = signed_in.post(
        _url(post, "new/"),
        {
            "kind": "book",
            "title": "The Word",
            "authors": "Marsh, Rosalind\nWorld Bank\n",
            "issued": "1998",
            "url": "https://example.org/",
        },
    )
    assert response.status_code == 302
    (reference,) = Reference.objects.filter(post=post)
    assert reference.key == "marsh1998"
    assert reference.contributors == {
        "author": [{"family": "Marsh", "given": "Rosalind"}, {"literal": "World Bank"}]
    }


def test_a_typed_reference_with_errors_is_shown_again_with_them(
    signed_in: Client, post: Post
) -> None:
    ReferenceFactory(post=post, key="taken")
    response = signed_in.post(
        _url(post, "new/"),
        {"kind": "book", "title": "", "key": "taken", "url": "javascript:alert(1)", "note": "Kept"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "This field is required." in html
    assert "Another reference of this essay has the key &#x27;taken&#x27;" in html
    assert "Enter a valid URL." in html
    assert 'aria-describedby="id_url_error"' in html
    assert "Kept</textarea>" in html
    assert _keys(post) == ["taken"]


def test_a_reference_is_edited(signed_in: Client, post: Post) -> None:
    ReferenceFactory(post=post, key="marsh1998", title="Old title")
    form = signed_in.get(_url(post, "@marsh1998/")).content.decode()
    assert 'value="Old title"' in form and "Marsh, Edith</textarea>" in form
    response = signed_in.post(
        _url(post, "@marsh1998/"),
        {"kind": "chapter", "key": "marsh1998", "title": "New title", "authors": "Marsh, Edith"},
    )
    assert response.status_code == 302
    reference = Reference.objects.get(post=post)
    assert (reference.title, reference.kind) == ("New title", "chapter")


def test_an_unknown_key_is_not_found(signed_in: Client, post: Post) -> None:
    assert signed_in.get(_url(post, "@nobody/")).status_code == 404
    assert signed_in.post(_url(post, "@nobody/delete/")).status_code == 404


def test_a_reference_is_deleted(signed_in: Client, post: Post) -> None:
    ReferenceFactory(post=post, key="a")
    ReferenceFactory(post=post, key="b")
    response = signed_in.post(_url(post, "@a/delete/"))
    assert response.status_code == 302 and _keys(post) == ["b"]


def test_a_reference_is_marked_uncited_and_back(signed_in: Client, post: Post) -> None:
    ReferenceFactory(post=post, key="a", uncited=False)
    signed_in.post(_url(post, "@a/uncited/"), {"uncited": "1"})
    assert Reference.objects.get(post=post).uncited is True
    page = signed_in.get(_url(post)).content.decode()
    assert "listed when not cited" in page and "List only when cited" in page
    signed_in.post(_url(post, "@a/uncited/"), {"uncited": "0"})
    assert Reference.objects.get(post=post).uncited is False


# --- reuse ----------------------------------------------------------------------------------


def test_a_reference_from_another_essay_is_found_and_copied(
    signed_in: Client, post: Post, writer: Any
) -> None:
    ReferenceFactory(post=post, key="marsh1998")
    other = PostFactory(title="An earlier essay", authors=[writer])
    source = ReferenceFactory(post=other, key="marsh1998", title="Harbours of the North")
    page = signed_in.get(_url(post) + "?q=harbours north").content.decode()
    assert "Harbours of the North" in page and "An earlier essay" in page
    response = signed_in.post(_url(post, "reuse/"), {"reference": str(source.pk)})
    assert response.status_code == 302
    assert _keys(post) == ["marsh1998", "marsh1998b"]
    copy = Reference.objects.get(post=post, key="marsh1998b")
    assert copy.title == "Harbours of the North" and copy.pk != source.pk
    assert Reference.objects.get(pk=source.pk).post_id == other.pk


def test_references_the_writer_may_not_see_are_not_offered_nor_copied(
    signed_in: Client, post: Post
) -> None:
    hidden = PostFactory(title="Someone's draft", status=Post.Status.DRAFT, published_at=None)
    secret = ReferenceFactory(post=hidden, title="Secret harbours")
    page = signed_in.get(_url(post) + "?q=secret").content.decode()
    assert "Secret harbours" not in page and "No reference in your other essays" in page
    for forged in (str(secret.pk), "999999", "x", ""):
        assert signed_in.post(_url(post, "reuse/"), {"reference": forged}).status_code == 404
    assert _keys(post) == []


def test_the_references_page_lists_each_with_its_actions(signed_in: Client, post: Post) -> None:
    ReferenceFactory(post=post, key="a", title="First")
    ReferenceFactory(post=post, key="b", title="Second")
    html = signed_in.get(_url(post)).content.decode()
    assert re.search(r'id="ref-a".*First.*id="ref-b".*Second', html, re.S)
    assert f'action="{_url(post, "@a/delete/")}"' in html
    assert 'enctype="multipart/form-data"' in html
    assert 'href="/studio/posts/' in html and ">References</a>" in html  # the post's tab

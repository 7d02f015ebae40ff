"""`broadsheet export json` and `broadsheet import json`: everything out, everything back in,
exactly; a second import changes nothing; a bad file changes nothing and says where it is bad."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.core.management import CommandError, call_command

from broadsheet.accounts.models import User
from broadsheet.core.models import SiteSettings
from broadsheet.discussion.models import Comment, DiscussionSettings
from broadsheet.importers.json_export import json_export
from broadsheet.importers.json_format import json_import
from broadsheet.importers.json_stream import JsonStream
from broadsheet.importers.models import ImportedObject
from broadsheet.importers.progress import ImportProblem, ImportReport, Progress
from broadsheet.notifications.models import Subscription
from broadsheet.publishing.models import (
    Category,
    CitationSettings,
    Post,
    PostAuthor,
    PostRedirect,
    Reference,
    Tag,
)
from broadsheet.search.models import SearchDocument
from tests.factories import AuthorFactory, PostFactory
from tests.importers.export_site import Site, build_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(settings: Any) -> Site:
    settings.SITE_URL = "https://essays.example.org"
    return build_site()


def export(path: Path) -> dict[str, Any]:
    out = io.StringIO()
    call_command("export", "json", "--output", str(path), stdout=out, stderr=io.StringIO())
    assert out.getvalue().startswith("Wrote ")
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    document.pop("generated_at")
    return document


def run_import(path: Path, *options: str) -> str:
    out = io.StringIO()
    call_command("import", "json", str(path), *options, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def import_problem(path: Path) -> str:
    with pytest.raises(ImportProblem) as problem:
        json_import(
            path=path,
            dry_run=False,
            progress=Progress(label="test", total=None, stream=io.StringIO()),
            report=ImportReport(),
        )
    return str(problem.value)


def empty_the_site() -> None:
    Comment.objects.filter(parent__isnull=False).delete()
    Comment.objects.all().delete()
    Subscription.objects.all().delete()
    Post.objects.filter(parent__isnull=False).delete()
    Post.objects.all().delete()
    Category.objects.filter(parent__isnull=False).delete()
    Category.objects.all().delete()
    Tag.objects.all().delete()
    EmailAddress.objects.all().delete()
    SocialAccount.objects.all().delete()
    User.objects.all().delete()
    SiteSettings.objects.all().delete()
    CitationSettings.objects.all().delete()
    DiscussionSettings.objects.all().delete()
    ImportedObject.objects.all().delete()
    SearchDocument.objects.all().delete()


def test_the_document_holds_everything_and_no_secrets(site: Site, tmp_path: Path) -> None:
    document = export(tmp_path / "site.json")
    assert document["format"] == "broadsheet-export" and document["version"] == 1
    assert document["site"]["url"] == "https://essays.example.org"
    assert document["settings"]["site"] == {
        "title": "Harbour Essays",
        "tagline": "Long reads on ports & <trade>",
    }
    assert document["settings"]["discussion"]["comment_moderation"] is True
    assert document["settings"]["discussion"]["thread_comments_depth"] == 4

    accounts = {a["username"]: a for a in document["accounts"]}
    hale, reader = accounts["mhale"], accounts["reader"]
    assert hale["roles"] == ["Author"] and hale["first_name"] == "Margaret"
    assert hale["profile"]["display_name"] == "Margaret Hale"
    assert reader["email_addresses"] == [
        {"email": "reader@example.net", "verified": True, "primary": True}
    ]
    assert reader["social_accounts"] == [{"provider": "github", "uid": "4242"}]
    text = (tmp_path / "site.json").read_text(encoding="utf-8")
    assert "pbkdf2" not in text and "password" not in text and '"token"' not in text

    [essay] = [p for p in document["posts"] if p["slug"] == "harbours"]
    assert essay["authors"] == [site.hale.pk, site.thornton.pk]
    assert essay["categories"] == sorted([site.history_modern.pk, site.art_modern.pk])
    assert essay["body"] == site.essay.body and essay["comment_count"] == 4
    assert essay["references"][1]["accessed"] == "2024-04-02"
    assert essay["published_at"] == "2024-05-01T09:30:00+00:00"
    [team] = [p for p in document["posts"] if p["slug"] == "team"]
    assert team["parent"] == site.about.pk and team["kind"] == "page"
    comments = {c["id"]: c for c in document["comments"]}
    pending = comments[site.comments["pending"].pk]
    assert pending["status"] == "pending" and pending["parent"] == site.comments["account"].pk
    assert pending["moderation_reason"] == "First comment from this address."
    guest = comments[site.comments["guest"].pk]
    assert guest["ip_address"] == "203.0.113.7" and guest["user_agent"] == "Mozilla/5.0"
    assert comments[site.comments["spam"].pk]["spam_score"] == 0.97
    assert comments[site.comments["removed"].pk]["removed"] is True
    assert document["post_redirects"] == [
        {
            "old_path": "/2024/04/30/harbours/",
            "post": site.essay.pk,
            "created_at": PostRedirect.objects.get().created_at.isoformat(),
        }
    ]
    assert {s["email"] for s in document["subscriptions"]} == {
        "ann@example.org",
        "reader@example.net",
    }
    # One record per line: a file that reads well in a pager and diffs well.
    assert all(line.startswith(("{", "}", "]", '"')) for line in text.splitlines())


def test_export_empty_the_site_import_export_again_gives_the_same_document(
    site: Site, tmp_path: Path
) -> None:
    first = export(tmp_path / "first.json")
    empty_the_site()
    report = run_import(tmp_path / "first.json")
    assert report.splitlines()[0] == (
        "Imported 3 settings, 8 accounts, 4 categories, 2 tags, 4 posts, 2 pages, "
        "1 redirects, 9 comments, 2 subscriptions."
    )
    second = export(tmp_path / "second.json")
    assert second == first

    essay = Post.objects.get(slug="harbours")
    assert essay.comment_count == 4
    assert essay.body_html and essay.footnotes_html and "Docks" in essay.body_html
    assert [r.key for r in essay.references.all()] == [
        r["key"] for r in first["posts"][0]["references"]
    ]
    # Each imported post's text is its revision 1, "imported"; a public one's version 1.
    [revision] = essay.revisions.all()
    assert (revision.number, revision.origin, revision.version) == (1, "imported", 1)
    assert revision.body == essay.body and len(revision.references) == essay.references.count()
    assert (essay.revision, essay.version, essay.version_at) == (1, 1, essay.published_at)
    for comment in Comment.objects.all():
        top = comment
        while top.parent is not None:
            top = top.parent
        assert comment.thread_id == top.pk
    reader = User.objects.get(username="reader")
    assert not reader.has_usable_password()
    assert SiteSettings.current().title == "Harbour Essays"
    assert SearchDocument.objects.filter(post=essay, comment__isnull=True).exists()
    assert SearchDocument.objects.filter(comment__isnull=False).count() == 5  # approved


def test_a_second_import_changes_nothing_and_says_so(site: Site, tmp_path: Path) -> None:
    export(tmp_path / "site.json")
    empty_the_site()
    run_import(tmp_path / "site.json")
    counts = [m.objects.count() for m in (User, Post, Comment, ImportedObject, Reference)]
    again = run_import(tmp_path / "site.json")
    assert again.startswith("Nothing to change: everything in the file is already here (")
    assert "9 comments" in again and "Warnings" not in again
    assert [m.objects.count() for m in (User, Post, Comment, ImportedObject, Reference)] == counts


def test_into_a_site_with_content_it_adds_beside_it_under_new_ids(
    site: Site, tmp_path: Path
) -> None:
    export(tmp_path / "site.json")
    empty_the_site()
    admin = AuthorFactory(username="mhale")  # the new site's owner happens to share a name
    PostFactory(title="Already here", slug="harbours", authors=[admin])
    report = run_import(tmp_path / "site.json")
    assert "an account named 'mhale' was already here" in report
    assert "the address 'harbours' is taken here; it is now 'harbours-2'" in report
    essay = Post.objects.get(slug="harbours-2")
    # In the byline's order (the links' positions): a plain `authors` query has none.
    byline = [
        link.author for link in PostAuthor.objects.filter(post=essay).order_by("position", "id")
    ]
    assert [author.username for author in byline] == ["mhale", "jthornton"]
    assert byline[0] == admin
    assert essay.comment_count == 4 and essay.comments.count() == 8
    replies = {c.body: c for c in essay.comments.all()}
    assert replies["Held for moderation."].parent == replies["A reply."]
    assert replies["Held for moderation."].thread.body.startswith("First!")
    assert replies["Held for moderation."].depth == 2
    assert Post.objects.get(slug="team").parent == Post.objects.get(slug="about")
    counts = [m.objects.count() for m in (User, Post, Comment, ImportedObject)]
    assert run_import(tmp_path / "site.json").startswith("Nothing to change")
    assert [m.objects.count() for m in (User, Post, Comment, ImportedObject)] == counts


def test_a_dry_run_reports_and_writes_nothing(site: Site, tmp_path: Path) -> None:
    export(tmp_path / "site.json")
    empty_the_site()
    report = run_import(tmp_path / "site.json", "--dry-run")
    assert report.startswith("Would import 3 settings, 8 accounts,")
    assert not Post.objects.exists() and not User.objects.exists()
    assert not ImportedObject.objects.exists()


# Bad files ---------------------------------------------------------------------------------


@pytest.fixture
def good(site: Site, tmp_path: Path) -> str:
    path = tmp_path / "good.json"
    export(path)
    empty_the_site()
    return path.read_text(encoding="utf-8")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    return path


def assert_nothing_written() -> None:
    assert not Post.objects.exists() and not User.objects.exists()
    assert not Comment.objects.exists() and not ImportedObject.objects.exists()


def test_a_file_cut_short_is_refused_whole(good: str, tmp_path: Path) -> None:
    cut = good[: good.index('"comments": [') + 400]
    message = import_problem(write(tmp_path, cut))
    assert "the file ends in the middle of the document: it was cut short" in message
    assert_nothing_written()


def test_broken_json_names_its_line(good: str, tmp_path: Path) -> None:
    lines = good.splitlines()
    number = next(i for i, line in enumerate(lines) if line.startswith('"tags"')) + 2
    lines[number - 1] = lines[number - 1].replace('"slug":', '"slug"', 1)
    message = import_problem(write(tmp_path, "\n".join(lines)))
    assert message.startswith(f"line {number}: the JSON is broken (Expecting ':' delimiter)")
    assert_nothing_written()


def test_a_comment_whose_parent_is_not_in_the_file(good: str, site: Site, tmp_path: Path) -> None:
    document = json.loads(good)
    document["comments"][1]["parent"] = 99
    message = import_problem(write(tmp_path, json.dumps(document)))
    assert message == "comments[1]: parent 99 is not in the file."
    assert_nothing_written()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d.pop("format"),
            'this is not a Broadsheet export: it does not begin with "format"',
        ),
        (
            lambda d: d.update(format="wordpress"),
            '"format" is \'wordpress\', not "broadsheet-export"',
        ),
        (lambda d: d.update(version=2), "the file is in version 2 of the export format, newer"),
        (lambda d: d.pop("comments"), "the file has no 'comments': it is not a complete export"),
        (lambda d: d["posts"][0].pop("title"), 'posts[0]: "title" is missing.'),
        (
            lambda d: d["posts"][0].update(status="live"),
            "posts[0]: \"status\" is 'live', not one of",
        ),
        (lambda d: d["posts"][0].update(authors=[999]), "posts[0]: author 999 is not in the file."),
        (
            lambda d: d["comments"][0].update(created_at="yesterday"),
            "comments[0]: \"created_at\" is 'yesterday', not a date and time",
        ),
        (
            lambda d: d["comments"][0].update(ip_address="999.1.1.1"),
            "comments[0]: \"ip_address\" is '999.1.1.1', not an IP address.",
        ),
        (lambda d: d["accounts"][0].update(username=""), 'accounts[0]: "username" is empty.'),
        (
            lambda d: d["posts"][0]["references"][0].update(contributors="Marsh"),
            'posts[0].references[0]: "contributors" must look like',
        ),
        (lambda d: d.update(tags={}), '"tags" must be a list'),
    ],
)
def test_bad_records_are_named_and_nothing_is_written(
    good: str, tmp_path: Path, change: Any, expected: str
) -> None:
    document = json.loads(good)
    change(document)
    message = import_problem(write(tmp_path, json.dumps(document, indent=1)))
    assert expected in message
    assert_nothing_written()


def test_the_command_answers_a_bad_file_with_a_sentence_not_a_traceback(tmp_path: Path) -> None:
    for content in (b"", b"\xff\xfe garbage", b"[1, 2]", b'{"format": "broadsheet-export"}'):
        path = tmp_path / "bad.json"
        path.write_bytes(content)
        with pytest.raises(CommandError) as error:
            run_import(path)
        assert str(error.value).startswith(f"{path}: ")
        assert str(error.value).endswith((".", ")"))


def test_the_export_is_written_as_a_stream() -> None:
    post = PostFactory()
    Comment.objects.bulk_create(
        Comment(post=post, body="x" * 1000, body_html="<p>x</p>", status="approved")
        for _ in range(300)
    )
    sizes: list[int] = []

    class Recorder(io.StringIO):
        def write(self, text: str) -> int:
            sizes.append(len(text))
            return len(text)

    json_export(output=Recorder())
    assert sum(sizes) > 300_000 and max(sizes) < 5_000


def test_a_reply_before_its_parent_in_the_file_waits_for_it(good: str, tmp_path: Path) -> None:
    document = json.loads(good)
    comments = document["comments"]
    comments.reverse()  # every reply now comes before the comment it answers
    assert "Imported" in run_import(write(tmp_path, json.dumps(document)))
    for comment in Comment.objects.exclude(parent=None):
        assert comment.depth == comment.parent.depth + 1
        assert comment.thread_id == comment.parent.thread_id


def test_a_reply_to_a_comment_on_another_post_is_refused(good: str, tmp_path: Path) -> None:
    document = json.loads(good)
    on_page = next(c for c in document["comments"] if c["body"] == "Nice page.")
    on_page["parent"] = document["comments"][0]["id"]
    message = import_problem(write(tmp_path, json.dumps(document)))
    assert message.endswith(
        f"its parent {document['comments'][0]['id']} is a comment on another post."
    )
    assert_nothing_written()


def test_the_reader_holds_one_record_at_a_time_across_pieces_of_the_file() -> None:
    records = [
        {"n": n, "text": "é" * (n % 7) * 300, "big": 12345678901234567890} for n in range(3000)
    ]
    text = json.dumps({"format": "x", "items": records, "last": 1.5e300})
    stream = JsonStream(io.BytesIO(text.encode()))
    seen, biggest = [], 0
    for key, is_array in stream.members():
        if is_array:
            for element in stream.elements():
                seen.append(element)
                biggest = max(biggest, len(stream.buffer))
        else:
            seen.append((key, stream.value()))
    assert seen == [("format", "x"), *records, ("last", 1.5e300)]
    assert len(text) > 4_000_000 and biggest < 300_000


def test_an_export_into_a_missing_folder_is_a_sentence(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"the folder .* does not exist"):
        call_command("export", "json", "--output", str(tmp_path / "nowhere" / "site.json"))
    assert not (tmp_path / "nowhere").exists()


def test_an_address_already_used_here_is_left_out_with_a_warning(good: str, tmp_path: Path) -> None:
    other = User.objects.create_user(username="someone-else")
    EmailAddress.objects.create(user=other, email="reader@example.net", verified=True)
    report = run_import(write(tmp_path, good))
    assert "reader@example.net belongs to another account here; left out" in report
    assert EmailAddress.objects.get(email="reader@example.net").user == other


def test_references_from_an_export_made_before_citations_stay_listed(
    site: Site, tmp_path: Path
) -> None:
    document = export(tmp_path / "site.json")
    for post in document["posts"]:
        for reference in post["references"]:
            del reference["uncited"]  # as files written before citations were
    old = tmp_path / "old.json"
    old.write_text(json.dumps(document), encoding="utf-8")
    empty_the_site()
    run_import(old)
    essay = Post.objects.get(slug="harbours")
    assert all(r.uncited for r in essay.references.all())
    assert essay.bibliography_html.count('<li id="ref-') == 2
    assert "A History of Harbours" in essay.bibliography_html

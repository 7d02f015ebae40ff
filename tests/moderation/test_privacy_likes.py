"""An account's likes and reports in its personal-data export, and what erasure does with them:
the counts stay, who gave them goes (moderation.privacy)."""

from __future__ import annotations

from typing import Any

import pytest

from broadsheet.accounts.privacy import personal_data, personal_data_erase
from broadsheet.discussion.likes import comment_like
from broadsheet.discussion.models import CommentLike
from broadsheet.discussion.readers import Reader
from broadsheet.moderation.models import Report
from broadsheet.moderation.reports import comment_report
from broadsheet.publishing.models import Post
from tests.factories import PostFactory, approved_comment, verified_reader

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(author: Any) -> Post:
    return PostFactory(title="Lamps and Ledgers", authors=[author])


def test_an_accounts_likes_and_reports_are_exported_and_erased_keeping_the_counts(
    post: Post,
) -> None:
    nora, other = verified_reader("nora"), verified_reader("otto")
    liked, reported = approved_comment(post, body="Good."), approved_comment(post, body="Rude.")
    comment_like(comment_id=liked.pk, reader=Reader(key=f"u:{nora.pk}", address=""))
    comment_like(comment_id=liked.pk, reader=Reader(key=f"u:{other.pk}", address=""))
    comment_report(
        comment=reported, reader=Reader(key=f"u:{nora.pk}", address=""), reason="abuse",
        text="Nora's words about it",
    )  # fmt: skip
    rows = personal_data(email=nora.email, user=nora)["likes_and_reports"]
    assert [row["kind"] for row in rows] == ["comment like", "report"]
    assert rows[0]["comment"].endswith(f"#comment-{liked.pk}")
    assert rows[1]["reason"] == "abuse" and rows[1]["text"] == "Nora's words about it"
    assert personal_data(email=nora.email, user=None)["likes_and_reports"] == []  # a guest

    counts = personal_data_erase(email=nora.email, user=nora, remove_text=False)
    assert counts["likes_and_reports_anonymised"] == 2
    liked.refresh_from_db()
    assert liked.like_count == 2 and CommentLike.objects.filter(comment=liked).count() == 2
    assert not CommentLike.objects.filter(reader=f"u:{nora.pk}").exists()
    assert CommentLike.objects.filter(reader=f"u:{other.pk}").count() == 1  # others' stay
    report = Report.objects.get(comment=reported)
    assert report.reader.startswith("x:") and report.text == "" and report.reason == "abuse"
    assert not Report.objects.filter(reader=f"u:{nora.pk}").exists()

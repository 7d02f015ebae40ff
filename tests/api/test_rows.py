"""The thread's list reads its comments as columns (api.selectors.rows), a written comment from
its model (row_of): the two agree, field for field, for every kind of writer."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from broadsheet.api import selectors
from broadsheet.discussion.models import Comment, DiscussionSettings
from broadsheet.publishing.models import Post
from tests.factories import approved_comment


def test_the_columns_read_match_the_models(essay: Post, reader: Any) -> None:
    guest = approved_comment(essay, name="Gwen <b>Guest</b>", author_url="https://g.example/")
    mine = approved_comment(essay, name="x", user=reader, author_email="")
    reader.profile.display_name = "Rea Der"
    reader.profile.remote_avatar_url = "https://pics.example/rea.png"
    reader.profile.save()
    other = type(reader).objects.create_user("oth", "oth@example.net", "a long pass phrase 42")
    other.profile.avatar = SimpleUploadedFile("a.png", b"not read here")
    other.profile.save()
    pictured = approved_comment(essay, name="y", user=other, author_email="")
    gone = approved_comment(essay, name="Del")
    Comment.objects.filter(pk=gone.pk).update(removed=True)
    held = approved_comment(essay, name="Held", status="pending")
    ids = [c.pk for c in (guest, mine, pictured, gone, held)]
    read = selectors.rows(ids)
    loaded = Comment.objects.select_related("user__profile").in_bulk(ids)
    for use_gravatar in (False, True):
        settings = DiscussionSettings.current()
        settings.use_gravatar = use_gravatar
        for pk in ids:
            assert read[pk] == selectors.row_of(loaded[pk]), pk
            assert selectors.row_data(read[pk], settings) == selectors.comment_data(
                loaded[pk], settings
            )
    data = selectors.row_data(read[mine.pk], DiscussionSettings.current())
    assert data["author"] == {
        "name": "Rea Der",
        "url": "",
        "avatar": "https://pics.example/rea.png",
    }
    assert selectors.row_data(read[gone.pk], DiscussionSettings.current())["status"] == "removed"
    pictured_avatar = selectors.row_data(read[pictured.pk], DiscussionSettings.current())
    assert pictured_avatar["author"]["avatar"].endswith(".png")


def test_the_thread_written_directly_is_what_the_document_says(
    client: Any, essay: Post, reader: Any
) -> None:
    from broadsheet.api import schemas

    first = approved_comment(essay, name="Ünïcode “quotes” <script>", body="Ça va?")
    approved_comment(essay, parent=first, name="z", user=reader, author_email="")
    response = client.get(f"/api/v1/threads/{essay.pk}/comments")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    page = schemas.CommentPage.model_validate_json(response.content)
    assert [c.author.name for c in page.comments] == ["Ünïcode “quotes” <script>", "rea"]
    assert page.model_dump(mode="json") == response.json()  # nothing beyond the schema

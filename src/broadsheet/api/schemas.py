"""The shapes of the API's requests and answers: the OpenAPI document is built from these."""

from __future__ import annotations

from typing import Annotated, Literal

from ninja import Field, Schema

# Ids as the database keeps them (a larger number is no one's id, not a failure).
MAX_ID = 2**31 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Page = Annotated[int, Field(ge=1, le=MAX_ID)]


class ErrorBody(Schema):
    code: str = Field(description="Stable: scripts may branch on it.", examples=["not_found"])
    message: str = Field(description="A sentence for a person.")
    fields: dict[str, str] | None = Field(None, description="Each refused field's sentence.")


class Error(Schema):
    error: ErrorBody


class Thread(Schema):
    id: int
    url: str = Field(description="The page the thread belongs to (elsewhere, or on this site).")
    title: str
    comments_open: bool
    comment_count: int = Field(description="Approved comments.")
    page_url: str = Field(description="The thread's page on this site.")
    notify_offered: bool = Field(
        description="Whether a comment may ask to be emailed follow-ups (notify_comments) and "
        "new posts (notify_posts), as the site's form offers."
    )


class Author(Schema):
    name: str
    url: str
    avatar: str


class Comment(Schema):
    id: int
    parent: int | None
    depth: int
    author: Author
    html: str = Field(description="Sanitized HTML, rendered from the comment's Markdown.")
    created: str = Field(description="ISO 8601.")
    status: str = Field(description="approved, pending, spam, trash, or removed.")
    kind: str
    edit_until: str | None = Field(description="Until when its writer may edit or delete it.")


class CreatedComment(Comment):
    edit_key: str | None = Field(
        None, description="A guest's secret for X-Edit-Key: editing or deleting in the window."
    )
    page_url: str = Field(description="The comment's address on this site.")
    subscriptions: list[Literal["comments", "posts"]] = Field(
        [],
        description="What the writer asked to be emailed: each waits for the link emailed "
        "to their address to be followed.",
    )


class CommentPage(Schema):
    thread: Thread
    count: int
    page: int
    pages: int
    comments: list[Comment]


class CommentIn(Schema):
    thread: Id | None = Field(None, description="The thread's id; or give url and title.")
    url: str | None = Field(None, max_length=2000, description="The page's address.")
    title: str = Field("", max_length=1000, description="The page's title (a new thread's).")
    parent: Id | None = Field(None, description="The comment replied to.")
    body: str = Field(max_length=70_000, description="Markdown.")
    name: str = Field("", max_length=1000, description="A guest's name.")
    email: str = Field("", max_length=1000, description="A guest's email (never shown).")
    website: str = Field("", max_length=1000)
    notify_comments: bool = Field(
        False, description="Email me follow-up comments (confirmed by an emailed link)."
    )
    notify_posts: bool = Field(False, description="Email me new posts (confirmed likewise).")


class CommentEdit(Schema):
    body: str = Field(max_length=70_000)


class Preview(Schema):
    body: str = Field(max_length=70_000)


class PreviewOut(Schema):
    html: str


class CountsQuery(Schema):
    url: list[str] = Field([], max_length=100, description="Pages' addresses (repeat url=).")
    post: list[Id] = Field([], max_length=100, description="Posts' ids (repeat post=).")


class Counts(Schema):
    counts: dict[str, int]


class Moderation(Schema):
    action: Literal["approve", "hold", "spam", "trash"]


class PostSummary(Schema):
    id: int
    title: str
    url: str
    published: str | None
    excerpt_html: str
    comment_count: int
    language: str = Field(description="The post's language: a BCP 47 tag such as en, de or ar.")


class PostDetail(PostSummary):
    html: str
    authors: list[str]
    comments_open: bool


class PostList(Schema):
    page: int
    pages: int
    posts: list[PostSummary]


class Reference(Schema):
    key: str
    kind: str
    title: str
    csl: dict[str, object] = Field(description="CSL-JSON item.")


class References(Schema):
    references: list[Reference]

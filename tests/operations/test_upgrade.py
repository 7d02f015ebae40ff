"""Upgrading: a database at the oldest schema (the first migration of each of the first apps:
core, accounts, publishing, discussion, moderation, notifications) holding real data, checked
by `broadsheet upgrade-check`, migrated to the newest and read back through today's code."""

from __future__ import annotations

from pathlib import Path

from tests.processes import broadsheet, broadsheet_env

OLDEST_APPS = ("core", "accounts", "publishing", "discussion", "moderation", "notifications")

BUILD = """
from datetime import timedelta
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

executor = MigrationExecutor(connection)
graph = executor.loader.graph
targets = [min(node for node in graph.nodes if node[0] == app) for app in %(apps)r]
executor.migrate(targets)
old = executor.loader.project_state(targets).apps
User, Post = old.get_model("accounts", "User"), old.get_model("publishing", "Post")
PostAuthor, Category = old.get_model("publishing", "PostAuthor"), old.get_model("publishing", "Category")
Comment = old.get_model("discussion", "Comment")
now = timezone.now() - timedelta(days=3)
writer = User.objects.create(username="mhale", email="m@example.org", password="!", is_staff=True)
category = Category.objects.create(name="Essays", slug="essays", path="essays")
post = Post.objects.create(
    kind="post", title="The Ledger & the Lamp", slug="the-ledger-and-the-lamp",
    body="An opening paragraph with *emphasis*.\\n\\n## A section\\n\\nMore words.",
    status="published", published_at=now, modified_at=now, created_at=now,
)
post.categories.add(category)
PostAuthor.objects.create(post=post, author=writer, position=0)
first = Comment.objects.create(post=post, author_name="Ann <b>", author_email="ann@example.org",
    body="First, with <script>alert(1)</script>", body_html="<p>First</p>", status="approved",
    created_at=now, ip_address="192.0.2.1")
Comment.objects.filter(pk=first.pk).update(thread=first)
reply = Comment.objects.create(post=post, parent=first, thread=first, depth=1, author_name="Bo",
    author_email="bo@example.org", body="A reply.", body_html="<p>A reply.</p>", status="approved",
    created_at=now + timedelta(minutes=5))
Comment.objects.create(post=post, author_name="Cy", author_email="cy@example.org",
    body="Held.", body_html="<p>Held.</p>", status="pending", created_at=now)
# Settings → Discussion, changed by the writer, in the app that held them then (moderation),
# and an account allowed to change them: the row and the permission outlive the move.
old.get_model("moderation", "DiscussionSettings").objects.create(
    pk=1, thread_comments_depth=3, moderation_keys="casino")
ContentType = old.get_model("contenttypes", "ContentType")
Permission = old.get_model("auth", "Permission")
named = {"name": "discussion settings"} if "name" in {f.name for f in ContentType._meta.fields} else {}
kind = ContentType.objects.create(app_label="moderation", model="discussionsettings", **named)
allowed = Permission.objects.create(content_type=kind, codename="change_discussionsettings",
    name="Can change discussion settings")
editor = User.objects.create(username="ed", email="ed@example.org", password="!", is_staff=True)
editor.user_permissions.add(allowed)
print("built", len(executor.loader.applied_migrations), "of", len(graph.nodes))
"""

CHECK = """
from django.test import Client
from broadsheet.discussion.models import Comment
from broadsheet.publishing.models import Post
post = Post.objects.get(slug="the-ledger-and-the-lamp")
assert post.title == "The Ledger & the Lamp" and [u.username for u in post.authors.all()] == ["mhale"]
assert [c.slug for c in post.categories.all()] == ["essays"]
comments = list(Comment.objects.filter(post=post).order_by("created_at", "pk"))
assert [c.author_name for c in comments] == ["Ann <b>", "Cy", "Bo"], comments
reply = Comment.objects.get(author_name="Bo")
assert reply.parent.author_name == "Ann <b>" and reply.thread_id == reply.parent_id
assert str(comments[0].ip_address) == "192.0.2.1"
response = Client(HTTP_HOST="127.0.0.1").get(post.get_absolute_url())
page = response.content.decode()
assert response.status_code == 200, response.status_code
assert "A reply." in page and "<script>alert(1)</script>" not in page
from broadsheet.accounts.models import User
from broadsheet.discussion.models import DiscussionSettings
settings = DiscussionSettings.current()
assert (settings.thread_comments_depth, settings.moderation_keys) == (3, "casino")
assert User.objects.get(username="ed").has_perm("discussion.change_discussionsettings")
print("survived")
"""


def test_the_oldest_schema_with_data_migrates_to_the_newest(
    tmp_path: Path, subprocess_database_url: str
) -> None:
    env = broadsheet_env(tmp_path, subprocess_database_url)
    built = broadsheet(env, "shell", "-c", BUILD % {"apps": OLDEST_APPS})
    assert "built" in built.stdout
    check = broadsheet(env, "upgrade-check").stdout
    assert "migration(s) pending" in check
    assert "discussion.0002_comment_card" in check and "publishing.0012_post_thread_kind" in check
    assert "None touches a large table." in check  # three comments are not a large table
    # The documented sequence (docs/deployment.md): backup, migrate, collect static files.
    broadsheet(env, "backup")
    broadsheet(env, "migrate", "--noinput")
    broadsheet(env, "collectstatic", "--noinput", "--verbosity", "0")
    assert "No migrations pending" in broadsheet(env, "upgrade-check").stdout
    assert "survived" in broadsheet(env, "shell", "-c", CHECK).stdout

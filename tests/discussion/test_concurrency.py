"""The approved count in the post row stays right when several processes write at once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.processes import broadsheet, broadsheet_env

WORKER = """
import django, os
django.setup()
from broadsheet.discussion.models import Comment
from broadsheet.discussion.services import Commenter, CommentRejected, comment_submit
from broadsheet.moderation.services import comment_approve, comment_trash, comment_unapprove
from broadsheet.publishing.models import Post

worker = int(os.environ["WORKER"])
post = Post.objects.get(slug="the-ledger-and-the-lamp")
for i in range(15):
    comment_submit(
        post=post, commenter=Commenter(name=f"W{worker} {i}", email=f"w{worker}-{i}@example.org"),
        body=f"Worker {worker}, comment {i}.", ip_address=f"192.0.2.{worker * 20 + i + 1}", seconds_on_page=60,
    )
# Every worker moderates the same comments at the same time: each change must count once.
for comment in Comment.objects.filter(post=post).order_by("id")[:12]:
    comment_approve(comment=comment)
    comment_unapprove(comment=comment)
    comment_approve(comment=comment)
for comment in Comment.objects.filter(post=post).order_by("id")[12:18]:
    comment_trash(comment=comment)
print("ok")
"""


def test_concurrent_comments_and_moderation_keep_the_count_right(
    tmp_path: Path, subprocess_database_url: str
) -> None:
    env = broadsheet_env(tmp_path, subprocess_database_url)
    broadsheet(env, "migrate", "--noinput")
    broadsheet(env, "flush", "--noinput")
    broadsheet(env, "demo")
    setup = "from broadsheet.moderation.models import DiscussionSettings as D; s = D.current(); s.comment_previously_approved = False; s.save()"
    subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {setup}"],
        env=env,
        check=True,
        capture_output=True,
    )

    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER],
            env={**env, "WORKER": str(n)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(4)
    ]
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
        assert out.strip() == "ok"

    check = (
        "from broadsheet.publishing.models import Post; p = Post.objects.get(slug='the-ledger-and-the-lamp'); "
        "print(p.comment_count, p.comments.filter(status='approved', removed=False).count(), p.comments.count())"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {check}"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    stored_count, approved, total = map(int, result.stdout.split())
    assert total == 31 + 4 * 15
    assert stored_count == approved

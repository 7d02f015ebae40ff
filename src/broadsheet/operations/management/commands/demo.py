from __future__ import annotations

import secrets
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from broadsheet.accounts.services import profile_update
from broadsheet.core.models import SiteSettings
from broadsheet.core.services import settings_save
from broadsheet.discussion.models import Comment
from broadsheet.discussion.services import comment_create_stored
from broadsheet.publishing.markdown_files import PublishError, publish_markdown_file
from broadsheet.publishing.models import Category, Post

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"


class Command(BaseCommand):
    help = "Load the demo site: two authors, an essay with footnotes and references, more posts and a page."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the site already has posts."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Post.objects.exists():
            self.stdout.write("The site already has content; the demo was not loaded.")
            return
        password = self._admin()
        with transaction.atomic():
            self._authors()
            self._categories()
            for path in sorted(DEMO_DIR.glob("*.md")):
                try:
                    result = publish_markdown_file(
                        text=path.read_text(encoding="utf-8"), filename=path.name
                    )
                except PublishError as exc:
                    raise CommandError(str(exc)) from None
                if options["verbosity"] > 0:
                    self.stdout.write(
                        f"{result.outcome.capitalize()}: {result.post.title} → {result.post.get_absolute_url()}"
                    )
            self._comments()
        if password:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Admin account created: user 'admin', password '{password}' (also kept in {self._password_file()})."
                )
            )

    def _password_file(self) -> Path:
        return Path(settings.DATA_DIR) / "admin-password.txt"

    def _admin(self) -> str | None:
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            return None
        password = secrets.token_urlsafe(12)
        # A name to be shown by: posts written as the admin say "by Site Editor", not "by admin".
        User.objects.create_superuser(
            "admin", "admin@example.org", password, first_name="Site", last_name="Editor"
        )
        path = self._password_file()
        path.write_text(password + "\n", encoding="utf-8")
        path.chmod(0o600)
        return password

    def _authors(self) -> None:
        User = get_user_model()
        for entry in yaml.safe_load((DEMO_DIR / "authors.yaml").read_text(encoding="utf-8")):
            user, created = User.objects.get_or_create(
                username=entry["username"],
                defaults={"email": entry.get("email", ""), "is_staff": True},
            )
            if created:
                user.set_unusable_password()
                user.save()
            profile = user.profile
            profile.display_name = entry.get("display_name", "")
            profile.bio = entry.get("bio", "")
            profile.website = entry.get("website", "")
            profile_update(profile=profile)

    def _comments(self) -> None:
        path = DEMO_DIR / "comments.yaml"
        if not path.exists():
            return
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        post = Post.objects.get(kind=Post.Kind.POST, slug=data["post"])
        if post.comments.exists():
            return
        User = get_user_model()

        def store(entries: list[dict[str, Any]], parent: Comment | None) -> None:
            for entry in entries:
                comment = comment_create_stored(
                    post=post,
                    parent=parent,
                    body=entry["body"],
                    status=entry.get("status", Comment.Status.APPROVED),
                    created_at=timezone.make_aware(datetime.fromisoformat(str(entry["date"]))),
                    user=User.objects.get(username=entry["user"]) if entry.get("user") else None,
                    author_name=entry.get("author", ""),
                    author_email=entry.get("email", ""),
                    author_url=entry.get("url", ""),
                    ip_address="192.0.2.10",
                )
                store(entry.get("replies") or [], comment)

        store(data["comments"], None)

    def _categories(self) -> None:
        site = yaml.safe_load((DEMO_DIR / "site.yaml").read_text(encoding="utf-8")) or {}
        settings_save(
            settings=SiteSettings(title=site.get("title", ""), tagline=site.get("tagline", ""))
        )
        for entry in site.get("categories", []):
            path, description = (
                (entry, "")
                if isinstance(entry, str)
                else (entry["path"], entry.get("description", ""))
            )
            parent = None
            names = [p.strip() for p in path.split("/") if p.strip()]
            for depth, name in enumerate(names):
                category, _ = Category.objects.get_or_create(
                    parent=parent, slug=slugify(name), defaults={"name": name}
                )
                if depth == len(names) - 1 and description and not category.description:
                    category.description = description
                    category.save(update_fields=["description"])
                parent = category

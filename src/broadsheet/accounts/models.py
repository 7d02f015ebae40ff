from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from broadsheet.core.identicon import identicon_key
from broadsheet.core.markdown import render_inline_markdown


class User(AbstractUser):
    """The site's account. Kept as our own model from the start so it can grow without pain."""

    @property
    def display_name(self) -> str:
        profile = getattr(self, "profile", None)
        return self.name_from(
            profile.display_name if profile is not None else "",
            self.first_name,
            self.last_name,
            self.username,
        )

    @staticmethod
    def name_from(display_name: str | None, first: str, last: str, username: str) -> str:
        """The name shown for an account: chosen in its profile, else its full name, else its
        username (for readers that fetched those columns without the model)."""
        return str(display_name or "") or f"{first} {last}".strip() or username


def _avatar_path(instance: Profile, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "img"
    return f"avatars/{instance.user_id}.{extension}"


def _header_path(instance: Profile, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "img"
    return f"headers/{instance.user_id}.{extension}"


class Profile(models.Model):
    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="profile", verbose_name=_("user")
    )
    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    bio = models.TextField(
        _("bio"),
        blank=True,
        help_text=_("A short paragraph shown under your essays. Markdown links and emphasis work."),
    )
    bio_html = models.TextField(blank=True, editable=False)
    website = models.URLField(_("website"), blank=True)
    avatar = models.ImageField(_("photo"), upload_to=_avatar_path, blank=True)
    # The photo of the social account the person last signed in with, used when none is uploaded.
    remote_avatar_url = models.URLField(max_length=500, blank=True, editable=False)
    # The wide picture fediverse profiles show above the photo (the actor's `image`).
    header = models.ImageField(_("header image"), upload_to=_header_path, blank=True)
    # The interface's and emails' language for this account; blank: the site's (decision 0118).
    language = models.CharField(
        _("language"),
        max_length=16,
        blank=True,
        help_text=_("The language of the site's pages and emails for you."),
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return self.display_name or self.user.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.bio_html = render_inline_markdown(self.bio)
        super().save(*args, **kwargs)

    @property
    def avatar_url(self) -> str:
        if self.avatar:
            return str(self.avatar.url)
        if self.remote_avatar_url:
            return str(self.remote_avatar_url)
        return reverse(
            "core:identicon", args=[identicon_key(self.user.email or f"user:{self.user_id}")]
        )


class AccessToken(models.Model):
    """A personal access token for the API (`Authorization: Bearer bs_…`): only the SHA-256
    of its secret is kept; the secret is shown once, when it is made (accounts.tokens)."""

    class Scope(models.TextChoices):
        READ = "read", pgettext_lazy("what a token may do", "Read")
        COMMENT = "comment", _("Comment (write, edit and delete your own comments)")
        MODERATE = "moderate", _("Moderate (approve, hold, spam, trash)")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="access_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    # The secret's first characters, shown in the list so its owner can tell tokens apart.
    prefix = models.CharField(_("starts with"), max_length=16)
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    scopes = models.JSONField(_("may"), default=list)
    created_at = models.DateTimeField(_("made"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("access token")
        verbose_name_plural = _("access tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def allows(self, scope: str) -> bool:
        return self.revoked_at is None and scope in self.scopes

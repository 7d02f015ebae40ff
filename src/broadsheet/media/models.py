"""The media library: images uploaded by writers, cleaned on the way in, with the responsive
variants the worker writes for them (broadsheet.media.images, .tasks)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

FOLDER = "library"


class MediaItem(models.Model):
    file = models.FileField(max_length=300, upload_to=FOLDER, unique=True)
    original_name = models.CharField(
        max_length=120, help_text=_("The uploaded file's name, made safe.")
    )
    mime_type = models.CharField(
        max_length=40, help_text=_("From the decoded image, never the name.")
    )
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveBigIntegerField(default=0, help_text=_("Bytes stored."))
    animated = models.BooleanField(default=False)
    alt_text = models.CharField(max_length=1000, blank=True)
    caption = models.CharField(max_length=1000, blank=True)
    credit = models.CharField(max_length=300, blank=True)
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # {"<width>": {"image/webp": "<storage name>", "<mime type>": "<storage name>"}}, narrower
    # than the original only; {} until the worker has written them (or for an animation).
    variants = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("image")

    def __str__(self) -> str:
        return self.original_name

    @property
    def url(self) -> str:
        return default_storage.url(self.file.name)

    @property
    def absolute_url(self) -> str:
        """The address as feeds, emails, exports and the Markdown carry it (S3's is already)."""
        url = self.url
        return settings.SITE_URL.rstrip("/") + url if url.startswith("/") else url

    @property
    def insertable(self) -> bool:
        """Alt text is required before an image goes into a post (issue 15)."""
        return bool(self.alt_text.strip())

    def srcset(self, mime_type: str) -> str:
        """`url 480w, …, url <width>w` in `mime_type`, the original last (at its own width)."""
        parts = [
            f"{default_storage.url(names[mime_type])} {width}w"
            for width, names in sorted(self.variants.items(), key=lambda kv: int(kv[0]))
            if mime_type in names
        ]
        if mime_type == self.mime_type and parts:
            parts.append(f"{self.url} {self.width}w")
        return ", ".join(parts)

    @property
    def thumbnail_url(self) -> str:
        """The narrowest variant (WebP), for the library's grid; the file until there is one."""
        if not self.variants:
            return self.url
        narrowest = self.variants[min(self.variants, key=int)]
        return default_storage.url(narrowest.get("image/webp") or next(iter(narrowest.values())))

    def variant_names(self) -> list[str]:
        return [name for names in self.variants.values() for name in names.values()]

    def markdown(self) -> str:
        """What the studio's picker offers to paste: the image on its own line (a figure)."""
        alt = _markdown_text(self.alt_text)
        caption = self.caption.replace("\\", "\\\\").replace('"', '\\"')
        title = f' "{" ".join(caption.split())}"' if caption.strip() else ""
        return f"![{alt}]({self.absolute_url}{title})"

    def as_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "name": self.original_name,
            "mime_type": self.mime_type,
            "width": self.width,
            "height": self.height,
            "alt": self.alt_text,
            "caption": self.caption,
            "credit": self.credit,
        }


def _markdown_text(text: str) -> str:
    """Alt text inside `![…]`: brackets and backslashes escaped, on one line."""
    text = " ".join(text.split())
    for char in "\\[]":
        text = text.replace(char, "\\" + char)
    return text

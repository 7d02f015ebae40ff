"""The library's forms: an upload (the file and its words) and the words alone."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from broadsheet.media.images import (
    CleanImage,
    ImageRefused,
    accepted_names,
    clean_upload,
    too_large,
)

ALT_HELP = _(
    "What the image shows, for readers who cannot see it. Required before the image can be "
    "inserted in a post."
)


class MediaTextsForm(forms.Form):
    alt_text = forms.CharField(
        label=_("Alt text"), max_length=1000, required=False, help_text=ALT_HELP,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    caption = forms.CharField(
        label=_("Caption"), max_length=1000, required=False,
        help_text=_("Shown under the image in a post."), widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    credit = forms.CharField(
        label=_("Credit"), max_length=300, required=False,
        help_text=_("Who made it, or where it is from (“Photo: …”)."),
    )  # fmt: skip


class MediaUploadForm(MediaTextsForm):
    file = forms.FileField(label=_("Image"), help_text="")
    field_order = ["file", "alt_text", "caption", "credit"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext(
            "%(formats)s; at most %(limit)s MB. Location and camera details are removed."
        ) % {"formats": accepted_names(), "limit": settings.MEDIA_MAX_MB}
        self.fields["file"].widget.attrs["accept"] = "image/*"
        self.clean_image: CleanImage | None = None

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > settings.MEDIA_MAX_MB * 1024 * 1024:  # before reading it
            raise forms.ValidationError(too_large())
        try:
            self.clean_image = clean_upload(upload.read())
        except ImageRefused as why:
            raise forms.ValidationError(str(why)) from None
        return upload

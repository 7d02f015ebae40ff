"""The library's forms: an upload (the file and its words) and the words alone."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from broadsheet.media.images import CleanImage, ImageRefused, accepted_names, clean_upload

ALT_HELP = (
    "What the image shows, for readers who cannot see it. Required before the image can be "
    "inserted in a post."
)


class MediaTextsForm(forms.Form):
    alt_text = forms.CharField(
        label="Alt text", max_length=1000, required=False, help_text=ALT_HELP,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    caption = forms.CharField(
        label="Caption", max_length=1000, required=False,
        help_text="Shown under the image in a post.", widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    credit = forms.CharField(
        label="Credit", max_length=300, required=False,
        help_text="Who made it, or where it is from (“Photo: …”).",
    )  # fmt: skip


class MediaUploadForm(MediaTextsForm):
    file = forms.FileField(label="Image", help_text="")
    field_order = ["file", "alt_text", "caption", "credit"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            f"{accepted_names()}; at most {settings.MEDIA_MAX_MB} MB. Location and camera "
            "details are removed."
        )
        self.fields["file"].widget.attrs["accept"] = "image/*"
        self.clean_image: CleanImage | None = None

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > settings.MEDIA_MAX_MB * 1024 * 1024:  # before reading it
            raise forms.ValidationError(
                f"This file is larger than {settings.MEDIA_MAX_MB} MB, the limit."
            )
        try:
            self.clean_image = clean_upload(upload.read())
        except ImageRefused as why:
            raise forms.ValidationError(str(why)) from None
        return upload

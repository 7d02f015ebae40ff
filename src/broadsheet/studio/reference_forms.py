"""The references page's forms: pasted (or uploaded) BibTeX, RIS or CSL-JSON, and a reference
typed field by field, names one per line as "Family, Given"."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.core.validators import URLValidator
from django.http import QueryDict
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from broadsheet.publishing.bibformats import MAX_CHARS, ReadResult, read_references
from broadsheet.publishing.citations import name_text, parse_name
from broadsheet.publishing.models import Reference

# A file is read only below this many bytes (UTF-8 takes up to four a character).
MAX_FILE_BYTES = MAX_CHARS * 4
_ROLES = {"authors": "author", "editors": "editor", "translators": "translator"}
_NAMES_HELP = _(
    'One per line, "Family, Given" (Marsh, Edith); an organisation as it is written (World Bank).'
)


class _Described:
    """Each control with an error points to it (aria-describedby), then to its help text."""

    def full_clean(self: Any) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:
            if name in self.fields:
                field = self.fields[name]
                ids = [f"id_{name}_error"] + ([f"id_{name}_helptext"] if field.help_text else [])
                field.widget.attrs["aria-describedby"] = " ".join(ids)


class PasteForm(_Described, forms.Form):
    text = forms.CharField(
        label=_("Paste BibTeX, RIS or CSL-JSON"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
    )
    file = forms.FileField(label=_("or choose a file (.bib, .ris, .json)"), required=False)

    result: ReadResult | None = None

    @classmethod
    def too_big(cls) -> PasteForm:
        """The form for a body past MAX_REQUEST_BYTES, which Django will not read."""
        form = cls({})
        form.is_valid()
        form.errors.clear()
        form.add_error(
            "text",
            _(
                "This text is too long to paste (over 2.5 MB). Choose the file instead, or add "
                "the references in parts."
            ),
        )
        return form

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        text = data.get("text") or ""
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_FILE_BYTES:
                self.add_error(
                    "file",
                    _(
                        "This file is %(size)s MB; at most %(limit)s KB of references are read "
                        "at once. Split it and add it in parts."
                    )
                    % {
                        "size": number_format(upload.size / 1_000_000, 1),
                        "limit": number_format(MAX_CHARS // 1000, force_grouping=True),
                    },
                )
                return data
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error(
                    "file", _("This file is not UTF-8 text; save it as UTF-8 and try again.")
                )
                return data
            posted = cast(QueryDict, self.data).copy()
            posted["text"] = text  # shown in the box, so "Add" reads the same text
            self.data = posted
        if not text.strip():
            self.add_error("text", _("Paste references, or choose a file, then read them."))
            return data
        data["text"] = text
        self.result = read_references(text)
        return data


class _WebAddressField(forms.URLField):
    """A web address: http or https only (never javascript: or data:)."""

    default_validators = [URLValidator(schemes=["http", "https"])]


class ReferenceForm(_Described, forms.ModelForm):
    """One reference by its fields; `taken_keys` are the post's other references' keys."""

    authors = forms.CharField(
        label=_("Authors"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_NAMES_HELP,
    )
    editors = forms.CharField(
        label=_("Editors"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    translators = forms.CharField(
        label=_("Translators"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    url = _WebAddressField(label=_("URL"), required=False, max_length=1000, assume_scheme="https")

    class Meta:
        model = Reference
        fields = [
            "kind", "key", "authors", "editors", "translators", "title", "original_title",
            "container_title", "publisher", "place", "issued", "volume", "issue", "pages",
            "url", "doi", "isbn", "archive", "archive_location", "accessed", "note", "uncited",
        ]  # fmt: skip
        widgets = {
            "accessed": forms.DateInput(attrs={"type": "date"}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "key": _(
                "Cited in the text as [@key]; made from the first author and year when empty."
            ),
            "issued": _("YYYY, YYYY-MM or YYYY-MM-DD (or as written, e.g. Spring 1998)."),
        }

    def __init__(self, *args: Any, taken_keys: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.taken_keys = set(taken_keys)
        contributors = self.instance.contributors or {}
        for field, role in _ROLES.items():
            names = contributors.get(role, [])
            self.initial.setdefault(field, "\n".join(name_text(n, inverted=True) for n in names))

    def clean_key(self) -> str:
        key = str(self.cleaned_data.get("key") or "")
        if key in self.taken_keys:
            raise forms.ValidationError(
                _("Another reference of this essay has the key %(key)s; give this one its own.")
                % {"key": repr(key)}
            )
        return key

    def _names(self, field: str) -> list[dict[str, str]]:
        lines = [
            line for line in str(self.cleaned_data.get(field) or "").splitlines() if line.strip()
        ]
        if len(lines) > 100 or any(len(line) > 300 for line in lines):
            self.add_error(field, _("At most 100 names, one per line, each under 300 characters."))
            return []
        return [parse_name(line) for line in lines]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        data["contributors"] = {
            role: names for field, role in _ROLES.items() if (names := self._names(field))
        }
        return data

    def reference_fields(self) -> dict[str, Any]:
        """The cleaned values as the fields the reference actions take."""
        names = [name for name in self.Meta.fields if name not in _ROLES]
        return {
            **{name: self.cleaned_data.get(name) for name in names},
            "contributors": self.cleaned_data["contributors"],
        }

"""The suggestion form: what is wrong, the fix, the sources, consent to be credited; a guest's
name and email (as the comment form asks them). The selected quote travels in hidden fields
beside it and is checked by the view (corrections.views._selection).

Every problem is reported next to its field and the reader's text is kept; nothing a reader
sends is trusted: the quote is checked against the essay's text (core.anchoring.select), the
sources are parsed (corrections.sources), the lengths are bounded.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from broadsheet.core.sanitize import without_nul
from broadsheet.corrections.models import MAX_EMAIL, MAX_NAME, MAX_SOURCE, MAX_SOURCES, MAX_TEXT
from broadsheet.corrections.sources import BadSource, Source, parse_sources


class Text(forms.CharField):
    """Text with NUL characters dropped (PostgreSQL refuses them) before any check."""

    def to_python(self, value: Any) -> str:
        return without_nul(super().to_python(value) or "")


class WithSources(forms.Form):
    """A form whose sources are typed, one a line, or picked from the essay's references, and
    parsed by corrections.sources: a suggested correction's, and a context note's."""

    sources_help: str | Promise = gettext_lazy(
        "A web address, a DOI (10.…) or a reference of the essay (@key)."
    )
    sources = Text(
        label=gettext_lazy("Sources, one a line"), required=False,
        max_length=MAX_SOURCES * (MAX_SOURCE + 1),
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    references = forms.MultipleChoiceField(
        label=gettext_lazy("Or the essay's own references"), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    def __init__(self, *args: Any, references: list[tuple[str, str]], **kwargs: Any) -> None:
        """`references`: the essay's (key, title) pairs, offered by key with their titles."""
        super().__init__(*args, **kwargs)
        self.keys = {key for key, _title in references}
        self.fields["sources"].help_text = str(self.sources_help)
        field = self.fields["references"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [
            (key, f"@{key} — {title}" if title else f"@{key}") for key, title in references
        ]
        if not references:
            del self.fields["references"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            data["parsed_sources"] = parse_sources(
                str(data.get("sources", "")), data.get("references") or [], self.keys
            )
        except BadSource as bad:
            self.add_error("sources", bad.message)
        return data

    def parsed_sources(self) -> list[Source]:
        return list(self.cleaned_data.get("parsed_sources", []))


class SuggestionForm(WithSources):
    field_order = ["problem", "fix", "sources", "references", "credit", "name", "email"]
    problem = Text(
        label=gettext_lazy("What is wrong"), max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": gettext_lazy("Please say what is wrong in this passage.")},
    )  # fmt: skip
    fix = Text(
        label=gettext_lazy("Your proposed fix"), max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": gettext_lazy("Please give the text or fact you propose instead.")},
    )  # fmt: skip
    credit = forms.BooleanField(
        label=gettext_lazy("Credit me by name if the correction is published."), required=False
    )
    name = Text(label=gettext_lazy("Name"), required=False, max_length=MAX_NAME,
                 widget=forms.TextInput(attrs={"autocomplete": "name"}))  # fmt: skip
    email = Text(
        label=gettext_lazy("Email"), required=False, max_length=MAX_EMAIL,
        help_text=gettext_lazy("Not published: the author's answer is sent here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )  # fmt: skip

    def __init__(
        self, *args: Any, references: list[tuple[str, str]], guest: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, references=references, **kwargs)
        self.guest = guest
        if not guest:
            del self.fields["name"], self.fields["email"]
        else:
            for name in ("name", "email"):
                self.fields[name].required = True
            self.fields["name"].error_messages["required"] = _("Please give your name.")
            self.fields["email"].error_messages["required"] = _("Please give your email address.")

    def clean_email(self) -> str:
        email = str(self.cleaned_data.get("email", "")).strip()
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError(_("Please enter a valid email address.")) from None
        return email


class DecisionForm(forms.Form):
    """An author's note of what changed (accept), or the reason for the proposer (decline)."""

    text = Text(max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, accepting: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["text"]
        if accepting:
            field.label = _("What changed (published with the correction)")
            field.error_messages["required"] = _("Please say what changed: readers see this note.")
        else:
            field.label = _("Why not (emailed to the proposer, never published)")
            field.error_messages["required"] = _("Please give the proposer a reason.")

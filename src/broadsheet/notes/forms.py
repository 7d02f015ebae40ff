"""The forms of context notes: writing a note (its text and sources) and rating one (a value
and reasons). The passage a note is on travels in hidden fields beside the form and is
checked against the essay's text (`selection`), as the respond and correction pages do.

Every problem is reported next to its field with the reader's input kept; nothing sent is
trusted: NUL characters are dropped, lengths bounded, sources parsed (corrections.sources),
reasons checked against the rating (notes.reasons).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from broadsheet.core.anchoring import CONTEXT, MAX_QUOTE, NotInText, Passage, Selector, select
from broadsheet.core.anchoring import whole as whole_passage
from broadsheet.corrections.forms import Text, WithSources
from broadsheet.notes.models import MAX_BODY, Rating
from broadsheet.notes.reasons import HELPFUL, NOT_HELPFUL, BadReasons, checked_reasons


class NoteForm(WithSources):
    field_order = ["body", "sources", "references"]
    sources_help = gettext_lazy(
        "At least one: a web address, a DOI (10.…) or a reference of the essay (@key)."
    )
    body = Text(
        label=gettext_lazy("Your note"), max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": gettext_lazy("Please write the note: what should a reader know here?")
        },
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = _(
            "What a reader should know here, in plain words (at most %(max)s characters). "
            "Write for readers who disagree with you as much as for those who agree."
        ) % {"max": number_format(MAX_BODY, force_grouping=True)}


class RatingForm(forms.Form):
    label_suffix = ""  # the labels are questions
    value = forms.ChoiceField(
        label=gettext_lazy("Is this note helpful?"), choices=Rating.Value.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Please choose Helpful, Somewhat helpful or Not helpful."),
            "invalid_choice": gettext_lazy(
                "Please choose Helpful, Somewhat helpful or Not helpful."
            ),
        },
    )  # fmt: skip
    reasons = forms.MultipleChoiceField(
        label=gettext_lazy("Why? (any that apply)"), required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(gettext_lazy("If helpful"), list(HELPFUL.items())),
                 (gettext_lazy("If not helpful"), list(NOT_HELPFUL.items()))],
        error_messages={"invalid_choice": gettext_lazy(
            "One of the reasons is not one we offer: please choose again."
        )},
    )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "value" in data and "reasons" in data:
            try:
                data["reasons"] = checked_reasons(data["value"], data["reasons"])
            except BadReasons as bad:
                self.add_error("reasons", bad.message)
        return data


def selection(passage: Passage, texts: list[Passage], data: Any) -> Selector:
    """The reader's selection in `passage`, checked against the essay's text; the whole
    passage when nothing was selected. Raises NotInText with a sentence for the reader."""
    exact = str(data.get("exact") or "")
    if not exact.strip():
        return whole_passage(passage)
    if len(exact) > MAX_QUOTE:  # not even looked for
        raise NotInText(
            _("A quote is at most %(max)s characters.")
            % {"max": number_format(MAX_QUOTE, force_grouping=True)}
        )
    return select(
        texts, passage=passage.id, exact=exact,
        # They only choose between occurrences: the stored context is the text's own.
        prefix=str(data.get("prefix") or "")[-CONTEXT:], suffix=str(data.get("suffix") or "")[:CONTEXT],
        start=_number(data.get("start")), end=_number(data.get("end")),
    )  # fmt: skip


def _number(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None

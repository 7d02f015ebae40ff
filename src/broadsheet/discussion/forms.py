from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Any

from django import forms
from django.core import signing
from django.forms.renderers import BaseRenderer
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from broadsheet.core.anchoring import Selector
from broadsheet.core.converters import MAX_ID
from broadsheet.core.pagecache import page_differs_each_render
from broadsheet.discussion.services import MAX_BODY, MAX_EMAIL, MAX_NAME, MAX_URL

_SALT = "broadsheet.comment-form.shown-at"
# The parts of a passage the form carries, each as a hidden `anchor_<part>` field.
ANCHOR_PARTS = ("passage", "exact", "prefix", "suffix", "start", "end")


def shown_at_token() -> str:
    """When the form was rendered, signed so a bot cannot claim it read the page for a minute.
    The page showing it is different on every render (core.pagecache)."""
    page_differs_each_render()
    return signing.Signer(salt=_SALT).sign(str(int(time.time() * 1000)))


def seconds_since(token: str) -> float:
    """Seconds since the form was shown; 0 for a missing or forged token (a robot's POST)."""
    try:
        shown = int(signing.Signer(salt=_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return 0.0
    return max(0.0, time.time() - shown / 1000)


def _attributes(attrs: dict[str, Any]) -> str:
    """As Django's attrs.html: in order, True as a bare name, False left out, values escaped."""
    return "".join(
        f" {name}" if value is True else f' {name}="{escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class _Direct(forms.Widget):
    """A widget written out directly (same attributes, same escaping as Django's templates):
    rendering each widget through a template cost more than the rest of the comment form."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        return mark_safe(self.markup(escape(name), widget["value"], widget))

    def markup(self, name: str, value: Any, widget: dict[str, Any]) -> str:
        """As Django's input.html."""
        shown = "" if value is None else f' value="{escape(str(value))}"'
        return f'<input type="{widget["type"]}" name="{name}"{shown}{_attributes(widget["attrs"])}>'


class TextInput(_Direct, forms.TextInput):
    pass


class EmailInput(_Direct, forms.EmailInput):
    pass


class URLInput(_Direct, forms.URLInput):
    pass


class HiddenInput(_Direct, forms.HiddenInput):
    pass


class CheckboxInput(_Direct, forms.CheckboxInput):
    pass


class Textarea(_Direct, forms.Textarea):
    def markup(self, name: str, value: Any, widget: dict[str, Any]) -> str:
        """As Django's textarea.html: the newline after the tag keeps a leading newline."""
        text = escape(value) if value else ""
        return f'<textarea name="{name}"{_attributes(widget["attrs"])}>\n{text}</textarea>'


def field_row(
    field: forms.BoundField, *, label: str, required: bool, name: str = "", after: str = ""
) -> SafeString:
    """One labelled field of the comment form, with its errors (as the form's templates would
    write it, written out like the widgets: it is on every post page)."""
    errors = field.errors
    target = escape(field.id_for_label)
    star = ' <span class="required" aria-hidden="true">*</span>' if required else ""
    shown = "".join(
        f'<span class="field-error" id="{target}_error">{escape(e)}</span>' for e in errors
    )
    return mark_safe(
        f'<p class="comment-form-{escape(name or field.name)}{" has-error" if errors else ""}">\n'
        f'  <label for="{target}">{escape(label)}{star}</label>\n'
        f"  {field}\n  {shown}{after}\n</p>\n"
    )


class OwnEditForm(forms.Form):
    """A writer's new words for their comment (checked again by comment_edit_own)."""

    comment = forms.CharField(
        label=_("Your comment"), strip=False, widget=forms.Textarea(attrs={"rows": 8, "cols": 45})
    )


class _CopiedPlainly(dict[str, forms.Field]):
    """A form's declared fields, copied for each form as `Field.__deepcopy__` and
    `Widget.__deepcopy__` copy them (the field, its widget and the widget's attributes, error
    messages and validators), without `copy.deepcopy`'s walk through the dictionary: that walk
    took 0.2 ms of every comment POST, four times the copies themselves. A field or widget with
    its own way of being copied (choices) is deep-copied as Django does."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, forms.Field]:
        return {name: _field_copy(field, memo) for name, field in self.items()}


def _field_copy(field: forms.Field, memo: dict[int, Any]) -> forms.Field:
    widget = field.widget
    own = "__deepcopy__"  # (django-stubs leave it out)
    plain = all(
        getattr(type(part), own) is getattr(base, own)
        for part, base in ((field, forms.Field), (widget, forms.Widget))
    )
    if not plain:
        return copy.deepcopy(field, memo)
    new = _shallow(field)
    new.widget = _shallow(widget)
    new.widget.attrs = widget.attrs.copy()
    new.error_messages = field.error_messages.copy()
    new.validators = field.validators[:]
    return new


def _shallow(thing: Any) -> Any:
    """copy.copy's result for a plain object (no __copy__, no __slots__), without its detour."""
    new = object.__new__(type(thing))
    new.__dict__.update(thing.__dict__)
    return new


# What other apps do with the form's boxes once the comment is stored (notifications: the two
# "Notify me" boxes). Each is called as followup(comment=…, post=…, data=cleaned data).
_FOLLOWUPS: list[Callable[..., None]] = []


def comment_form_followup_register(followup: Callable[..., None]) -> None:
    """Registered in the app's ready()."""
    if followup not in _FOLLOWUPS:
        _FOLLOWUPS.append(followup)


def comment_form_followups() -> tuple[Callable[..., None], ...]:
    return tuple(_FOLLOWUPS)


class CommentForm(forms.Form):
    """Field names follow WordPress's comment form. The checks themselves live in
    discussion.services.comment_submit, which reports each problem against its field."""

    comment = forms.CharField(
        label=_("Comment"), required=False, strip=False,
        widget=Textarea(attrs={"rows": 8, "cols": 45, "maxlength": MAX_BODY, "required": True}),
    )  # fmt: skip
    author = forms.CharField(
        label=_("Name"),
        required=False,
        widget=TextInput(attrs={"maxlength": MAX_NAME, "autocomplete": "name"}),
    )
    email = forms.CharField(
        label=_("Email"), required=False,
        widget=EmailInput(attrs={"maxlength": MAX_EMAIL, "autocomplete": "email", "aria-describedby": "email-notes"}),
    )  # fmt: skip
    url = forms.CharField(
        label=_("Website"),
        required=False,
        widget=URLInput(attrs={"maxlength": MAX_URL, "autocomplete": "url"}),
    )
    cookies_consent = forms.BooleanField(
        label=_("Save my name, email, and website in this browser for the next time I comment."),
        required=False,
        widget=CheckboxInput,
    )
    # WordPress.com's two checkboxes; each is confirmed by email before anything is sent.
    subscribe_comments = forms.BooleanField(
        label=_("Notify me of follow-up comments by email."), required=False, widget=CheckboxInput
    )
    subscribe_posts = forms.BooleanField(
        label=_("Notify me of new posts by email."), required=False, widget=CheckboxInput
    )
    # Within the id column's range: a larger number is no post, not an overflow.
    post_id = forms.IntegerField(widget=HiddenInput, required=False, min_value=1, max_value=MAX_ID)
    parent_id = forms.IntegerField(
        widget=HiddenInput, required=False, min_value=0, max_value=MAX_ID
    )
    shown_at = forms.CharField(widget=HiddenInput, required=False)
    # The passage responded to, as the reader's browser saw it (W3C Web Annotation selectors);
    # comment_submit checks it against the essay and takes the stored one from the text.
    # No length limits here: an invalid value is refused there, by the quote, with a reason.
    anchor_passage = forms.CharField(widget=HiddenInput, required=False, strip=False)
    anchor_exact = forms.CharField(widget=HiddenInput, required=False, strip=False)
    anchor_prefix = forms.CharField(widget=HiddenInput, required=False, strip=False)
    anchor_suffix = forms.CharField(widget=HiddenInput, required=False, strip=False)
    anchor_start = forms.IntegerField(
        widget=HiddenInput, required=False, min_value=0, max_value=MAX_ID
    )
    anchor_end = forms.IntegerField(
        widget=HiddenInput, required=False, min_value=0, max_value=MAX_ID
    )
    # Ticked: the comment is posted without the quote (the way to remove it without JavaScript).
    anchor_remove = forms.BooleanField(
        label=_("Post without the quote"), required=False, widget=CheckboxInput
    )
    # A honeypot: hidden from people by CSS, filled in by robots that fill in everything.
    hp = forms.CharField(
        label=_("Leave this field empty"), required=False,
        widget=TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )  # fmt: skip

    def __init__(self, *args: Any, require_name_email: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Lazy: a POST's form is rendered only when refused (a gettext costs a few µs).
        if require_name_email:
            for name in ("author", "email"):
                self.fields[name].widget.attrs["required"] = True
                self.fields[name].label = format_lazy("{} *", self.fields[name].label)
        self.fields["comment"].label = format_lazy("{} *", _("Comment"))

    def anchor(self) -> Selector | None:
        """The submitted passage, unchecked; None when there is none or the reader removed it.
        A position that is not a number is left out: positions only choose between places."""
        # The words as sent: a field Django finds invalid (a NUL character) would otherwise be
        # missing, and the comment posted without the quote the reader meant to send.
        words = {part: str(self.data.get(f"anchor_{part}") or "") for part in ANCHOR_PARTS[:4]}
        if self.cleaned_data.get("anchor_remove") or not words["passage"]:
            return None
        start, end = self.cleaned_data.get("anchor_start"), self.cleaned_data.get("anchor_end")
        return Selector(
            **words,
            start=start if isinstance(start, int) else -1,
            end=end if isinstance(end, int) else -1,
        )

    @property
    def quote(self) -> str:
        """The quote the form carries, shown above the comment box."""
        source = self.data if self.is_bound else self.initial
        return str(source.get("anchor_exact") or "")


# Every comment POST builds one (and every page that renders the form).
CommentForm.base_fields = _CopiedPlainly(CommentForm.base_fields)

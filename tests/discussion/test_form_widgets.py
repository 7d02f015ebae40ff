"""The comment form's widgets are written out in Python (discussion.forms): they must give
exactly what Django's own widget templates give, hostile values and errors included."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django import forms

from broadsheet.discussion.forms import CommentForm

HOSTILE = {
    "comment": "\n<script>alert(1)</script>\"'&amp;",
    "author": '"><img src=x onerror=alert(1)>',
    "email": "a@b' onfocus='x",
    "url": "javascript:alert(1)",
    "cookies_consent": "on",
    "subscribe_posts": "1",
    "post_id": "3",
    "parent_id": "not a number",
    "shown_at": '"><b>',
    "hp": "</textarea>",
}


def _stock(form: forms.Form, name: str) -> str:
    """The field as Django's template-based widget of the same kind renders it."""
    mine = form.fields[name].widget
    stock_class = next(
        c for c in type(mine).__mro__[1:]
        if c.__module__ == "django.forms.widgets" and c.__name__ == type(mine).__name__
    )  # fmt: skip
    stock = copy.copy(mine)
    stock.__class__ = stock_class
    form.fields[name].widget = stock
    try:
        return str(form[name])
    finally:
        form.fields[name].widget = mine


@pytest.mark.parametrize("data", [None, HOSTILE, {**HOSTILE, "comment": "", "author": ""}])
@pytest.mark.parametrize("require_name_email", [True, False])
def test_every_widget_renders_as_djangos_template_would(
    data: dict[str, Any] | None, require_name_email: bool
) -> None:
    initial = {"post_id": 5, "parent_id": 0, "shown_at": "token"}
    form = CommentForm(data=data, initial=initial, require_name_email=require_name_email)
    if data is not None:
        form.is_valid()
        form.add_error("author", "Please fill in the required fields (name, email).")
    for name in form.fields:
        assert str(form[name]) == _stock(form, name), name
    if data is not None:
        assert "<script>" not in str(form["comment"]) and "<img" not in str(form["author"])


def test_each_form_has_its_own_copies_of_the_fields() -> None:
    """CommentForm copies its declared fields without copy.deepcopy's walk (discussion.forms):
    each form's fields, widgets, attributes, error messages and validators are its own, equal
    to what Django's deep copy makes, and a change to one form reaches neither another form
    nor the class."""
    declared = CommentForm.base_fields
    required, loose = CommentForm(require_name_email=True), CommentForm(require_name_email=False)
    stock = dict(copy.deepcopy(dict(declared)))
    for name, field in declared.items():
        mine = required.fields[name]
        assert mine is not field and mine.widget is not field.widget
        assert mine.widget.attrs is not field.widget.attrs
        assert mine.error_messages is not field.error_messages
        assert mine.validators is not field.validators
        assert type(mine) is type(stock[name]) and type(mine.widget) is type(stock[name].widget)
        assert vars(loose.fields[name].widget) == vars(stock[name].widget)
        # The form's own __init__ marks the comment's label as required.
        assert {
            k: v for k, v in vars(loose.fields[name]).items() if k not in ("widget", "label")
        } == {k: v for k, v in vars(stock[name]).items() if k not in ("widget", "label")}
    assert required.fields["author"].widget.attrs["required"] is True
    assert "required" not in loose.fields["author"].widget.attrs
    assert "required" not in declared["author"].widget.attrs
    required.fields["email"].error_messages["required"] = "changed"
    required.fields["email"].validators.append(print)
    assert loose.fields["email"].error_messages == declared["email"].error_messages
    assert print not in declared["email"].validators


def test_a_field_with_its_own_copy_is_copied_as_django_copies_it() -> None:
    from broadsheet.discussion.forms import _field_copy

    choice = forms.ChoiceField(choices=[("a", "A")], widget=forms.Select)
    copied = _field_copy(choice, {})
    assert isinstance(copied, forms.ChoiceField) and copied is not choice
    assert copied.choices == choice.choices and copied.widget.choices is not choice.widget.choices

"""Pages where people download or erase their own personal data (services in privacy.py).

Account holders act from their account pages; guests prove an address by an emailed, signed
link. Every page is personal, so none is ever stored by a cache.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from broadsheet.accounts.models import User
from broadsheet.accounts.privacy import (
    ErasureRefused,
    comment_removal_allowed,
    erasure_refusal,
    personal_data,
    personal_data_erase,
    privacy_link_request,
    privacy_token_email,
)
from broadsheet.core.cache import cache_policy

NEUTRAL_ANSWER = _("If we hold anything for that address, a link is on its way.")


class PrivacyRequestForm(forms.Form):
    email = forms.EmailField(max_length=254, label=_("The email address you commented with"))


class EraseForm(forms.Form):
    text = forms.ChoiceField(
        label=_("Your comments"),
        choices=[
            ("keep", _("Keep my comments, anonymised")),
            ("remove", _("Remove the text of my comments")),
        ],
        initial="keep",
        widget=forms.RadioSelect,
    )
    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone."),
        error_messages={"required": _("Tick this box to confirm that you want this.")},
    )

    def __init__(self, *args: Any, allow_removal: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not allow_removal:
            # The site keeps every comment's text: there is nothing to choose.
            del self.fields["text"]

    @property
    def remove_text(self) -> bool:
        return self.cleaned_data.get("text") == "remove"


def _erase_form(request: HttpRequest | None = None) -> EraseForm:
    data = request.POST if request is not None else None
    return EraseForm(data, allow_removal=comment_removal_allowed())


def _download(data: dict[str, Any]) -> HttpResponse:
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = 'attachment; filename="personal-data.json"'
    return response


def _client_ip(request: HttpRequest) -> str | None:
    # As the comment form does: behind a trusted proxy, the address it appended last.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.TRUST_X_FORWARDED_FOR and forwarded:
        return str(forwarded.split(",")[-1].strip())
    return request.META.get("REMOTE_ADDR")


# --- account holders --------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # login_required has let only accounts in
    return request.user


def _account_page(request: HttpRequest, form: EraseForm) -> HttpResponse:
    user = _user(request)
    context = {
        "data": personal_data(email=user.email, user=user),
        "erase_form": form,
        "refusal": erasure_refusal(user=user),
    }
    return render(request, "accounts/privacy/account.html", context)


@require_safe
@login_required
@cache_policy("never")
def account_data(request: HttpRequest) -> HttpResponse:
    return _account_page(request, _erase_form())


@require_POST
@login_required
@cache_policy("never")
def account_download(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return _download(personal_data(email=user.email, user=user))


@require_POST
@login_required
@cache_policy("never")
def account_erase(request: HttpRequest) -> HttpResponse:
    form, user = _erase_form(request), _user(request)
    if not form.is_valid():
        return _account_page(request, form)
    try:
        personal_data_erase(email=user.email, user=user, remove_text=form.remove_text)
    except ErasureRefused as refused:
        form.add_error(None, str(refused))
        return _account_page(request, form)
    logout(request)
    messages.success(request, gettext("Your account and personal data were erased."))
    return HttpResponseRedirect("/")


# --- guests -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@cache_policy("never")
def privacy_request(request: HttpRequest) -> HttpResponse:
    form = PrivacyRequestForm(request.POST or None)
    answered = request.method == "POST" and form.is_valid()
    if answered:
        # Whatever happened (sent, nothing held, rate-limited), the answer is the same.
        privacy_link_request(email=form.cleaned_data["email"], ip=_client_ip(request))
        form = PrivacyRequestForm()  # an empty form: the page must not differ by address
    context = {"form": form, "answer": NEUTRAL_ANSWER if answered else ""}
    return render(request, "accounts/privacy/request.html", context)


GuestView = Callable[[HttpRequest, str, str], HttpResponse]


def _signed_link(view: GuestView) -> Callable[[HttpRequest, str], HttpResponse]:
    """Turn the link's token into the proven address, or answer that the link is no good."""

    @wraps(view)
    def wrapped(request: HttpRequest, token: str) -> HttpResponse:
        email = privacy_token_email(token=token)
        if email is None:
            return render(request, "accounts/privacy/invalid_link.html", status=400)
        return view(request, token, email)

    return wrapped


def _guest_page(request: HttpRequest, token: str, email: str, form: EraseForm) -> HttpResponse:
    context = {
        "data": personal_data(email=email, user=None),
        "erase_form": form,
        "token": token,
    }
    return render(request, "accounts/privacy/guest.html", context)


@require_safe
@cache_policy("never")
@_signed_link
def guest_data(request: HttpRequest, token: str, email: str) -> HttpResponse:
    return _guest_page(request, token, email, _erase_form())


@require_POST
@cache_policy("never")
@_signed_link
def guest_download(request: HttpRequest, token: str, email: str) -> HttpResponse:
    return _download(personal_data(email=email, user=None))


@require_POST
@cache_policy("never")
@_signed_link
def guest_erase(request: HttpRequest, token: str, email: str) -> HttpResponse:
    form = _erase_form(request)
    if not form.is_valid():
        return _guest_page(request, token, email, form)
    personal_data_erase(email=email, user=None, remove_text=form.remove_text)
    messages.success(request, gettext("The personal data held for that address were erased."))
    # Back to the link's page (never cached), which now shows that nothing is held.
    return redirect(reverse("privacy_guest", args=[token]))


# Included from accounts/urls.py.
urlpatterns = [
    path("accounts/data/", account_data, name="privacy_account"),
    path("accounts/data/download/", account_download, name="privacy_account_download"),
    path("accounts/data/erase/", account_erase, name="privacy_account_erase"),
    path("personal-data/", privacy_request, name="privacy_request"),
    path("personal-data/<str:token>/", guest_data, name="privacy_guest"),
    path("personal-data/<str:token>/download/", guest_download, name="privacy_guest_download"),
    path("personal-data/<str:token>/erase/", guest_erase, name="privacy_guest_erase"),
]

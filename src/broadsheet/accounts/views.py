from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from broadsheet.accounts.avatars import (
    HEADER_TOO_LARGE,
    TOO_LARGE,
    AvatarField,
    HeaderField,
    UploadLimit,
)
from broadsheet.accounts.language import offered, session_language_set
from broadsheet.accounts.models import Profile
from broadsheet.accounts.services import profile_update
from broadsheet.core.cache import cache_policy
from broadsheet.core.languages import language_choices as core_language_choices
from broadsheet.core.languages import language_name
from broadsheet.core.webaddress import WebAddressField


def language_choices() -> list[tuple[str, str]]:
    """The site's languages, each named in itself (a reader finds theirs whatever the page's
    language), after "the site's language" (blank)."""
    if settings.READER_LANGUAGE:
        default = str(_("Your browser's language"))
    else:
        site = language_name(settings.LANGUAGE_CODE)
        default = _("The site's language (%(language)s)") % {"language": site}
    return [
        ("", default),
        *core_language_choices(),
    ]


class ProfileForm(forms.ModelForm):
    website = WebAddressField(required=False, label=_("Website"), max_length=200)
    avatar = AvatarField(required=False, label=_("Photo"))
    header = HeaderField(required=False, label=_("Header image"))
    language = forms.ChoiceField(
        required=False,
        label=_("Language"),
        help_text=_("The language of the site's pages and emails for you."),
    )

    class Meta:
        model = Profile
        fields = ["display_name", "bio", "website", "avatar", "header", "language"]
        labels = {"display_name": _("Name shown with your comments"), "bio": _("Bio")}

    def __init__(self, *args: Any, too_large: Collection[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.too_large = too_large  # file fields whose upload was cut off at the limit
        choices = language_choices()
        chosen = self.instance.language
        if chosen and chosen not in dict(choices):
            chosen = self.initial["language"] = ""  # no longer offered: the site's again
        self.fields["language"].choices = choices  # type: ignore[attr-defined]

    def clean_avatar(self) -> Any:
        if "avatar" in self.too_large:
            raise forms.ValidationError(TOO_LARGE, code="too_large")
        return self.cleaned_data.get("avatar")

    def clean_header(self) -> Any:
        if "header" in self.too_large:
            raise forms.ValidationError(HEADER_TOO_LARGE, code="too_large")
        return self.cleaned_data.get("header")


@require_http_methods(["GET", "POST"])
@login_required
@cache_policy("never")
@csrf_exempt  # only so the upload limit is in place before the body is read; checked below
def profile_edit(request: HttpRequest) -> HttpResponse:
    limit = UploadLimit(request)
    request.upload_handlers = [limit, *request.upload_handlers]
    return _profile_edit(request, limit)


@csrf_protect
def _profile_edit(request: HttpRequest, limit: UploadLimit) -> HttpResponse:
    profile, _created = Profile.objects.get_or_create(user=request.user)
    form = ProfileForm(
        request.POST or None, request.FILES or None, instance=profile, too_large=limit.too_large
    )
    if request.method == "POST" and form.is_valid():
        profile = profile_update(profile=form.save(commit=False))
        language = offered(profile.language)
        session_language_set(request, language)
        with translation.override(language or settings.LANGUAGE_CODE):
            # Said in the language just chosen: the next page speaks it too.
            messages.success(request, str(_("Your profile was saved.")))
        response = HttpResponseRedirect(request.path)
        if settings.READER_LANGUAGE:
            _language_cookie(response, language)
        return response
    return render(request, "accounts/profile_edit.html", {"form": form, "profile": profile})


def _language_cookie(response: HttpResponse, language: str) -> None:
    """Django's language cookie, so the choice outlives the session (READER_LANGUAGE reads it
    for anyone); the site's language deletes it, so the browser's counts again."""
    if not language:
        response.delete_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
        return
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )

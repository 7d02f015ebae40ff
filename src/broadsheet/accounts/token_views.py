"""The reader's access tokens, on their account pages: make one (its secret shown once),
see when each was last used, revoke one."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from broadsheet.accounts.models import AccessToken
from broadsheet.accounts.tokens import (
    TokenRefused,
    access_token_create,
    access_token_revoke,
    tokens_of,
)
from broadsheet.core.cache import cache_policy


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("To tell your tokens apart: the script or site that uses it."),
    )
    scopes = forms.MultipleChoiceField(
        choices=AccessToken.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[AccessToken.Scope.READ],
        label=_("It may"),
    )


@require_http_methods(["GET", "POST"])
@login_required
@cache_policy("never")
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    secret = ""
    if request.method == "POST" and form.is_valid():
        try:
            made = access_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
            )
        except TokenRefused as refused:
            form.add_error("name", str(refused))
        else:
            secret, form = made.secret, TokenForm()
    context = {"form": form, "tokens": tokens_of(request.user), "secret": secret}
    return render(request, "accounts/tokens.html", context)


@require_POST
@login_required
@cache_policy("never")
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    if access_token_revoke(user=request.user, token_id=pk):
        messages.success(request, gettext("The token was revoked: it no longer works."))
    return HttpResponseRedirect(reverse("account_tokens"))

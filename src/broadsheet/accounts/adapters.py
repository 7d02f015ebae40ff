"""django-allauth hooks: new accounts are subscribers, sign-in failures go back to the comment
form with a sentence and the draft kept, and the provider's name and photo are remembered."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import Group
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext

from broadsheet.accounts.comment_login import POPUP_DONE, RETURN_KEY
from broadsheet.accounts.language import email_language, in_language
from broadsheet.core.mail import mail_send
from broadsheet.core.models import SiteSettings


@dataclass(frozen=True)
class _Site:
    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Emails speak in the site's own name ("Hello from The Long Margin!"), and go through
        the outbox: sending in the request would make a known address answer more slowly."""
        context["current_site"] = _Site(
            name=SiteSettings.current().shown_title,
            domain=urlsplit(settings.SITE_URL).netloc,
        )
        # In the recipient's language: the account's choice, else the site's (decision 0118).
        language = email_language(user=context.get("user"), email=email)
        with in_language(language):
            message = self.render_mail(template_prefix, email, context)
            subject = str(message.subject)
        html = next(
            (
                str(body)
                for body, kind in getattr(message, "alternatives", [])
                if kind == "text/html"
            ),
            "",
        )
        text = str(message.body)
        if message.content_subtype == "html":  # an HTML-only template
            text, html = strip_tags(text), text
        mail_send(
            key=f"account-{template_prefix.rsplit('/', 1)[-1]}-{uuid.uuid4().hex}",
            to=email,
            subject=subject,
            text=text,
            html=html,
            reason="account",
        )

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation: Any) -> str:
        """The emailed link carries the page the sign-up started from (`next`): whether or not
        following it signs the reader in, they end up back on the essay, signed in."""
        url = str(super().get_email_confirmation_url(request, emailconfirmation))
        back = _signup_next(request) if request is not None else ""
        if not back:
            return url
        sign_in = f"{reverse('account_login')}?{urlencode({'next': back})}"
        return f"{url}?{urlencode({'next': sign_in})}"

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        user = super().save_user(request, user, form, commit)
        if commit:
            subscriber = Group.objects.filter(name="Subscriber").first()
            if subscriber is not None:
                user.groups.add(subscriber)
        return user


def _signup_next(request: HttpRequest) -> str:
    """The page of this site a sign-up was asked to return to; a sign-up begun in the comment
    form's sign-in window returns to the essay that opened it."""
    wanted = str(request.POST.get("next") or request.GET.get("next") or "")[:2000]
    if wanted.startswith(POPUP_DONE):
        wanted = parse_qs(urlsplit(wanted).query).get("next", [""])[0]
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}
    ):
        return wanted
    return ""


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def save_user(self, request: HttpRequest, sociallogin: Any, form: Any = None) -> Any:
        user = super().save_user(request, sociallogin, form)
        subscriber = Group.objects.filter(name="Subscriber").first()
        if subscriber is not None:
            user.groups.add(subscriber)
        return user

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: Any = None,
        exception: Any = None,
        extra_context: Any = None,
    ) -> None:
        """A refused consent, a tampered state, a provider error: back to the comment form."""
        back = request.session.get(RETURN_KEY)
        if not back:
            return  # not started from a comment form: allauth's own error page
        name = getattr(provider, "name", None) or gettext("the provider")
        if str(error) == "cancelled":
            said = gettext(
                "Signing in with %(name)s did not work (you cancelled). Your comment is still "
                "here; try again or fill in your details."
            )
        else:
            said = gettext(
                "Signing in with %(name)s did not work (the sign-in could not be completed). "
                "Your comment is still here; try again or fill in your details."
            )
        messages.error(request, said % {"name": name})
        raise ImmediateHttpResponse(HttpResponseRedirect(back))

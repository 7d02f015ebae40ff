"""One set of sign-in limits for every way in (settings.ACCOUNT_RATE_LIMITS, kept by allauth).

allauth counts its own forms: sign-in attempts per address, failed passwords per address and per
account, code and reset requests. The admin's own sign-in form and the comment form's sign-in
buttons would bypass them; here they count against the same counters, so five wrong passwords
for `admin` lock that account out of both forms alike.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from allauth.core import ratelimit
from django.contrib.admin.forms import AdminAuthenticationForm
from django.http import HttpRequest, HttpResponse


class RateLimitedAdminLoginForm(AdminAuthenticationForm):
    """The admin's sign-in form, authenticating through allauth's adapter (and its limits)."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            request = self.request
            assert request is not None  # the admin always passes its request
            adapter = get_adapter(request)
            if not ratelimit.consume(request, action="login"):
                raise adapter.validation_error("too_many_login_attempts")
            # Raises "Too many failed login attempts" once the account or the address is over
            # the `login_failed` limit, whatever the password.
            self.user_cache = adapter.authenticate(request, username=username, password=password)
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


def sign_in_start_refused(request: HttpRequest) -> HttpResponse | None:
    """A 429 page when this address has started too many sign-ins (allauth's `login` limit)."""
    return ratelimit.consume_or_429(request, action="login")

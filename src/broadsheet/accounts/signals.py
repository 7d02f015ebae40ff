from __future__ import annotations

from typing import Any

from allauth.account.signals import user_logged_in
from allauth.socialaccount.models import SocialApp
from django.contrib.auth.signals import user_logged_in as signed_in
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.dispatch import receiver
from django.http import HttpRequest

from broadsheet.accounts.comment_login import PROVIDER_KEY
from broadsheet.accounts.effects import account_shown_changed
from broadsheet.accounts.language import account_language, session_language_set
from broadsheet.accounts.models import Profile, User
from broadsheet.accounts.roles import STAFF_ROLES, ensure_roles
from broadsheet.accounts.services import profile_update
from broadsheet.core import effects
from broadsheet.core.effects import in_action


@receiver(post_migrate, dispatch_uid="broadsheet-roles")
def _roles(**kwargs: Any) -> None:
    ensure_roles(**kwargs)


@receiver(post_save, sender=SocialApp, dispatch_uid="effects-socialapp")
@receiver(post_delete, sender=SocialApp, dispatch_uid="effects-socialapp-delete")
def _providers_changed(**kwargs: Any) -> None:
    """A provider added, changed or removed in the admin: the comment form's sign-in icons."""
    effects.login_options()


# What pages and comment cards show of an account (the email: its identicon).
_SHOWN = {"username", "first_name", "last_name", "email", "is_active", "display_name", "bio",
          "bio_html", "website", "avatar", "remote_avatar_url"}  # fmt: skip
# What only other servers show (an author's actor's `image`, decision 0124): no page changes.
_ELSEWHERE = {"header"}


@receiver(post_save, sender=User, dispatch_uid="effects-user")
@receiver(post_save, sender=Profile, dispatch_uid="effects-profile")
def _account_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """An account or profile edited outside an action (the admin): its name or photo may be
    on any page. (A new one is shown nowhere yet.)"""
    if created or kwargs.get("raw") or in_action():
        return
    written = kwargs.get("update_fields")
    user_id = getattr(instance, "user_id", None) or instance.pk
    if written is not None and not set(written) & _SHOWN:
        if set(written) & _ELSEWHERE:
            effects.profiles(user_ids=[user_id])
        return  # a sign-in stamping last_login shows nowhere
    account_shown_changed(user_ids=[user_id])


@receiver(post_delete, sender=User, dispatch_uid="effects-user-delete")
def _account_deleted(sender: Any, instance: User, **kwargs: Any) -> None:
    if not in_action():
        effects.pages(site=True)  # bylines, the people page (its comments: discussion.signals)


@receiver(post_save, sender=User, dispatch_uid="accounts-create-profile")
def create_profile(
    sender: type[User], instance: User, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    """Every account has a profile, so templates never meet a missing one."""
    if created and not raw:
        Profile.objects.get_or_create(user=instance)


@receiver(m2m_changed, sender=User.groups.through)
def staff_roles_reach_the_admin(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    """Contributors and up write in the admin (is_staff); subscribers never see it."""
    if action not in ("post_add", "post_remove", "post_clear") or not isinstance(instance, User):
        return
    staff = instance.is_superuser or instance.groups.filter(name__in=STAFF_ROLES).exists()
    if instance.is_staff != staff:
        User.objects.filter(pk=instance.pk).update(is_staff=staff)
        instance.is_staff = staff


@receiver(user_logged_in)
def remember_how_they_signed_in(
    sender: Any, request: HttpRequest, user: User, **kwargs: Any
) -> None:
    """For "You are commenting using your <Provider> account", and the provider's photo."""
    sociallogin = kwargs.get("sociallogin")
    if sociallogin is None:
        request.session.pop(PROVIDER_KEY, None)
        return
    account = sociallogin.account
    request.session[PROVIDER_KEY] = account.get_provider(request).name
    profile, _ = Profile.objects.get_or_create(user=user)
    # OpenID Connect keeps the person's claims under "userinfo"; others at the top level.
    provider_account = account.get_provider_account()
    data = getattr(provider_account, "get_user_data", lambda: None)() or account.extra_data or {}
    avatar = provider_account.get_avatar_url() or str(data.get("picture") or "")
    name = str(data.get("name") or "")
    changed = []
    # Only https photos: an http one would be mixed content, and the CSP allows https only.
    if avatar.startswith("https://") and avatar != profile.remote_avatar_url:
        profile.remote_avatar_url = avatar[:500]
        changed.append("remote_avatar_url")
    if name and not profile.display_name:
        profile.display_name = str(name)[:150]
        changed.append("display_name")
    if changed:
        profile_update(profile=profile, fields=changed)


@receiver(signed_in, dispatch_uid="accounts-language")
def language_for_the_session(
    sender: Any, request: HttpRequest | None, user: User, **kwargs: Any
) -> None:
    """The account's chosen language is kept in its session: its pages read no profile."""
    if request is not None:
        session_language_set(request, account_language(user, fresh=True))

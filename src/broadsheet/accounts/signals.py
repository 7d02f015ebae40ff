from __future__ import annotations

from typing import Any

from allauth.account.signals import user_logged_in
from allauth.socialaccount.models import SocialApp
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest

from broadsheet.accounts.comment_login import PROVIDER_KEY, forget_login_options
from broadsheet.accounts.models import Profile, User
from broadsheet.accounts.roles import STAFF_ROLES
from broadsheet.core.models import SiteSettings

# The provider icons on the comment form are cached: a change of providers or site title clears them.
for _model in (SocialApp, SiteSettings):
    post_save.connect(
        forget_login_options, sender=_model, dispatch_uid=f"login-options-{_model.__name__}"
    )
    post_delete.connect(
        forget_login_options, sender=_model, dispatch_uid=f"login-options-del-{_model.__name__}"
    )


@receiver(post_save, sender=User)
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
        profile.save()

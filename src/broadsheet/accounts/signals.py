from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from broadsheet.accounts.models import Profile, User


@receiver(post_save, sender=User)
def create_profile(
    sender: type[User], instance: User, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    """Every account has a profile, so templates never meet a missing one."""
    if created and not raw:
        Profile.objects.get_or_create(user=instance)

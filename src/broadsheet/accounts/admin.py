from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import models

from broadsheet.accounts.avatars import AvatarField, HeaderField
from broadsheet.accounts.limits import RateLimitedAdminLoginForm
from broadsheet.accounts.models import Profile, User
from broadsheet.core.admin import HttpsURLField

# The admin's sign-in counts against the same limits as every other way in.
admin.site.login_form = RateLimitedAdminLoginForm


class _Pictures:
    """The photo and the header image take the profile page's rules (size, format, box)."""

    def formfield_for_dbfield(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if db_field.name == "header":
            kwargs["form_class"] = HeaderField
        return super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]


class ProfileInline(_Pictures, admin.StackedInline):
    model = Profile
    can_delete = False
    fields = ("display_name", "bio", "website", "avatar", "header")
    formfield_overrides = {
        models.URLField: {"form_class": HttpsURLField},
        models.ImageField: {"form_class": AvatarField},
    }


@admin.register(User)
class BroadsheetUserAdmin(UserAdmin):
    inlines = [ProfileInline]
    list_display = ("username", "email", "first_name", "last_name", "is_staff")


@admin.register(Profile)
class ProfileAdmin(_Pictures, admin.ModelAdmin):
    list_display = ("user", "display_name", "website")
    search_fields = ("user__username", "display_name")
    fields = ("user", "display_name", "bio", "website", "avatar", "header")
    raw_id_fields = ("user",)
    formfield_overrides = {
        models.URLField: {"form_class": HttpsURLField},
        models.ImageField: {"form_class": AvatarField},
    }

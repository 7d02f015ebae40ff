from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from broadsheet.core.models import SingletonModel, SiteSettings
from broadsheet.core.services import settings_save


class HttpsURLField(forms.URLField):
    """A typed address without a scheme is taken as https://, as Django 6 will do by default."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["assume_scheme"] = "https"
        super().__init__(**kwargs)


class SingletonAdmin(admin.ModelAdmin):
    """One row: the list is skipped in favour of the form itself."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: SingletonModel | None = None
    ) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: SingletonModel, form: Any, change: bool
    ) -> None:
        settings_save(settings=obj)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, object] | None = None
    ) -> HttpResponse:
        current = self.model.current()
        if not self.model._default_manager.filter(pk=1).exists():
            settings_save(settings=current)
        opts = self.model._meta
        return HttpResponseRedirect(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[1])
        )


@admin.register(SiteSettings)
class SiteSettingsAdmin(SingletonAdmin):
    fields = ("title", "tagline")

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from broadsheet.core.models import SingletonModel, SiteSettings


class SingletonAdmin(admin.ModelAdmin):
    """One row: the list is skipped in favour of the form itself."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: SingletonModel | None = None
    ) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, object] | None = None
    ) -> HttpResponse:
        current = self.model.current()
        if not self.model._default_manager.filter(pk=1).exists():
            current.save()
        opts = self.model._meta
        return HttpResponseRedirect(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[1])
        )


@admin.register(SiteSettings)
class SiteSettingsAdmin(SingletonAdmin):
    fields = ("title", "tagline")

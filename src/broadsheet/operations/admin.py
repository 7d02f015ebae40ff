"""Operations → Backups in the admin: the archives in DATA_DIR/backups/, for administrators
(superusers) only, each with its size, counts and a download link."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext as _

from broadsheet.operations.backup import Stored, backups_folder, stored_backups
from broadsheet.operations.models import Backup


@admin.register(Backup)
class BackupAdmin(admin.ModelAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        download = self.admin_site.admin_view(self.download_view)
        return [
            path("", self.admin_site.admin_view(self.changelist_view), name="operations_backup_changelist"),
            path("<str:name>/download/", download, name="operations_backup_download"),
        ]  # fmt: skip

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("Backups"),
            "opts": self.model._meta,
            "backups": [_row(stored) for stored in stored_backups()],
            "folder": backups_folder(),
        }
        return TemplateResponse(request, "admin/operations/backups.html", context)

    def download_view(self, request: HttpRequest, name: str) -> FileResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        found = {stored.name: stored for stored in stored_backups()}
        if name not in found:  # only a listed archive: never a path of the caller's making
            raise Http404("No such backup.")
        response = FileResponse(found[name].path.open("rb"), as_attachment=True, filename=name)
        response["Cache-Control"] = "private, no-store"
        return response


def _row(stored: Stored) -> dict[str, Any]:
    manifest = stored.manifest or {}
    counts = manifest.get("counts", {})
    return {
        "name": stored.name,
        "size": stored.size,
        "readable": stored.manifest is not None,
        "created_at": manifest.get("created_at", ""),
        "posts": counts.get("publishing.post", 0),
        "comments": counts.get("discussion.comment", 0),
        "accounts": counts.get("accounts.user", 0),
        "files": manifest.get("media", {}).get("files", 0),
    }

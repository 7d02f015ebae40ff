"""Import runs in the admin: upload an export, watch its progress, read its report.

The request stores the file (the `imports` storage: DATA_DIR/imports/, or the site's bucket)
and queues the import; the worker does
the work (an import of years of discussion does not fit in a request)."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.files.storage import storages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from broadsheet.importers.models import ImportRun
from broadsheet.importers.tasks import run_import

FORMATS = [
    ("wordpress", _("WordPress export (WXR .xml, from Tools → Export)")),
    ("disqus", _("Disqus export (.xml)")),
    ("isso", _("Isso database (.db)")),
    ("json", _("Broadsheet export (.json)")),
]


class ImportUploadForm(forms.Form):
    format = forms.ChoiceField(choices=FORMATS, label=_("What the file is"))
    file = forms.FileField(label=_("Export file"))
    dry_run = forms.BooleanField(
        required=False, label=_("Dry run: read and check everything, save nothing")
    )
    copy_images = forms.BooleanField(
        required=False,
        label=_("WordPress: copy the posts' images into this site"),
        help_text=_(
            "Images on the old site are downloaded into this site's media and the posts "
            "point to them (as `broadsheet import wordpress --media download`). Without it "
            "they stay on the old site and the report counts them."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.IMPORT_UPLOAD_MAX_MB
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(
                gettext(
                    "The file is %(size)s MB; uploads here stop at %(limit)s MB "
                    "(IMPORT_UPLOAD_MAX_MB). Import it with `broadsheet import` on the server, "
                    "which has no limit."
                )
                % {
                    "size": number_format(round(upload.size / 1048576), force_grouping=True),
                    "limit": number_format(limit, force_grouping=True),
                }
            )
        if upload.size == 0:
            raise forms.ValidationError(gettext("The file is empty."))
        return upload


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ("file_name", "format", "status", "percent", "dry_run", "created_at")
    list_filter = ("format", "status")
    readonly_fields = (
        "format",
        "file_name",
        "file_size",
        "status",
        "percent",
        "dry_run",
        "media",
        "checkpoint",
        "started_by",
        "created_at",
        "updated_at",
        "report_text",
    )
    fields = readonly_fields
    change_form_template = "admin/importers/importrun/change_form.html"

    @admin.display(description=_("progress"))
    def percent(self, run: ImportRun) -> str:
        if run.status == ImportRun.Status.DONE:
            return "100%"
        if not run.progress_total:
            return "–"
        return f"{min(1.0, run.progress_done / run.progress_total):.0%}"

    @admin.display(description=_("report"))
    def report_text(self, run: ImportRun) -> str:
        return format_html(
            "<pre class='import-report'>{}</pre>", run.report or gettext("(not yet)")
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.has_add_permission(request):
            return HttpResponseRedirect(reverse("admin:importers_importrun_changelist"))
        form = ImportUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            run = self._store(request, form)
            messages.success(
                request,
                gettext(
                    "%(file)s is queued; the worker imports it and this page shows how far it "
                    "has got."
                )
                % {"file": run.file_name},
            )
            return HttpResponseRedirect(reverse("admin:importers_importrun_change", args=[run.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Import a file"),
            "form": form,
            "opts": self.model._meta,
            "limit_mb": settings.IMPORT_UPLOAD_MAX_MB,
        }
        return TemplateResponse(request, "admin/importers/importrun/upload.html", context)

    def _store(self, request: HttpRequest, form: ImportUploadForm) -> ImportRun:
        upload = form.cleaned_data["file"]
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        # The `imports` storage: DATA_DIR/imports, or the shared bucket that a worker on
        # another machine reads from (docs/deployment.md).
        name = storages["imports"].save(f"{uuid.uuid4().hex}.upload", upload)
        with transaction.atomic():
            run = ImportRun.objects.create(
                format=form.cleaned_data["format"],
                file_name=upload.name[:300],
                file_sha256=digest.hexdigest(),
                file_size=upload.size,
                stored_path=name,
                status=ImportRun.Status.QUEUED,
                dry_run=form.cleaned_data["dry_run"],
                media="download" if form.cleaned_data["copy_images"] else "keep",
                progress_total=upload.size,
                started_by=request.user if request.user.is_authenticated else None,
            )
            transaction.on_commit(lambda: run_import.enqueue(run.pk))
        return run

"""The notes in the admin: their settings, the notes (removed only through note_remove,
statuses only through scoring runs) and the runs, read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from broadsheet.core.admin import SingletonAdmin
from broadsheet.notes.models import Note, NoteSettings, ScoringRun
from broadsheet.notes.moderation import note_remove


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(NoteSettings)
class NoteSettingsAdmin(SingletonAdmin):
    fieldsets = (
        (None, {"fields": ("enabled",)}),
        (
            _("Who may write and rate"),
            {
                "fields": (
                    "min_account_days",
                    "require_verified_email",
                    "notes_per_day",
                    "ratings_per_hour",
                )
            },
        ),
        (
            _("Scoring (docs/notes-scorer.md)"),
            {
                "fields": (
                    "scoring_interval_minutes",
                    "min_ratings",
                    "shown_intercept",
                    "shown_max_factor",
                    "unhelpful_base",
                    "unhelpful_slope",
                    "lambda_intercept",
                    "lambda_factor",
                )
            },
        ),
    )


@admin.register(Note)
class NoteAdmin(_ReadOnly):
    """Read-only: a note breaking the rules is removed with the action below; its status is
    a scoring run's to change."""

    list_display = ("pk", "post", "status", "ratings_count", "intercept", "factor", "removed",
                    "created_at")  # fmt: skip
    list_filter = ("status", "removed")
    list_select_related = ("post",)
    search_fields = ("body",)
    date_hierarchy = "created_at"
    actions = ["remove"]

    def has_remove_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("notes.change_note")

    @admin.action(description=_("Remove the selected notes (they break the rules)"),
                  permissions=["remove"])  # fmt: skip
    def remove(self, request: HttpRequest, queryset: QuerySet[Note]) -> None:
        notes = list(queryset.filter(removed=False))
        for note in notes:
            note_remove(note=note, by=request.user)  # type: ignore[arg-type]
        self.message_user(
            request,
            ngettext("%(count)d note removed.", "%(count)d notes removed.", len(notes))
            % {"count": len(notes)},
            messages.SUCCESS,
        )


@admin.register(ScoringRun)
class ScoringRunAdmin(_ReadOnly):
    list_display = ("started_at", "duration_ms", "ratings", "ignored", "raters", "notes",
                    "changes")  # fmt: skip
    date_hierarchy = "started_at"

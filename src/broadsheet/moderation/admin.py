from __future__ import annotations

import ipaddress
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from broadsheet.moderation.bans import ban_create, ban_lift
from broadsheet.moderation.models import Ban, RemovalEntry, SpamToken


class BanForm(forms.ModelForm):
    class Meta:
        model = Ban
        fields = ("kind", "user", "value", "until", "reason", "hide_comments")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, value = data.get("kind"), (data.get("value") or "").strip()
        if kind == Ban.Kind.ACCOUNT and not data.get("user"):
            self.add_error("user", _("Choose the account to bar."))
        if kind == Ban.Kind.EMAIL and "@" not in value:
            self.add_error("value", _("Type the email address to bar, such as name@example.org."))
        if kind == Ban.Kind.NETWORK:
            try:
                ipaddress.ip_network(value, strict=False)
            except ValueError:
                self.add_error("value", _("Type an address or a range, such as 203.0.113.0/24."))
        return data


@admin.register(Ban)
class BanAdmin(admin.ModelAdmin):
    """Bans, listed with who made and who lifted them (the staff's log of them); made through
    moderation.bans.ban_create (which hides earlier comments when asked), lifted with the
    list's action, never edited or deleted: the record stays."""

    form = BanForm
    list_display = ("shown", "kind", "reason", "created_at", "until", "lifted_at", "created_by")
    list_filter = ("kind",)
    raw_id_fields = ("user",)
    actions = ("lift",)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Ban, form: Any, change: bool) -> None:
        if change:
            return
        made = ban_create(
            kind=obj.kind, value=obj.value, user=obj.user, until=obj.until, reason=obj.reason,
            hide_comments=obj.hide_comments, by=request.user,
        )  # fmt: skip
        obj.pk = made.pk

    @admin.action(description=_("Lift the selected bans now"))
    def lift(self, request: HttpRequest, queryset: Any) -> None:
        for ban in queryset:
            ban_lift(ban=ban, by=request.user)
        self.message_user(request, _("Lifted."))


@admin.register(RemovalEntry)
class RemovalEntryAdmin(admin.ModelAdmin):
    """The public log with who decided (readers never see that): written only by the
    moderators' decisions, so read-only here."""

    list_display = ("removed_at", "action", "shown_reason", "post", "comment", "moderator")
    list_filter = ("action",)
    date_hierarchy = "removed_at"
    list_select_related = ("post", "comment", "moderator")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SpamToken)
class SpamTokenAdmin(admin.ModelAdmin):
    """What the spam filter has learnt, open to inspection; only moderators' decisions change it."""

    list_display = ("token", "spam", "ham")
    search_fields = ("token",)
    ordering = ("-spam", "token")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

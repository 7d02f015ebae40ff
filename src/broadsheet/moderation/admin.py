from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from broadsheet.core.admin import SingletonAdmin
from broadsheet.moderation.models import DiscussionSettings, RemovalEntry, SpamToken


@admin.register(DiscussionSettings)
class DiscussionSettingsAdmin(SingletonAdmin):
    """Settings → Discussion, grouped as WordPress groups it, so its users find their way."""

    fieldsets = (
        ("Default post settings", {"fields": ("comments_open_by_default",)}),
        (
            "Other comment settings",
            {
                "fields": (
                    "require_name_email",
                    "comment_registration",
                    ("close_comments_for_old_posts", "close_comments_days_old"),
                    "show_comments_cookies_opt_in",
                    ("thread_comments", "thread_comments_depth"),
                    ("page_comments", "comments_per_page"),
                    "default_comments_page",
                    "comment_order",
                )
            },
        ),
        (
            "Before a comment appears",
            {"fields": ("comment_moderation", "comment_previously_approved")},
        ),
        (
            "Email me whenever",
            {"fields": ("comments_notify", "moderation_notify", "notification_digest_after")},
        ),
        ("Subscriptions", {"fields": ("show_subscription_options",)}),
        ("Comment moderation", {"fields": ("comment_max_links", "moderation_keys")}),
        ("Disallowed comment keys", {"fields": ("disallowed_keys",)}),
        ("Avatars", {"fields": ("show_avatars", "use_gravatar")}),
        ("Privacy", {"fields": ("ip_retention_days", "empty_trash_days")}),
        ("Spam guards", {"fields": ("minimum_seconds_on_page", "spam_threshold")}),
        ("Public moderation log", {"fields": ("public_moderation_log", "moderation_reasons")}),
    )


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

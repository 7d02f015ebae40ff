"""Settings → Discussion in the admin (comments themselves are moderated on the moderation
pages, not here)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from broadsheet.core.admin import SingletonAdmin
from broadsheet.discussion.models import DiscussionSettings


@admin.register(DiscussionSettings)
class DiscussionSettingsAdmin(SingletonAdmin):
    """Settings → Discussion, grouped as WordPress groups it, so its users find their way."""

    fieldsets = (
        (_("Default post settings"), {"fields": ("comments_open_by_default",)}),
        (
            _("Other comment settings"),
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
            _("Before a comment appears"),
            {"fields": ("comment_moderation", "comment_previously_approved")},
        ),
        (
            _("Email me whenever"),
            {"fields": ("comments_notify", "moderation_notify", "notification_digest_after")},
        ),
        (_("Subscriptions"), {"fields": ("show_subscription_options",)}),
        (_("Comment moderation"), {"fields": ("comment_max_links", "moderation_keys")}),
        (_("Disallowed comment keys"), {"fields": ("disallowed_keys",)}),
        (_("Avatars"), {"fields": ("show_avatars", "use_gravatar")}),
        (_("Privacy"), {"fields": ("ip_retention_days", "empty_trash_days")}),
        (_("Spam guards"), {"fields": ("minimum_seconds_on_page", "spam_threshold")}),
        (_("Public moderation log"), {"fields": ("public_moderation_log", "moderation_reasons")}),
        (
            _("Likes, pins and reports"),
            {
                "fields": (
                    ("comment_likes", "post_likes"),
                    "collapse_below",
                    "max_pinned",
                    "reports_to_hold",
                )
            },
        ),
    )

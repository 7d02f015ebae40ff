"""Webmentions in the admin: what was received and what was sent, read-only (rows change only
through the webmention actions), with the actions a moderator needs: check a mention again,
remove it (its comment deleted, as the moderators' Delete does), send again."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from broadsheet.webmention.models import Mention, Sent
from broadsheet.webmention.services import mention_receive, mention_remove, sents_queue


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Mention)
class MentionAdmin(_ReadOnly):
    list_display = ("pk", "kind", "status", "source", "post", "comment", "received_at",
                    "checked_at")  # fmt: skip
    list_filter = ("status", "kind")
    list_select_related = ("post", "comment")
    search_fields = ("source", "target", "reason")
    date_hierarchy = "received_at"
    readonly_fields = ("token", "source", "target", "post", "comment", "kind", "status",
                       "reason", "author_photo", "received_at", "checked_at")  # fmt: skip
    actions = ["check_again", "remove"]

    # Mentions are comments: whoever moderates comments sees and acts on them.
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("discussion.view_comment")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("discussion.view_comment")

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("discussion.change_comment")

    @admin.action(description=_("Check the selected mentions' sources again"),
                  permissions=["moderate"])  # fmt: skip
    def check_again(self, request: HttpRequest, queryset: QuerySet[Mention]) -> None:
        rows = list(queryset.select_related("post"))
        for mention in rows:
            mention_receive(source=mention.source, target=mention.target, post=mention.post)
        self.message_user(
            request,
            ngettext(
                "%(count)d mention queued to be checked again.",
                "%(count)d mentions queued to be checked again.",
                len(rows),
            )
            % {"count": len(rows)},
        )

    @admin.action(description=_("Remove the selected mentions (their comments are deleted)"),
                  permissions=["moderate"])  # fmt: skip
    def remove(self, request: HttpRequest, queryset: QuerySet[Mention]) -> None:
        rows = list(queryset.exclude(status=Mention.Status.REMOVED).select_related("comment"))
        for mention in rows:
            mention_remove(mention=mention, reason="Removed by a moderator.")
        self.message_user(
            request,
            ngettext("%(count)d mention removed.", "%(count)d mentions removed.", len(rows))
            % {"count": len(rows)},
            messages.SUCCESS,
        )


@admin.register(Sent)
class SentAdmin(_ReadOnly):
    list_display = ("pk", "post", "target", "status", "answer", "attempts", "tried_at")
    list_filter = ("status",)
    list_select_related = ("post",)
    search_fields = ("target", "endpoint", "reason")
    readonly_fields = ("post", "target", "endpoint", "status", "answer", "reason", "attempts",
                       "tried_at")  # fmt: skip
    actions = ["send_again"]

    # What an essay sent is its editors' business.
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("publishing.edit_others_posts")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("publishing.edit_others_posts")

    def has_send_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("publishing.edit_others_posts")

    @admin.action(description=_("Send the selected Webmentions again"), permissions=["send"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[Sent]) -> None:
        from broadsheet.webmention.tasks import send_one

        rows = list(queryset.select_related("post"))
        by_post: dict[int, list[Sent]] = {}
        for sent in rows:
            by_post.setdefault(sent.post_id, []).append(sent)
        for sents in by_post.values():
            for queued in sents_queue(post=sents[0].post, targets=[s.target for s in sents]):
                send_one.enqueue(queued.pk)
        self.message_user(
            request,
            ngettext(
                "%(count)d Webmention queued to be sent again.",
                "%(count)d Webmentions queued to be sent again.",
                len(rows),
            )
            % {"count": len(rows)},
        )

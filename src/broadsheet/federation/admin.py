"""The admin's view of federation: followers (for authors and administrators), blocks (the
moderators' action), remote actors (with "Block" as an action), deliveries."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from broadsheet.federation.models import Block, Delivery, Follower, RemoteActor
from broadsheet.federation.services import remote_block


@admin.register(Follower)
class FollowerAdmin(admin.ModelAdmin[Follower]):
    list_display = ("remote", "actor", "created_at")
    list_filter = ("actor",)
    search_fields = ("remote__uri", "remote__name")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin[Block]):
    list_display = ("target", "reason", "created_at")

    def save_model(self, request: HttpRequest, obj: Block, form: Any, change: bool) -> None:
        remote_block(target=obj.target, reason=obj.reason)


@admin.action(description=_("Block these actors' servers"))
def block_servers(modeladmin: Any, request: HttpRequest, queryset: QuerySet[RemoteActor]) -> None:
    for host in {actor.host for actor in queryset}:
        remote_block(target=host, reason="Blocked from the remote actors' list")
    messages.success(request, _("Blocked."))


@admin.action(description=_("Block these actors"))
def block_actors(modeladmin: Any, request: HttpRequest, queryset: QuerySet[RemoteActor]) -> None:
    for actor in queryset:
        remote_block(target=actor.uri, reason="Blocked from the remote actors' list")
    messages.success(request, _("Blocked."))


@admin.register(RemoteActor)
class RemoteActorAdmin(admin.ModelAdmin[RemoteActor]):
    list_display = ("uri", "name", "fetched_at")
    search_fields = ("uri", "name")
    actions = [block_actors, block_servers]
    readonly_fields = ("public_key_pem",)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    list_display = ("activity", "inbox", "status", "attempts", "answer", "tried_at")
    list_filter = ("status",)

"""WordPress's roles as Django groups: what each may do with posts and comments.

| role          | WordPress meaning                                   | here                                    |
|---------------|-----------------------------------------------------|-----------------------------------------|
| Administrator | everything                                          | every permission (and site settings)    |
| Editor        | publishes and edits anyone's posts, moderates       | posts, pages, taxonomy, comments        |
| Author        | publishes and edits own posts, uploads files        | posts (own), references, tags, images   |
| Contributor   | writes drafts, cannot publish or upload             | posts (own, drafts only); sees images   |
| Subscriber    | reads, comments, edits own profile                  | nothing in the admin                    |

Who reads and previews which post is `Post.is_visible_to` / `may_be_previewed_by` (decision
0022): others' drafts, scheduled and private posts only with edit_others_posts and
read_private_posts (Editors, Administrators); Authors and Contributors only their own (and a
Contributor edits only their own drafts).

Images (the media library): `media.add_mediaitem` is WordPress's upload_files (Authors and
up). Authors edit and delete the images they uploaded, Editors everyone's
(`may_change_image`); Contributors may look through the library and insert an image that has
its alt text, but not upload one.
"""

from __future__ import annotations

from typing import Any

ROLES: dict[str, list[str] | None] = {
    "Administrator": None,  # all permissions
    "Editor": [
        "publishing.add_post", "publishing.change_post", "publishing.delete_post", "publishing.view_post",
        "publishing.publish_post", "publishing.edit_others_posts", "publishing.read_private_posts",
        "publishing.add_reference", "publishing.change_reference", "publishing.delete_reference", "publishing.view_reference",
        "publishing.add_category", "publishing.change_category", "publishing.delete_category", "publishing.view_category",
        "publishing.add_tag", "publishing.change_tag", "publishing.delete_tag", "publishing.view_tag",
        "publishing.add_postauthor", "publishing.change_postauthor", "publishing.delete_postauthor", "publishing.view_postauthor",
        "discussion.view_comment", "discussion.change_comment", "discussion.delete_comment",
        "media.add_mediaitem", "media.change_mediaitem", "media.delete_mediaitem", "media.view_mediaitem",
    ],
    "Author": [
        "publishing.add_post", "publishing.change_post", "publishing.delete_post", "publishing.view_post",
        "publishing.publish_post",
        "publishing.add_reference", "publishing.change_reference", "publishing.delete_reference", "publishing.view_reference",
        "publishing.view_category", "publishing.add_tag", "publishing.view_tag",
        "publishing.add_postauthor", "publishing.change_postauthor", "publishing.view_postauthor",
        "media.add_mediaitem", "media.change_mediaitem", "media.delete_mediaitem", "media.view_mediaitem",
    ],
    "Contributor": [
        "publishing.add_post", "publishing.change_post", "publishing.view_post",
        "publishing.add_reference", "publishing.change_reference", "publishing.delete_reference", "publishing.view_reference",
        "publishing.view_category", "publishing.view_tag",
        "publishing.add_postauthor", "publishing.view_postauthor",
        "media.view_mediaitem",
    ],
    "Subscriber": [],
}  # fmt: skip

# Roles that work in the admin (Django's is_staff); subscribers never see it.
STAFF_ROLES = {"Administrator", "Editor", "Author", "Contributor"}


def ensure_roles(**kwargs: object) -> None:
    """Create the role groups with their permissions, idempotently.

    Run after migrations (and after `flush`, which empties the groups): connected to
    post_migrate, it acts on the signal for the last installed app that has models (apps
    without models get no signal), when every app's permissions exist.
    """
    from django.apps import apps
    from django.contrib.auth.models import Group, Permission

    sender = kwargs.get("sender")
    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender is not None and sender is not with_models[-1]:
        return
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        if codenames is None:
            group.permissions.set(Permission.objects.all())
            continue
        wanted: list[Permission] = []
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            wanted.extend(
                Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)


def may_upload(user: Any) -> bool:
    """WordPress's upload_files: Authors, Editors, Administrators."""
    return bool(user.has_perm("media.add_mediaitem"))


def may_change_image(user: Any, item: Any) -> bool:
    """Authors their own uploads, Editors and Administrators any image (WordPress's
    edit_posts / edit_others_posts on attachments)."""
    if not user.has_perm("media.change_mediaitem"):
        return False
    return item.uploader_id == user.pk or bool(user.has_perm("publishing.edit_others_posts"))

"""A post's references changed one at a time (the studio's references page): add (pasted,
typed or reused from another essay), update, delete.

Each action saves the post through `post_save` with its whole list of references, so the
change is rendered (bibliography, citations), kept as a revision like any other save, and
declared for the page cache and search by the one action that does that for every save.
References are named by their key, unique within a post (a reference added under a key the
post already has gets a letter: marsh1998 → marsh1998b, as author–date styles do).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.http import Http404

from broadsheet.accounts.models import User
from broadsheet.core.effects import action
from broadsheet.publishing.citations import reference_key
from broadsheet.publishing.models import Post, Reference

# The columns a writer gives a reference (not its post, place in the list or rendered HTML).
COLUMNS = [
    f.name
    for f in Reference._meta.concrete_fields
    if f.name not in ("id", "post", "position", "html")
]
_LETTERS = "bcdefghijklmnopqrstuvwxyz"


def reference_values(reference: Reference) -> dict[str, Any]:
    return {name: getattr(reference, name) for name in COLUMNS}


def unique_key(key: str, taken: Iterable[str]) -> str:
    """`key`, or with a letter (then a number) added when the post has it already."""
    taken = set(taken)
    key = key[:78] or "ref"
    if key not in taken:
        return key
    for suffix in [*_LETTERS, *(str(n) for n in range(2, 10_000))]:
        if f"{key}{suffix}" not in taken:
            return f"{key}{suffix}"
    raise ValueError("no free key")  # ten thousand references with one key: not an essay


def _editable(post: Post, by: User | None) -> list[dict[str, Any]]:
    """The post's references as field dicts, once `by` may edit it (None: the system)."""
    if by is not None and not post.is_editable_by(by):
        raise PermissionDenied("You may not edit this post's references.")
    return [reference_values(r) for r in post.references.all()]


def _save(post: Post, references: list[dict[str, Any]], by: User | None) -> None:
    from broadsheet.publishing.services import post_save

    post_save(post=post, references=references, by=by)


def _index(references: list[dict[str, Any]], key: str) -> int:
    for index, values in enumerate(references):
        if values["key"] == key:
            return index
    raise Http404(f"This post has no reference with the key {key!r}.")


@action
def references_add(*, post: Post, entries: Sequence[dict[str, Any]], by: User | None) -> list[str]:
    """Add references (Reference field dicts, as publishing.bibformats reads them) at the end
    of the post's list; returns their keys, made unique within the post."""
    references = _editable(post, by)
    taken = {values["key"] for values in references}
    keys = []
    for entry in entries:
        values = {name: value for name, value in entry.items() if name in COLUMNS}
        values["key"] = unique_key(values.get("key") or reference_key(Reference(**values)), taken)
        taken.add(values["key"])
        keys.append(values["key"])
        references.append(values)
    _save(post, references, by)
    return keys


@action
def reference_update(*, post: Post, key: str, fields: dict[str, Any], by: User | None) -> str:
    """Change the reference `key` of the post (a new key stays unique); returns its key."""
    references = _editable(post, by)
    index = _index(references, key)
    values = {**references[index], **{k: v for k, v in fields.items() if k in COLUMNS}}
    others = [r["key"] for i, r in enumerate(references) if i != index]
    values["key"] = unique_key(values.get("key") or reference_key(Reference(**values)), others)
    references[index] = values
    _save(post, references, by)
    return str(values["key"])


@action
def reference_delete(*, post: Post, key: str, by: User | None) -> None:
    """Remove the reference `key` from the post (its earlier revisions keep it)."""
    references = _editable(post, by)
    del references[_index(references, key)]
    _save(post, references, by)


def references_reusable(*, user: Any, query: str, post: Post, limit: int = 20) -> list[Reference]:
    """References of other posts this writer may see (their own, the public ones, and all for
    Editors), matching `query` in the title, key, container or names; the same work once."""
    posts = Post.objects.in_admin_for(user) | Post.objects.visible(user)
    found = (
        Reference.objects.filter(post__in=posts.values("pk"))
        .exclude(post=post)
        .select_related("post")
        .order_by("-id")
    )
    words = query.split()[:6]
    if words:
        found = found.annotate(names=Cast("contributors", TextField()))
        for word in words:
            found = found.filter(
                Q(title__icontains=word)
                | Q(key__icontains=word)
                | Q(container_title__icontains=word)
                | Q(names__icontains=word)
            )
    seen: set[tuple[str, str, str]] = set()
    unique = []
    for reference in found[: limit * 3]:
        same = (reference.title.casefold(), reference.issued, str(reference.contributors))
        if same not in seen:
            seen.add(same)
            unique.append(reference)
    return unique[:limit]


def reference_reusable(*, user: Any, pk: int, post: Post) -> Reference:
    """One reference `references_reusable` could offer, or a 404 (a forged id tells nothing)."""
    posts = Post.objects.in_admin_for(user) | Post.objects.visible(user)
    found = Reference.objects.filter(pk=pk, post__in=posts.values("pk")).exclude(post=post)
    reference = found.first()
    if reference is None:
        raise Http404("No such reference.")
    return reference

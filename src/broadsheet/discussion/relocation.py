"""Responses that know the essay changed: when a post's text becomes a new published version,
the worker finds every anchor of its discussion again in that text (decision 0050).

Publishing is below the discussion, so it only declares that a version was published (the
`post_version` effect); the discussion does the rest after the commit, in the worker: the
editor's save neither waits for it nor fails with it, and a relocation that fails is done by
the next version's, which takes every anchor not yet located in the current text.

Each anchor is looked for from where it was last found (`located_version`, the `current_*`
columns), so an essay revised a little at a time is followed step by step; one already
orphaned is looked for again from the words the reader responded to, in case they came back
(a restored revision). Its state always says how its words now compare to those: the same
words where they were (intact) or elsewhere (moved), changed (edited), or gone (orphaned).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from broadsheet.core import anchoring, effects
from broadsheet.core.anchoring import CONTEXT, Passage, Relocation, Selector
from broadsheet.core.effects import action
from broadsheet.discussion.models import Anchor
from broadsheet.publishing.models import Post, Revision
from broadsheet.publishing.passages import post_passages
from broadsheet.publishing.versions import version_post

_LOCATED = ["state", "current_passage", "current_exact", "current_start", "current_end"]


@action
def anchors_relocate(*, post_id: int) -> int:
    """Find every anchor of the post that is not located in its current version again there;
    returns how many now read differently (their cards and the post's page are refreshed)."""
    # Locked as a save locks it: a version published meanwhile waits, then relocates again.
    post = Post.objects.select_for_update().filter(pk=post_id).first()
    if post is None or not post.version:
        return 0
    anchors = list(
        Anchor.objects.filter(post_id=post_id, version__isnull=False).exclude(
            located_version=post.version
        )
    )
    if not anchors:
        return 0
    new = post_passages(post)
    texts = _Versions(post)
    changed: list[Anchor] = []
    left: list[int] = []
    for version, group in _by_source(anchors).items():
        old = texts.passages(version)
        if old is None:  # that version's text is gone: left as it was
            left.extend(anchor.pk for anchor in group)
            continue
        selectors = [_selector(anchor, version, old) for anchor in group]
        for anchor, found in zip(group, anchoring.relocate(selectors, old, new), strict=True):
            if _located(anchor, found, post.version):
                changed.append(anchor)
    _write(post, changed, left)
    if changed:
        effects.cards(comments=[anchor.comment_id for anchor in changed])
        effects.pages(posts=[post_id], listings=True)  # the comment feeds quote them too
    return len(changed)


def _write(post: Post, changed: Sequence[Anchor], left: Sequence[int]) -> None:
    """Every anchor asked about is now located in the post's version: one statement, and one
    per anchor that moved or changed (usually few; bulk_update took seconds for a thousand).
    The post row is locked: an anchor written since was made on this version already."""
    for anchor in changed:
        Anchor.objects.filter(pk=anchor.pk).update(**{f: getattr(anchor, f) for f in _LOCATED})
    unlocated = Anchor.objects.filter(post_id=post.pk, version__isnull=False).exclude(
        located_version=post.version
    )
    unlocated.exclude(pk__in=left).update(located_version=post.version)


def _from_original(anchor: Anchor) -> bool:
    return (
        anchor.state == Anchor.State.ORPHANED
        or anchor.located_version in (None, anchor.version)
        or anchor.current_start is None
        or anchor.current_end is None
    )


def _by_source(anchors: Sequence[Anchor]) -> dict[int, list[Anchor]]:
    """The anchors by the version each is looked for from."""
    groups: dict[int, list[Anchor]] = defaultdict(list)
    for anchor in anchors:
        source = anchor.version if _from_original(anchor) else anchor.located_version
        assert source is not None  # anchors without a version are not relocated
        groups[source].append(anchor)
    return groups


def _selector(anchor: Anchor, version: int, old: Sequence[Passage]) -> Selector:
    """Where the anchor is in `version`: the reader's selection, or where it was last found
    (its context taken from that version's text)."""
    original = Selector(
        passage=anchor.passage, exact=anchor.exact, prefix=anchor.prefix,
        suffix=anchor.suffix, start=anchor.start, end=anchor.end,
    )  # fmt: skip
    if version == anchor.version:
        return original
    text = next((p.text for p in old if p.id == anchor.current_passage), None)
    start, end = anchor.current_start or 0, anchor.current_end or 0
    if text is None or text[start:end] != anchor.current_exact:
        return original  # not where the row says: look for what the reader chose instead
    return Selector(
        passage=anchor.current_passage, exact=anchor.current_exact,
        prefix=text[max(0, start - CONTEXT) : start], suffix=text[end : end + CONTEXT],
        start=start, end=end,
    )  # fmt: skip


def _located(anchor: Anchor, found: Relocation, version: int) -> bool:
    """Write where the anchor is now into its row; whether readers see a difference."""
    before = [getattr(anchor, name) for name in _LOCATED]
    anchor.located_version = version
    where = found.selector
    if found.state == "orphaned" or where is None:
        anchor.state = Anchor.State.ORPHANED
        anchor.current_passage, anchor.current_exact = "", ""
        anchor.current_start = anchor.current_end = None
    else:
        if where.exact != anchor.exact:
            anchor.state = Anchor.State.EDITED
        elif (where.passage, where.start) == (anchor.passage, anchor.start):
            anchor.state = Anchor.State.INTACT
        else:
            anchor.state = Anchor.State.MOVED
        anchor.current_passage, anchor.current_exact = where.passage, where.exact
        anchor.current_start, anchor.current_end = where.start, where.end
    return before != [getattr(anchor, name) for name in _LOCATED]


class _Versions:
    """The passages of the post's published versions, each rendered once when first asked."""

    def __init__(self, post: Post) -> None:
        self.post = post
        self.found: dict[int, list[Passage] | None] = {}

    def passages(self, version: int) -> list[Passage] | None:
        if version not in self.found:
            revision = Revision.objects.filter(post_id=self.post.pk, version=version).first()
            self.found[version] = (
                None
                if revision is None
                else post_passages(self.post)
                if version == self.post.version
                else post_passages(version_post(self.post, revision))
            )
        return self.found[version]

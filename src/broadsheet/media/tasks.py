"""The worker's part of the media library: responsive variants, written after the upload's
request has answered."""

from __future__ import annotations

from django_tasks import task


@task()
def make_variants(item_id: int) -> int:
    """Write the variants of an uploaded image; returns how many files were written."""
    from broadsheet.media.services import variants_write

    return variants_write(item_id=item_id)

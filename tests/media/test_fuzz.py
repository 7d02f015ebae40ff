"""Damaged images: whatever bytes arrive, an upload is taken or refused in words (ImageRefused),
never a crash with another exception (which would be a 500)."""

from __future__ import annotations

import io

from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from broadsheet.media.images import FORMATS, ImageRefused, clean_upload, variants
from tests.media.images import photo

SEEDS = [photo(64, 48, kind=kind) for kind in FORMATS]


@given(
    seed=st.sampled_from(SEEDS),
    cut=st.integers(min_value=0, max_value=4000),
    flips=st.lists(st.tuples(st.integers(0, 4000), st.integers(0, 255)), max_size=8),
)
def test_damaged_images_are_taken_or_refused_in_words(
    seed: bytes, cut: int, flips: list[tuple[int, int]]
) -> None:
    data = bytearray(seed[: max(cut, 1)] if cut < len(seed) else seed)
    for at, value in flips:
        if at < len(data):
            data[at] = value
    try:
        clean = clean_upload(bytes(data))
    except ImageRefused:
        return
    assert Image.open(io.BytesIO(clean.data)).size == (clean.width, clean.height)
    list(variants(io.BytesIO(clean.data), widths=(16,)))

"""Screenshots that do not wait on the page's animation frames.

An element screenshot first waits until the element is "stable" over two animation frames.
A tab that has been behind a popup may get none for a while, and the wait then runs out.
A page screenshot clipped to the element's box asks the browser for a frame instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def element_shot(locator: Any, path: Path) -> None:
    page = locator.page
    box = locator.bounding_box()
    assert box is not None, "the element to picture is not shown"
    scroll_x, scroll_y = page.evaluate("[window.scrollX, window.scrollY]")
    clip = {"x": box["x"] + scroll_x, "y": box["y"] + scroll_y,
            "width": box["width"], "height": box["height"]}  # fmt: skip
    page.screenshot(path=str(path), full_page=True, clip=clip)

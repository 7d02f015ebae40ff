"""Rating reasons are checked against the rating they explain."""

from __future__ import annotations

import pytest

from broadsheet.notes.reasons import (
    HELPFUL,
    NOT_HELPFUL,
    BadReasons,
    checked_reasons,
    reasons_for,
)


def test_each_rating_offers_its_reasons_and_somewhat_both() -> None:
    assert reasons_for("helpful") == HELPFUL
    assert reasons_for("not_helpful") == NOT_HELPFUL
    assert set(reasons_for("somewhat")) == set(HELPFUL) | set(NOT_HELPFUL)
    assert reasons_for("forged") == {}


def test_reasons_are_kept_once_in_the_lists_order() -> None:
    assert checked_reasons("helpful", ["clear", "good_sources", "clear"]) == [
        "good_sources",
        "clear",
    ]
    assert checked_reasons("somewhat", ["opinion", "clear"]) == ["clear", "opinion"]
    assert checked_reasons("not_helpful", []) == []


def test_a_reason_of_the_other_side_is_refused_by_name() -> None:
    with pytest.raises(
        BadReasons, match="“Opinion or speculation” is a reason for a note that is not helpful"
    ):
        checked_reasons("helpful", ["opinion"])
    with pytest.raises(
        BadReasons, match="“Easy to understand” is a reason for a note that is helpful"
    ):
        checked_reasons("not_helpful", ["clear"])


def test_an_unknown_reason_is_refused() -> None:
    with pytest.raises(BadReasons, match="not one we offer"):
        checked_reasons("somewhat", ["<script>"])

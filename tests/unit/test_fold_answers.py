"""The fold keeps the latest rating's answers: the citizen's replaces a default, 是否解决."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from projections.caserow import OFFICE, fold_all
from tests.unit.test_fold import CAL, T0, life


def rated(hours: float, **fields: Any) -> tuple[str, Any, dict[str, Any]]:
    """A Rated event some hours after T0 on a published case."""
    return ("Rated", T0 + timedelta(hours=hours),
            {"holder": OFFICE, "status": "published", "channel": "电话回访", **fields})


def published() -> list[tuple[str, Any, dict[str, Any]]]:
    """Claim, result and publication on the first day."""
    return [("Claimed", T0 + timedelta(hours=2), {"holder": "CGJ", "status": "claimed"}),
            ("ReplySubmitted", T0 + timedelta(hours=3), {"holder": OFFICE,
                                                         "status": "reply_submitted"}),
            ("ReplyPublished", T0 + timedelta(hours=4), {"holder": OFFICE,
                                                         "status": "published", "text": "已处理"})]


def test_a_citizens_rating_after_a_default_replaces_it_in_the_row() -> None:
    row = fold_all(life(*published(), rated(30, rating="满意", default=True),
                        rated(50, rating="不满意", default=False, resolved=False)), CAL)["C1"]
    assert (row.rating, row.rating_default, row.resolved) == ("不满意", False, False)
    assert row.rated_at == T0 + timedelta(hours=50)


def test_resolved_is_kept_as_the_citizen_said_and_none_when_not_asked() -> None:
    solved = fold_all(life(*published(), rated(30, rating="满意", resolved=True)), CAL)["C1"]
    assert solved.resolved is True
    unasked = fold_all(life(*published(), rated(30, rating="满意")), CAL)["C1"]
    assert unasked.resolved is None
    default = fold_all(life(*published(), rated(30, rating="满意", default=True,
                                                resolved=None)), CAL)["C1"]
    assert (default.rating_default, default.resolved) == (True, None)

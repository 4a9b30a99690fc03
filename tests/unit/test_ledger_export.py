"""What a ledger row keeps of a case: one pass through the chain, as legal actions."""

from __future__ import annotations

from typing import Any

from wenzheng.ledger.export import ledger_row, ledger_subset


def act(kind: str, at: str, **fields: Any) -> dict[str, Any]:
    """A minimal action dict."""
    return {"id": f"x-{kind}-{at}", "action": kind, "case": "C-1",
            "at": f"2025-03-{at}+08:00", "by": "t", **fields}


def story() -> list[dict[str, Any]]:
    """Disputed once, reassigned, sent back once, rated twice."""
    return [
        act("register", "03T09:00:00", source="市长信箱", title="t", content="c",
            category="投诉", priority="一般", region="清河区"),
        act("assign", "03T10:00:00", department="ZRJ"),
        act("dispute", "03T11:00:00", reason="不属于本单位"),
        act("assign", "04T09:00:00", department="CGJ"),
        act("claim", "04T10:00:00"),
        act("submit_reply", "05T10:00:00", text="a"),
        act("return", "05T15:00:00", reason="不完整"),
        act("submit_reply", "06T10:00:00", text="b"),
        act("publish_reply", "06T11:00:00", text="reply"),
        act("rate", "07T11:00:00", rating="不满意", channel="网民评议"),
        act("close", "07T15:00:00"),
    ]


def test_the_subset_keeps_the_last_assignment_result_and_rating() -> None:
    kept = ledger_subset(story())
    assert [(a["action"], a["at"][8:10]) for a in kept] == [
        ("register", "03"), ("assign", "04"), ("claim", "04"), ("submit_reply", "06"),
        ("publish_reply", "06"), ("rate", "07"), ("close", "07")]


def test_a_result_sent_back_and_not_yet_reported_again_shows_as_in_handling() -> None:
    acts = story()[:7]
    assert [a["action"] for a in ledger_subset(acts)] == ["register", "assign", "claim"]


def test_the_row_names_the_department_and_marks_default_ratings() -> None:
    acts = story()
    acts[9] = act("rate", "07T11:00:00", rating="满意", channel="系统默认", default=True)
    row = ledger_row(ledger_subset(acts), {"CGJ": "市城市管理和综合执法局"})
    assert row["department"] == "市城市管理和综合执法局"
    assert row["rating"] == "默认满意" and row["rating_channel"] is None
    assert row["replied_at"].isoformat() == "2025-03-06T11:00:00"

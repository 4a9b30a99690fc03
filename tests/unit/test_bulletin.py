"""The bulletin's content from a month's inputs, without I/O."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from scorecards.bulletin import MonthInputs, build_bulletin, differences
from scorecards.casefacts import CaseFact
from scorecards.exposure import Entry
from scorecards.render_md import render_markdown
from scorecards.rules import Rules
from scorecards.scoring import Unit, score_units

RULES = Rules(version="测试-1", min_volume_month=2)
UNITS = [*(Unit(f"D{i}", f"第{i}局", "市直部门") for i in range(1, 13)),
         Unit("X1", "一区", "县市区")]
GOOD = CaseFact(number="N", department="D1", category="投诉", title="诉求", claimed_on_time=True,
                replied=True, closed=True, rating="满意", rating_default=False,
                overdue_stage=None, overdue_charged_to=None, replied_late_by=None,
                supervised=0, referred=0)


def facts_for(month: str) -> list[CaseFact]:
    """Unit Di has i−1 of its 12 cases not closed, so D1 scores best; X1 has one case."""
    out = []
    for i in range(1, 13):
        for k in range(12):
            out.append(replace(GOOD, number=f"{month}-D{i}-{k}", department=f"D{i}",
                               closed=k >= i - 1, category="咨询" if k == 0 else "投诉"))
    out.append(replace(GOOD, number=f"{month}-X1-0", department="X1", closed=False,
                       overdue_stage="reply", overdue_charged_to="X1", supervised=1))
    return out


def entry(case: str, department: str) -> Entry:
    """An overdue exposure entry."""
    return Entry(rule="overdue", reason="超期", case=case, department=department,
                 department_name=department, demand="诉求", handling="办理中",
                 assigned_at=None, deadline=None, event_at=None)


def inputs(month: str, received: int, exposure: tuple[Entry, ...] = ()) -> MonthInputs:
    """A month's inputs with a total of `received`."""
    facts = facts_for(month)
    sheet = score_units(UNITS, facts, exposure, RULES, RULES.min_volume_month,
                        (f"{month}-01", f"{month}-28"), f"{month}-28T23:59:59+08:00")
    total: dict[str, Any] = {"received": received, "replied": received, "reply_rate": 0.5,
                             "on_time_rate": None, "completion_rate": 0.25,
                             "satisfaction_rate": 1.0, "rework_rate": 0.0, "overdue_open": 1}
    return MonthInputs(month, f"{month}-28T23:59:59+08:00", {"total": total}, sheet,
                       tuple(facts), exposure, {u.code: u.name for u in UNITS})


def bulletin(exposure_now: tuple[Entry, ...] = (), received: int = 49) -> Any:
    """November compared with October."""
    return build_bulletin(inputs("2025-11", received, exposure_now),
                          inputs("2025-10", 40, (entry("2025-10-D9-0", "D9"),)), RULES,
                          "示范市", "办公室")


def test_praise_is_the_top_five_and_criticism_the_bottom_five_ranked_units() -> None:
    b = bulletin()
    assert [r.code for r in b.praise] == ["D1", "D2", "D3", "D4", "D5"]
    assert [r.code for r in b.criticism] == ["D12", "D11", "D10", "D9", "D8"]
    assert "X1" not in {r.code for r in b.rankings} | {r.code for r in b.criticism}
    assert [r.code for r in b.unranked] == ["X1"]


def test_units_with_overdue_cases_are_asked_to_explain_naming_the_cases() -> None:
    b = bulletin()
    assert [(c.department, c.note) for c in b.to_explain] == [("一区", "2025-11-X1-0")]
    assert [c.number for c in b.overdue] == ["2025-11-X1-0"]
    assert [c.number for c in b.supervised] == ["2025-11-X1-0"]


def test_month_over_month_change_is_this_month_minus_last() -> None:
    overall = {f.key: f for f in bulletin().overall}
    assert (overall["received"].this, overall["received"].last) == (49, 40)
    assert overall["received"].change == 9
    assert overall["on_time_rate"].change is None


def test_only_exposure_entries_new_since_last_month_are_listed() -> None:
    b = bulletin((entry("2025-10-D9-0", "D9"), entry("2025-11-D7-0", "D7")))
    assert [c.number for c in b.new_exposure] == ["2025-11-D7-0"]


def test_the_most_frequent_categories_come_first() -> None:
    assert bulletin().categories == (("投诉", 133), ("咨询", 12))


def test_the_content_hash_is_stable_and_changes_with_any_figure() -> None:
    assert bulletin().content_hash() == bulletin().content_hash()
    assert bulletin(received=50).content_hash() != bulletin().content_hash()
    assert render_markdown(bulletin()) == render_markdown(bulletin())


def test_differences_name_the_changed_figure_by_its_key() -> None:
    lines = differences(bulletin().as_dict(), bulletin(received=50).as_dict())
    assert lines == ["overall.received.change: 9 → 10", "overall.received.this: 49 → 50",
                     "overall.replied.change: 9 → 10", "overall.replied.this: 49 → 50"]

"""The snapshot's pure parts: encoding round trip, what it keeps, when it is fresh, its key."""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import date, datetime, timedelta

from domain.calendar import BUSINESS_TZ, end_of_day
from scorecards.assess import Context
from scorecards.exposure import ExposureRules
from scorecards.rules import Rules
from scorecards.scoring import Scorecard, Unit
from scorecards.snapshot import Snapshot, card_from, is_fresh, snapshot_key, without_lists
from tests.unit.test_scoring import Entry, cases, sheet

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=BUSINESS_TZ)
DAY_END = end_of_day(date(2025, 12, 31))


def scored() -> list[Scorecard]:
    """Cards with misses and deductions in every list."""
    facts = (cases("D1", 3) + cases("D1", 2, "X", claimed_on_time=False, supervised=1)
             + cases("D2", 2, rating="不满意", overdue_stage="reply",
                     overdue_charged_to="D2", referred=1))
    return list(sheet(facts, entries=(Entry("D2-00", "D2", "overdue"),)).cards)


def snap(as_of: datetime, position: str = "7", computed_at: datetime = NOW) -> Snapshot:
    """A stored snapshot as of a moment."""
    summary = replace(sheet(cases("D1", 1)), as_of=as_of.isoformat())
    return Snapshot("id", "key", summary, position, computed_at.isoformat())


def test_a_card_comes_back_from_its_stored_form_unchanged() -> None:
    for card in scored():
        back = card_from(asdict(card))
        assert back == card and back.explanation() == card.explanation()


def test_the_summary_keeps_the_figures_and_drops_only_the_case_lists() -> None:
    for card in scored():
        light = without_lists(card)
        assert all(not r.misses for r in light.rates)
        assert all(not d.items for d in light.deductions)
        assert [(r.hits, r.total, r.value) for r in light.rates] == \
            [(r.hits, r.total, r.value) for r in card.rates]
        assert [d.points for d in light.deductions] == [d.points for d in card.deductions]
        assert (light.score, light.rank, light.grade, light.deducted) == \
            (card.score, card.rank, card.grade, card.deducted)
    assert any(r.misses for c in scored() for r in c.rates)


def test_a_past_day_is_fresh_only_at_its_end_and_at_the_current_position() -> None:
    assert is_fresh(snap(DAY_END), "7", DAY_END, NOW)
    assert not is_fresh(snap(DAY_END), "8", DAY_END, NOW)
    midday = datetime(2025, 12, 31, 12, 0, tzinfo=BUSINESS_TZ)
    assert not is_fresh(snap(midday), "7", DAY_END, NOW)


def test_today_is_fresh_at_the_current_position_whatever_its_moment() -> None:
    morning = datetime(2026, 1, 5, 8, 0, tzinfo=BUSINESS_TZ)
    assert is_fresh(snap(morning), "7", morning + timedelta(minutes=55), NOW)
    assert not is_fresh(snap(morning), "9+k3", morning + timedelta(minutes=55), NOW)


def test_a_young_enough_snapshot_is_fresh_when_an_age_is_allowed() -> None:
    stored = snap(DAY_END, "7", NOW - timedelta(minutes=4))
    assert is_fresh(stored, "8", DAY_END, NOW, timedelta(minutes=5))
    assert not is_fresh(stored, "8", DAY_END, NOW, timedelta(minutes=3))
    assert not is_fresh(stored, "8", DAY_END, NOW)


def test_the_key_changes_with_the_day_the_rules_and_the_peer_groups() -> None:
    units = (Unit("D1", "一局", "A"), Unit("D2", "二局", "A"))
    ctx = Context(units, "办", "市", ExposureRules(), None)  # type: ignore[arg-type]
    key = snapshot_key(ctx, Rules(), 2025, date(2025, 12, 31), 10)
    assert key == snapshot_key(ctx, Rules(), 2025, date(2025, 12, 31), 10)
    regrouped = replace(ctx, units=(units[0], replace(units[1], group="B")))
    others = [snapshot_key(ctx, Rules(), 2025, date(2025, 12, 30), 10),
              snapshot_key(ctx, Rules(), 2025, date(2025, 12, 31), 20),
              snapshot_key(ctx, Rules(version="v2"), 2025, date(2025, 12, 31), 10),
              snapshot_key(regrouped, Rules(), 2025, date(2025, 12, 31), 10),
              snapshot_key(replace(ctx, exposure_rules=ExposureRules(returned_times=3)),
                           Rules(), 2025, date(2025, 12, 31), 10)]
    assert len({key, *others}) == 6

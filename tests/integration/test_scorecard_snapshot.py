"""The stored scorecard snapshot on SQLite and PostgreSQL: same as computing, kept while current."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from domain.calendar import BUSINESS_TZ, end_of_day
from projections.db import Database
from scorecards import snapshot
from scorecards.assess import score_period
from tests.integration.test_bulletin_golden import NOV, SCORING, handled, month_actions, neglected
from tests.integration.test_projection_sqlite import write_jsonl
from wenzheng.bootstrap.readside import open_caught_up as caught_up
from wenzheng.bootstrap.scorer import context, rules_for
from wenzheng.cli import main
from wenzheng.home import Home

YEAR = 2025
AS_OF = end_of_day(date(2025, 12, 31))
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=BUSINESS_TZ)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def home(request: pytest.FixtureRequest, tmp_path: Path,
         monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home with two months of cases, on the embedded read models or on PostgreSQL."""
    if request.param == "postgres":
        monkeypatch.setenv("WENZHENG_DATABASE_URL", request.getfixturevalue("postgres_schema_url"))
    else:
        monkeypatch.delenv("WENZHENG_DATABASE_URL", raising=False)
    root = tmp_path / "home"
    assert main(["--home", str(root), "init"]) == 0
    with (root / "wenzheng.toml").open("a", encoding="utf-8") as f:
        f.write(SCORING)
    assert main(["--home", str(root), "apply",
                 str(write_jsonl(tmp_path / "a.jsonl", month_actions()))]) == 0
    return root


@pytest.fixture
def db(home: Path) -> Iterator[Database]:
    """The home's read models, caught up with the store."""
    database, _ = caught_up(Home(home))
    yield database
    database.close()


def fresh(home: Path, db: Database, as_of: datetime = AS_OF) -> snapshot.ScoreSheet:
    """The year's sheet computed from the read models, as `wenzheng scorecard` does."""
    rules = rules_for(Home(home), YEAR, None)
    sheet, _ = score_period(db, context(Home(home)), rules, date(YEAR, 1, 1),
                            date(YEAR, 12, 31), as_of, rules.min_volume_year)
    return sheet


def assess(home: Path, db: Database, as_of: datetime = AS_OF, now: datetime = NOW,
           max_age: timedelta | None = None) -> tuple[snapshot.Snapshot, bool]:
    """The app's way to the assessment: stored when fresh, else computed and stored."""
    return snapshot.assessment(db, context(Home(home)), rules_for(Home(home), YEAR, None), YEAR,
                               as_of, now, max_age)


def test_the_stored_snapshot_gives_exactly_the_ranking_and_explanations_of_computing_afresh(
        home: Path, db: Database) -> None:
    expected = fresh(home, db)
    first, computed = assess(home, db)
    assert computed
    again, computed_again = assess(home, db)
    assert not computed_again and again.snapshot_id == first.snapshot_id
    assert again.summary == first.summary
    whole = snapshot.full_sheet(db, again)
    assert whole == expected and whole.as_dict() == expected.as_dict()
    for card in expected.cards:
        stored = snapshot.card(db, again.snapshot_id, card.code)
        assert stored == card and stored.explanation() == card.explanation()
        light = again.summary.card(card.code)
        assert (light.rank, light.score, light.grade, light.deducted, light.received) == \
            (card.rank, card.score, card.grade, card.deducted, card.received)
    gaj = snapshot.card(db, again.snapshot_id, "GAJ")
    assert gaj is not None and any("11-G2" in line for line in gaj.explanation())
    assert again.computed_at == NOW.isoformat() and again.position == snapshot.read_position(db)


def test_the_snapshot_is_computed_again_when_the_read_models_move_on(
        home: Path, db: Database, tmp_path: Path) -> None:
    before, _ = assess(home, db)
    assert before.summary.card("GAJ").received == 4
    more = [*handled(NOV, "11-G3", "GAJ"), *neglected(NOV, "11-G4", "GAJ")]
    assert main(["--home", str(home), "apply", str(write_jsonl(tmp_path / "b.jsonl", more))]) == 0
    moved, _ = caught_up(Home(home))
    try:
        after, computed = assess(home, moved)
        assert computed and after.position != before.position
        assert after.summary.card("GAJ").received == 6
        assert snapshot.full_sheet(moved, after) == fresh(home, moved)
        assert snapshot.card(moved, before.snapshot_id, "GAJ") is None  # replaced, not kept
    finally:
        moved.close()


def test_a_young_snapshot_is_used_when_allowed_even_after_the_read_models_moved_on(
        home: Path, db: Database, tmp_path: Path) -> None:
    before, _ = assess(home, db)
    more = handled(NOV, "11-G3", "GAJ")
    assert main(["--home", str(home), "apply", str(write_jsonl(tmp_path / "b.jsonl", more))]) == 0
    moved, _ = caught_up(Home(home))
    try:
        young, computed = assess(home, moved, now=NOW + timedelta(minutes=9),
                                 max_age=timedelta(minutes=10))
        assert not computed and young.snapshot_id == before.snapshot_id
        old, computed = assess(home, moved, now=NOW + timedelta(minutes=11),
                               max_age=timedelta(minutes=10))
        assert computed and old.summary.card("GAJ").received == 5
    finally:
        moved.close()


def test_a_past_day_asked_at_its_end_is_not_served_by_a_snapshot_taken_during_that_day(
        home: Path, db: Database) -> None:
    midday = datetime(2025, 12, 31, 12, 0, tzinfo=BUSINESS_TZ)
    during, computed = assess(home, db, as_of=midday)
    assert computed and during.as_of_moment() == midday
    later_today, computed = assess(home, db, as_of=midday + timedelta(hours=2))
    assert not computed and later_today.snapshot_id == during.snapshot_id
    at_end, computed = assess(home, db, as_of=AS_OF)
    assert computed and at_end.as_of_moment() == AS_OF
    assert snapshot.full_sheet(db, at_end) == fresh(home, db, AS_OF)


def test_a_changed_rule_is_a_different_snapshot(home: Path, db: Database) -> None:
    first, _ = assess(home, db)
    with (home / "wenzheng.toml").open("a", encoding="utf-8") as f:
        f.write("\n[exposure]\noverdue_working_days = 1\n")
    second, computed = assess(home, db)
    assert computed and second.key != first.key


def test_a_precomputed_year_serves_the_pages_default_view_of_today(
        home: Path, db: Database) -> None:
    now = datetime(2026, 1, 5, 9, 7, 13, tzinfo=BUSINESS_TZ)
    [stored] = snapshot.precompute(db, context(Home(home)),
                                   lambda year: rules_for(Home(home), year, None), [YEAR], now)
    page_moment = now.replace(minute=5, second=0)  # the page's "now", rounded to 5 minutes
    shown, computed = assess(home, db, as_of=page_moment, now=now + timedelta(minutes=20))
    assert not computed and shown.snapshot_id == stored.snapshot_id
    assert snapshot.full_sheet(db, shown) == fresh(home, db, now)


def test_the_month_by_month_trend_is_stored_with_the_snapshot(home: Path, db: Database) -> None:
    first, _ = assess(home, db)
    again, computed = assess(home, db)
    assert not computed and again.trend == first.trend
    months = {(p.code, p.month): p for p in again.trend}
    assert {m for _, m in months} == {"2025-10", "2025-11"}
    november = fresh(home, db)  # the year as a whole; November's GAJ has the neglected case
    assert months[("GAJ", "2025-11")].received == 2 and months[("GAJ", "2025-10")].received == 2
    assert months[("GAJ", "2025-11")].score < months[("GAJ", "2025-10")].score
    assert november.card("GAJ").received == 4

"""The bulk rebuild and the direct log reader give exactly the incremental path's read models."""

from __future__ import annotations

from pathlib import Path

import pytest

from projections.follower import StoreSource, rebuild
from projections.logread import ApiLog, log_reader
from projections.record import from_domain_event
from tests.integration.kafka_support import apply_actions, read_model_tables, sample_actions
from wenzheng.bootstrap.readside import bring_up_to_date, open_readmodels
from wenzheng.bootstrap.service import open_service
from wenzheng.home import Home


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def home(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Home:
    """A home whose log interleaves 30 cases in time order, projected incrementally."""
    if request.param == "postgres":
        monkeypatch.setenv("WENZHENG_DATABASE_URL",
                           request.getfixturevalue("postgres_schema_url"))
    else:
        monkeypatch.delenv("WENZHENG_DATABASE_URL", raising=False)
    h = Home(tmp_path / "home")
    h.init()
    actions = sorted(sample_actions(30, h.settings().department_codes()),
                     key=lambda a: (a["at"], a["id"]))
    for start in range(0, len(actions), 40):  # several batches, so several catch-ups
        apply_actions(h, actions[start:start + 40])
        service = open_service(h)
        try:
            bring_up_to_date(h, service)
        finally:
            service.close()
    return h


def target(h: Home) -> str | Path:
    """Where the home's read models live (for read_model_tables)."""
    db = open_readmodels(h)
    try:
        if db.dialect == "postgres":
            import os

            return os.environ["WENZHENG_DATABASE_URL"]
        return h.readmodels_db
    finally:
        db.close()


@pytest.mark.parametrize(("cache", "batch"), [(3, 7), (100_000, 2000)])
def test_a_rebuild_equals_the_incremental_read_models_even_when_cases_leave_the_cache(
    home: Home, cache: int, batch: int
) -> None:
    incremental = read_model_tables(target(home))
    assert len(incremental["rm_history"]) > 200
    app = open_service(home)
    db = open_readmodels(home)
    try:
        applied = rebuild(StoreSource(app), db, home.settings().deadline_policy().calendar,
                          batch=batch, cache=cache)
    finally:
        db.close()
        app.close()
    assert applied == len(incremental["rm_history"])
    assert read_model_tables(target(home)) == incremental


def test_the_log_read_straight_from_its_table_decodes_as_the_domain_events_do(
    home: Home,
) -> None:
    app = open_service(home)
    try:
        reader = log_reader(app.recorder)
        assert not isinstance(reader, ApiLog)
        direct, _ = StoreSource(app).read(0, 10_000)
        notes = app.recorder.select_notifications(1, 10_000)
        via_events = [from_domain_event(app.mapper.to_domain_event(n), n.id) for n in notes]
        assert [r[0] for r in reader.page(5, 3)] == [6, 7, 8]
    finally:
        app.close()
    assert len(direct) > 200
    assert direct == via_events
    assert [r.at.isoformat() for r in direct] == [r.at.isoformat() for r in via_events]

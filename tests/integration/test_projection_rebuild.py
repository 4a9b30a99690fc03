"""`wenzheng project --rebuild` while figures are being read, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date, datetime
from pathlib import Path

import pytest

from domain.calendar import BUSINESS_TZ
from projections.follower import StoreSource, rebuild
from scorecards.metrics import metrics
from tests.integration.test_projection_sqlite import fuzhou_actions, write_jsonl
from wenzheng.bootstrap.readside import open_readmodels
from wenzheng.bootstrap.service import open_service
from wenzheng.cli import main
from wenzheng.home import Home

AS_OF = datetime(2017, 4, 17, 23, 0, tzinfo=BUSINESS_TZ)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def home(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Home:
    """A home with 300 cases applied, on the embedded store or on PostgreSQL."""
    if request.param == "postgres":
        monkeypatch.setenv("WENZHENG_DATABASE_URL",
                           request.getfixturevalue("postgres_schema_url"))
    else:
        monkeypatch.delenv("WENZHENG_DATABASE_URL", raising=False)
    path = tmp_path / "home"
    actions = write_jsonl(tmp_path / "a.jsonl", fuzhou_actions(total=300, replied=250))
    assert main(["--home", str(path), "apply", str(actions)]) == 0
    return Home(path)


def totals(h: Home) -> tuple[int, int]:
    """(received, replied) for the whole period, read on a connection of its own."""
    db = open_readmodels(h)
    try:
        result = metrics(db, date(2016, 4, 1), date(2017, 4, 17), AS_OF, {}, "办公室")
    finally:
        db.close()
    return result["total"]["received"], result["total"]["replied"]


def test_a_rebuild_swaps_in_complete_tables_while_readers_see_the_old_ones(home: Home) -> None:
    expected = totals(home)
    assert expected == (300, 250)
    seen: list[tuple[int, int]] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            try:
                seen.append(totals(home))
            except BaseException as exc:  # reported below
                errors.append(exc)
                return

    thread = threading.Thread(target=reader)
    thread.start()
    app = open_service(home)
    db = open_readmodels(home)
    try:
        while len(seen) < 3 and thread.is_alive():
            stop.wait(0.05)
        applied = rebuild(StoreSource(app), db, home.settings().deadline_policy().calendar,
                          batch=50)
    finally:
        stop.set()
        thread.join()
        db.close()
        app.close()
    assert not errors, errors
    assert applied == 300 * 2 + 250 * 3
    assert len(seen) >= 3 and set(seen) == {expected}
    assert totals(home) == expected


def test_project_rebuild_from_the_command_line_keeps_the_figures(home: Home) -> None:
    before = totals(home)
    assert main(["--home", str(home.root), "project", "--rebuild"]) == 0
    assert main(["--home", str(home.root), "project"]) == 0
    assert totals(home) == before

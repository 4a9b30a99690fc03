"""The read models in the real PostgreSQL (event store and read models in one schema)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from domain.calendar import WorkingCalendar
from projections.caserow import fold_all
from projections.db import Database
from projections.writer import CaseProjection
from tests.integration.test_projection_fold_property import events_of
from tests.integration.test_projection_sqlite import fuzhou_actions, metrics_json, write_jsonl
from wenzheng.cli import main

pytestmark = pytest.mark.postgres


def test_fuzhou_figures_on_postgresql_give_a_reply_rate_of_0_829(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        postgres_schema_url: str) -> None:
    monkeypatch.setenv("WENZHENG_DATABASE_URL", postgres_schema_url)
    home = tmp_path / "home"
    actions = write_jsonl(tmp_path / "fuzhou.jsonl", fuzhou_actions())
    assert main(["--home", str(home), "apply", str(actions)]) == 0
    assert not (home / "readmodels.sqlite").exists()
    result = metrics_json(home, capsys, "--from", "2016-04-01", "--to", "2017-04-17",
                          "--as-of", "2017-04-17T23:59:59+08:00")
    assert (result["total"]["received"], result["total"]["replied"]) == (2211, 1833)
    assert round(result["total"]["reply_rate"], 3) == 0.829
    capsys.readouterr()
    assert main(["--home", str(home), "case", "FZ-02000", "--format", "json",
                 "--as-of", "2017-04-17"]) == 0
    shown = json.loads(capsys.readouterr().out)
    # Never claimed: the demonstration city's own one-day claim limit (its wenzheng.toml) passed.
    assert shown["state"]["audit"]["overdue_stage_now"] == "claim"
    assert main(["--home", str(home), "exposure", "--as-of", "2017-04-17",
                 "--format", "json"]) == 0
    entries = json.loads(capsys.readouterr().out)["entries"]
    assert {e["rule"] for e in entries} == {"overdue"}
    assert "13812345678" not in json.dumps(entries, ensure_ascii=False)


def test_incremental_postgresql_rows_equal_the_fold_and_a_replay_changes_nothing(
        postgres_schema_url: str) -> None:
    calendar = WorkingCalendar()
    steps: list[tuple[int, str | None, int, str, str, bool]] = [
        (i % 3, None, 5 + i % 7, "CGJ", "满意", bool(i % 2)) for i in range(45)]
    records = events_of(steps)
    db = Database.postgres(postgres_schema_url)
    try:
        projection = CaseProjection(db, calendar)
        for i in range(0, len(records), 4):
            part = records[i:i + 4]
            projection.apply(part, part[-1].position)
        expected = fold_all(records, calendar)
        assert projection.all_rows() == expected
        projection.apply_untracked(records)
        projection.apply(records)
        assert projection.all_rows() == expected
        assert db.fetchone("SELECT count(*) FROM rm_history") == (len(records),)
    finally:
        db.close()

"""The read path of the composition root: open, catch up, yield, close."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from projections.schema import CASES
from tests.integration.kafka_support import apply_actions, sample_actions
from wenzheng.bootstrap.readside import caught_up
from wenzheng.bootstrap.service import open_service
from wenzheng.home import Home


def test_caught_up_yields_read_models_at_the_store_head_and_closes_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WENZHENG_DATABASE_URL", raising=False)
    home = Home(tmp_path / "home")
    home.init()
    apply_actions(home, sample_actions(3, home.settings().department_codes()))
    service = open_service(home)
    try:
        head = service.recorder.max_notification_id() or 0
    finally:
        service.close()
    with caught_up(home) as read:
        assert read.position == head > 0
        assert read.db.fetchone(f"SELECT COUNT(*) FROM {CASES}") == (3,)
    with pytest.raises(sqlite3.ProgrammingError):  # closed on leaving
        read.db.fetchone("SELECT 1")

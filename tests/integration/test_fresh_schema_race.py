"""Two processes opening the same fresh PostgreSQL schema at once both succeed."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from wenzheng.bootstrap.service import open_service
from wenzheng.home import Home


@pytest.mark.postgres
def test_two_processes_opening_a_fresh_schema_at_once_both_succeed(
    tmp_path: Path, postgres_schema_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = postgres_schema_url.replace("schema=", "schema=fresh_")  # not created yet
    monkeypatch.setenv("WENZHENG_DATABASE_URL", url)
    home = Home(tmp_path / "home")
    home.init()
    start, errors = threading.Barrier(2), []

    def open_it() -> None:
        start.wait()
        try:
            open_service(home).close()
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors

"""The PostgreSQL connection dropped mid-transaction: nothing half-applied, the retry completes."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path
from typing import Any

import pytest

from domain.actions import parse_action
from domain.service import APPLIED, DUPLICATE
from tests.faults.pgdrop import holding
from tests.faults.support import (
    assert_chain_intact,
    assert_each_action_once,
    assert_read_models_equal_rebuild,
    fault_env,
    fresh_schema_url,
    kill,
    relay_once,
    stored_events,
)
from tests.integration.kafka_support import (
    apply_actions,
    run_cli,
    sample_actions,
    start_cli,
)
from wenzheng.bootstrap.service import open_service
from wenzheng.home import Home

pytestmark = [pytest.mark.postgres, pytest.mark.faults]
EVENTS_TABLE = "wenzheng_events"
DROPS = 3


@pytest.fixture
def pg_home(tmp_path: Path, postgres_schema_url: str, monkeypatch: pytest.MonkeyPatch) -> Home:
    """A home whose event store and read models live in a fresh PostgreSQL schema."""
    monkeypatch.setenv("WENZHENG_DATABASE_URL", postgres_schema_url)
    home = Home(tmp_path / "home")
    home.init()
    return home


def test_a_batch_whose_connection_drops_before_commit_is_stored_once_by_the_retry(
    pg_home: Home, postgres_schema_url: str
) -> None:
    depts = pg_home.settings().department_codes()
    first = sample_actions(5, depts)
    apply_actions(pg_home, first)
    batch = sample_actions(20, depts, start=5)
    service = open_service(pg_home)
    result: dict[str, Any] = {}

    def write() -> None:
        try:
            result["outcomes"] = service.apply_batch([parse_action(a) for a in batch])
        except BaseException as exc:  # reported by the assertion below
            result["error"] = exc

    try:
        with holding(postgres_schema_url, EVENTS_TABLE) as holder:
            before = holder.count()
            writer = threading.Thread(target=write)
            writer.start()
            for _ in range(DROPS):
                pid = holder.waiting_writer(writer.is_alive)
                assert holder.count() == before  # written, not committed: invisible
                holder.terminate(pid)
            holder.waiting_writer(writer.is_alive)
            assert holder.count() == before
            holder.release()
            writer.join(timeout=120)
        assert "error" not in result, result.get("error")
        assert [o.status for o in result["outcomes"]] == [APPLIED] * len(batch)
        again = service.apply_batch([parse_action(a) for a in batch])
        assert {o.status for o in again} == {DUPLICATE}
    finally:
        service.close()
    assert_each_action_once(stored_events(pg_home), {a["id"] for a in first + batch})
    assert assert_chain_intact(pg_home) == len(first + batch)


@pytest.mark.kafka
@pytest.mark.parametrize("transport", ["store", "kafka"])
def test_a_projection_whose_connection_drops_mid_write_recovers_on_restart(
    pg_home: Home, postgres_schema_url: str, postgres_url: str, kafka_bootstrap: str,
    tmp_path: Path, transport: str,
) -> None:
    depts = pg_home.settings().department_codes()
    apply_actions(pg_home, sample_actions(20, depts))
    readmodels = fresh_schema_url(postgres_url, "rm")
    topic = f"wenzheng.case-events.drop-{uuid.uuid4().hex[:8]}"
    env = fault_env(pg_home, kafka_bootstrap, WENZHENG_DATABASE_URL=postgres_schema_url)
    consume = ("consume", "--transport", transport, "--readmodels", readmodels, "--topic", topic,
               "--group", f"drop-{uuid.uuid4().hex[:8]}", "--batch-size", "40")
    if transport == "kafka":
        relay_once(pg_home, kafka_bootstrap, topic)
    first = run_cli(env, *consume, "--once", timeout=300)  # creates the tables
    assert first.returncode == 0, first.stderr
    apply_actions(pg_home, sample_actions(20, depts, start=20))
    if transport == "kafka":
        relay_once(pg_home, kafka_bootstrap, topic)
    with holding(readmodels, "rm_history") as holder:
        before = holder.count()
        proc = start_cli(env, *consume, log=tmp_path / "consume.log")
        try:
            pid = holder.waiting_writer(lambda: proc.poll() is None)
            assert holder.count() == before
            holder.terminate(pid)
            assert proc.wait(timeout=60) != 0  # the process stops: it holds no broken state
        finally:
            kill(proc)
        assert holder.count() == before
    again = run_cli(env, *consume, "--once", timeout=300)
    assert again.returncode == 0, again.stderr
    events = len(stored_events(pg_home))
    assert assert_read_models_equal_rebuild(pg_home, readmodels,
                                            fresh_schema_url(postgres_url)) == events

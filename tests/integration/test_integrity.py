"""`wenzheng verify` names every case and version changed, deleted, inserted or swapped in SQL."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest

from domain.case import case_id
from wenzheng.bootstrap.service import store_env
from wenzheng.cli import main
from wenzheng.home import Home

CASES = ("T-A", "T-B", "T-C", "T-D")


def lines_for(case: str) -> list[dict[str, Any]]:
    """A case registered, assigned, claimed and replied to."""
    base = {"case": case, "by": "tester"}
    return [
        {**base, "id": f"{case}-1", "action": "register", "at": "2025-10-09T09:00:00+08:00",
         "source": "人民网留言板", "title": "路灯不亮", "content": "某路段路灯不亮。",
         "category": "反映", "priority": "一般", "region": "清河区",
         "citizen": {"name": "李四", "phone": "13900001111"}},
        {**base, "id": f"{case}-2", "action": "assign", "at": "2025-10-09T10:00:00+08:00",
         "department": "CGJ"},
        {**base, "id": f"{case}-3", "action": "claim", "at": "2025-10-10T09:00:00+08:00",
         "department": "CGJ"},
        {**base, "id": f"{case}-4", "action": "submit_reply", "at": "2025-10-13T09:00:00+08:00",
         "department": "CGJ", "text": "已修复"},
    ]


class Store:
    """Raw SQL access to the events table, as someone going behind the system's back would."""

    def __init__(self, env: dict[str, str]) -> None:
        self.pg = env["PERSISTENCE_MODULE"] == "eventsourcing.postgres"
        if self.pg:
            self.conn: Any = psycopg.connect(
                host=env["POSTGRES_HOST"], port=int(env["POSTGRES_PORT"]),
                user=env["POSTGRES_USER"], dbname=env["POSTGRES_DBNAME"], autocommit=True)
            self.table, self.m = f'"{env["POSTGRES_SCHEMA"]}".wenzheng_events', "%s"
        else:
            self.conn = sqlite3.connect(env["SQLITE_DBNAME"], isolation_level=None)
            self.table, self.m = "stored_events", "?"

    def oid(self, case: str) -> Any:
        """The case id as stored."""
        return case_id(case) if self.pg else case_id(case).hex

    def row(self, case: str, version: int) -> tuple[str, bytes]:
        """topic and state of one stored event."""
        cur = self.conn.execute(f"SELECT topic, state FROM {self.table} WHERE originator_id="
                                f"{self.m} AND originator_version={self.m}",
                                (self.oid(case), version))
        topic, state = cur.fetchone()
        return topic, bytes(state)

    def set_state(self, case: str, version: int, state: bytes, topic: str | None = None) -> None:
        """Overwrite an event's state (and topic)."""
        topic = topic or self.row(case, version)[0]
        self.conn.execute(f"UPDATE {self.table} SET state={self.m}, topic={self.m} WHERE "
                          f"originator_id={self.m} AND originator_version={self.m}",
                          (state, topic, self.oid(case), version))

    def delete(self, case: str, version: int) -> None:
        """Remove an event."""
        self.conn.execute(f"DELETE FROM {self.table} WHERE originator_id={self.m} AND "
                          f"originator_version={self.m}", (self.oid(case), version))

    def insert(self, case: str, version: int, topic: str, state: bytes) -> None:
        """Add an event the system never wrote."""
        self.conn.execute(f"INSERT INTO {self.table} (originator_id, originator_version, topic, "
                          f"state) VALUES ({self.m}, {self.m}, {self.m}, {self.m})",
                          (self.oid(case), version, topic, state))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def home(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Home:
    """A home with four cases of four events each, on SQLite or PostgreSQL."""
    if request.param == "postgres":
        monkeypatch.setenv("WENZHENG_DATABASE_URL", request.getfixturevalue("postgres_schema_url"))
    else:
        monkeypatch.delenv("WENZHENG_DATABASE_URL", raising=False)
    h = Home(tmp_path / "home")
    assert main(["--home", str(h.root), "init"]) == 0
    actions = tmp_path / "actions.jsonl"
    actions.write_text("\n".join(json.dumps(x, ensure_ascii=False)
                                 for c in CASES for x in lines_for(c)), encoding="utf-8")
    assert main(["--home", str(h.root), "apply", str(actions)]) == 0
    return h


def verify(home: Home, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    """Run `wenzheng verify --format json`."""
    capsys.readouterr()
    status = main(["--home", str(home.root), "verify", "--format", "json"])
    return status, json.loads(capsys.readouterr().out)


def found(report: dict[str, Any]) -> set[tuple[str, str, int]]:
    """(kind, case, version) of each problem."""
    return {(p["kind"], p["case"], p["version"]) for p in report["problems"]}


def test_an_untouched_log_verifies(home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    status, report = verify(home, capsys)
    assert (status, report["ok"], report["events"], report["cases"]) == (0, True, 16, 4)
    assert report["head"]["position"] >= 16 and len(report["head"]["hash"]) == 64


def test_a_changed_event_is_named(home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    store = Store(store_env(home))
    _, state = store.row("T-A", 2)
    store.set_state("T-A", 2, state.replace(b'"CGJ"', b'"HBJ"'))
    status, report = verify(home, capsys)
    assert status == 1
    assert found(report) == {("modified", "T-A", 2)}


def test_a_deleted_event_is_named(home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    Store(store_env(home)).delete("T-B", 3)
    status, report = verify(home, capsys)
    assert status == 1
    assert found(report) == {("deleted", "T-B", 3)}


def test_an_inserted_event_is_named(home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    store = Store(store_env(home))
    topic, state = store.row("T-C", 4)
    store.insert("T-C", 5, topic, state.replace("已修复".encode(), "未处理".encode()))
    status, report = verify(home, capsys)
    assert status == 1
    assert found(report) == {("inserted", "T-C", 5)}


def test_swapped_events_are_named(home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    store = Store(store_env(home))
    (topic2, second), (topic3, third) = store.row("T-D", 2), store.row("T-D", 3)
    store.set_state("T-D", 2, third, topic3)
    store.set_state("T-D", 3, second, topic2)
    status, report = verify(home, capsys)
    assert status == 1
    assert found(report) == {("reordered", "T-D", 2), ("reordered", "T-D", 3)}


def test_several_tamperings_are_all_named(home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    store = Store(store_env(home))
    _, state = store.row("T-A", 4)
    store.set_state("T-A", 4, state.replace("已修复".encode(), "已办结".encode()))
    store.delete("T-C", 2)
    status, report = verify(home, capsys)
    assert status == 1
    assert found(report) == {("modified", "T-A", 4), ("deleted", "T-C", 2)}
    assert all("案件" in p["message"] for p in report["problems"])


def test_one_case_can_be_verified_alone(home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    Store(store_env(home)).delete("T-B", 3)
    capsys.readouterr()
    assert main(["--home", str(home.root), "verify", "--case", "T-A"]) == 0
    assert main(["--home", str(home.root), "verify", "--case", "T-B"]) == 1
    assert "T-B 第 3 个事件被删除" in capsys.readouterr().out


def test_every_event_id_is_chained(home: Home) -> None:
    assert isinstance(case_id("T-A"), UUID)
    env = store_env(home)
    from wenzheng.store.verify import verify_store

    report = verify_store(env)
    assert report.ok and report.events == 16


def rewrite_consistently(db: Path, case: str, version: int, old: bytes, new: bytes) -> None:
    """Change an event and recompute every later link of both chains, as a skilled forger would."""
    from wenzheng.store.chain import GENESIS, chain_hash, content_hash, event_hash

    conn = sqlite3.connect(db, isolation_level=None)
    oid = case_id(case)
    _topic, state = conn.execute("SELECT topic, state FROM stored_events WHERE originator_id=? "
                                "AND originator_version=?", (oid.hex, version)).fetchone()
    conn.execute("UPDATE stored_events SET state=? WHERE originator_id=? AND originator_version=?",
                 (bytes(state).replace(old, new), oid.hex, version))
    rows = conn.execute("SELECT e.rowid, e.originator_id, e.originator_version, e.topic, e.state "
                        "FROM stored_events e ORDER BY e.rowid").fetchall()
    heads: dict[str, bytes] = {}
    head = GENESIS
    for position, ident, v, t, s in rows:
        content = content_hash(t, bytes(s))
        link = event_hash(heads.get(ident, GENESIS) if v > 1 else GENESIS, UUID(ident), v,
                          content)
        head = chain_hash(head, position, link)
        heads[ident] = link
        conn.execute("UPDATE wenzheng_chain SET content_hash=?, event_hash=?, chain_hash=? "
                     "WHERE notification_id=?", (content, link, head, position))
    conn.close()


def test_a_consistent_rewrite_is_caught_by_the_bulletins_anchor(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("WENZHENG_DATABASE_URL", raising=False)
    h = Home(tmp_path / "home")
    assert main(["--home", str(h.root), "init"]) == 0
    actions = tmp_path / "actions.jsonl"
    actions.write_text("\n".join(json.dumps(x, ensure_ascii=False)
                                 for c in CASES for x in lines_for(c)), encoding="utf-8")
    assert main(["--home", str(h.root), "apply", str(actions)]) == 0
    assert main(["--home", str(h.root), "bulletins", "--since", "2025-10", "--out",
                 str(tmp_path / "out"), "--now", "2025-11-20T00:00:00+08:00"]) == 0
    status, report = verify(h, capsys)
    assert status == 0 and report["bulletins"] == []

    rewrite_consistently(h.events_db, "T-A", 2, b'"CGJ"', b'"HBJ"')
    status, report = verify(h, capsys)
    assert report["problems"] == []  # both chains were recomputed: only the anchor can tell
    assert status == 1
    assert len(report["bulletins"]) == 1 and "2025-10" in report["bulletins"][0]

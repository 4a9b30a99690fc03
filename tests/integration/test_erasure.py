"""Erasure erases: no byte of an erased case key stays in the key store, on both stores."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg import sql

from domain.actions import parse_action
from domain.case import case_id
from domain.service import CaseService
from tests.integration.kafka_support import phone, sample_actions
from wenzheng.bootstrap.service import open_service
from wenzheng.home import Home
from wenzheng.store.env import postgres_env
from wenzheng.store.kek import KekError, load_kek, unwrap
from wenzheng.store.keys import keys_schema

DEPARTMENTS = ["CGJ", "HBJ", "ZJJ"]
AT = "2026-01-05T10:00:00+08:00"


def registered(home: Home, cases: int = 4) -> CaseService:
    """A service on the home with sample cases applied."""
    service = open_service(home)
    outcomes = service.apply_batch([parse_action(json.dumps(a, ensure_ascii=False))
                                    for a in sample_actions(cases, DEPARTMENTS)])
    assert {o.status for o in outcomes} == {"applied"}
    return service


def home_bytes(home: Home) -> bytes:
    """Every byte of every file in the home."""
    return b"".join(p.read_bytes() for p in sorted(home.root.rglob("*")) if p.is_file())


def sqlite_wrapped(home: Home, number: str) -> list[bytes]:
    """The wrapped keys of a case, read from keys.sqlite."""
    with sqlite3.connect(home.root / "keys.sqlite") as conn:
        return [bytes(r[0]) for r in conn.execute(
            "SELECT wrapped FROM case_keys WHERE originator_id=?", (case_id(number).hex,))]


@pytest.fixture
def sqlite_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Home:
    """A home on the embedded store."""
    monkeypatch.delenv("WENZHENG_DATABASE_URL", raising=False)
    return Home(tmp_path / "home")


def test_sqlite_keys_live_in_their_own_file_wrapped_by_the_kek(sqlite_home: Home) -> None:
    service = registered(sqlite_home)
    try:
        wrapped = sqlite_wrapped(sqlite_home, "K-00001")
        assert len(wrapped) == 1
        key = unwrap(load_kek(dict(os.environ)), case_id("K-00001"), wrapped[0])
        with sqlite3.connect(sqlite_home.events_db) as conn:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert "wenzheng_case_keys" not in tables
        assert key not in home_bytes(sqlite_home)  # only the wrapped form is ever written
        assert service.personal_data("K-00001")["citizen"]["phone"] == phone(1)  # type: ignore[index]
    finally:
        service.close()


def test_sqlite_erase_leaves_no_byte_of_the_key_even_with_a_reader_holding_the_stores(
        sqlite_home: Home) -> None:
    service = registered(sqlite_home)
    readers = [sqlite3.connect(sqlite_home.root / name) for name in ("keys.sqlite",
                                                                    "events.sqlite")]
    try:
        for reader in readers:  # the app holds both files open and has read from them
            reader.execute("SELECT count(*) FROM sqlite_master").fetchone()
        wrapped = sqlite_wrapped(sqlite_home, "K-00002")
        assert wrapped and wrapped[0] in (sqlite_home.root / "keys.sqlite").read_bytes()
        service.erase("K-00002", "市民申请删除", datetime.fromisoformat(AT), "supervisor")
        assert service.personal_data("K-00002") is None
        assert service.personal_data("K-00003") is not None
        files = sorted(p.name for p in sqlite_home.root.iterdir())
        assert not [f for f in files if f.startswith("keys.sqlite-")], files  # no journal, no WAL
        assert wrapped[0] not in home_bytes(sqlite_home)
        assert readers[0].execute("SELECT count(*) FROM case_keys WHERE originator_id=?",
                                  (case_id("K-00002").hex,)).fetchone() == (0,)
    finally:
        for reader in readers:
            reader.close()
        service.close()


def test_an_old_home_with_keys_beside_the_events_migrates_them_and_shreds_the_old_copy(
        sqlite_home: Home) -> None:
    service = registered(sqlite_home)
    oid = case_id("K-00001")
    key = unwrap(load_kek(dict(os.environ)), oid,
                 sqlite_wrapped(sqlite_home, "K-00001")[0])
    service.close()
    with sqlite3.connect(sqlite_home.root / "keys.sqlite") as conn:  # as an old home had it
        conn.execute("DELETE FROM case_keys WHERE originator_id=?", (oid.hex,))
    with sqlite3.connect(sqlite_home.events_db) as conn:
        conn.execute("CREATE TABLE wenzheng_case_keys (originator_id TEXT PRIMARY KEY, "
                     "key BLOB, erased_at TEXT, reason TEXT)")
        conn.execute("INSERT INTO wenzheng_case_keys VALUES (?, ?, NULL, NULL)", (oid.hex, key))
    assert key in sqlite_home.events_db.read_bytes() + Path(
        f"{sqlite_home.events_db}-wal").read_bytes()
    service = open_service(sqlite_home)
    try:
        assert service.personal_data("K-00001")["citizen"]["phone"] == phone(1)  # type: ignore[index]
        with sqlite3.connect(sqlite_home.events_db) as conn:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert "wenzheng_case_keys" not in tables
        assert key not in home_bytes(sqlite_home)
    finally:
        service.close()


def test_registering_without_a_kek_is_refused_in_chinese(
        sqlite_home: Home, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WENZHENG_KEK", raising=False)
    monkeypatch.delenv("WENZHENG_KEK_FILE", raising=False)
    service = open_service(sqlite_home)
    try:
        with pytest.raises(KekError, match="未配置密钥加密密钥"):
            service.apply_batch([parse_action(json.dumps(sample_actions(1, DEPARTMENTS)[0]))])
        assert service.recorder.max_notification_id() in (None, 0)  # nothing half-stored
    finally:
        service.close()


def test_home_and_its_files_are_owner_only(sqlite_home: Home) -> None:
    service = registered(sqlite_home)
    service.close()
    assert sqlite_home.root.stat().st_mode & 0o777 == 0o700
    files = [p for p in sqlite_home.root.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"events.sqlite", "keys.sqlite", "wenzheng.toml"}
    assert {p.name: oct(p.stat().st_mode & 0o777) for p in files if p.stat().st_mode & 0o077} == {}


# ----- PostgreSQL: the key table's pages, read raw ------------------------------------------

@pytest.fixture
def pg_home(tmp_path: Path, postgres_schema_url: str, monkeypatch: pytest.MonkeyPatch
            ) -> Iterator[tuple[Home, dict[str, str]]]:
    """A home on a fresh PostgreSQL schema."""
    monkeypatch.setenv("WENZHENG_DATABASE_URL", postgres_schema_url)
    yield Home(tmp_path / "home"), postgres_env(postgres_schema_url)


def raw_pages(env: dict[str, str]) -> bytes:
    """Every page of the key table (pageinspect), dead tuples included."""
    table = f'"{keys_schema(env)}".case_keys'
    with psycopg.connect(host=env["POSTGRES_HOST"], port=int(env["POSTGRES_PORT"]),
                         user=env["POSTGRES_USER"], dbname=env["POSTGRES_DBNAME"],
                         autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        blocks = conn.execute("SELECT pg_relation_size(%s::regclass) / "
                              "current_setting('block_size')::int", (table,)).fetchone()
        assert blocks is not None
        pages: list[Any] = [conn.execute("SELECT get_raw_page(%s, %s)", (table, n)).fetchone()
                            for n in range(int(blocks[0]))]
        items = conn.execute(sql.SQL("SELECT coalesce(string_agg(t_data::text, ''), '') FROM "
                                     "generate_series(0, %s) AS b, LATERAL heap_page_items("
                                     "get_raw_page(%s, b::int))"),
                             (max(int(blocks[0]) - 1, 0), table)).fetchone() if blocks[0] else ("",)
    assert items is not None
    return b"".join(bytes(p[0]) for p in pages if p) + str(items[0]).encode()


def pg_wrapped(env: dict[str, str], oid: UUID) -> list[bytes]:
    """The wrapped keys of a case, read from the key schema."""
    with psycopg.connect(host=env["POSTGRES_HOST"], port=int(env["POSTGRES_PORT"]),
                         user=env["POSTGRES_USER"], dbname=env["POSTGRES_DBNAME"]) as conn:
        return [bytes(r[0]) for r in conn.execute(
            sql.SQL("SELECT wrapped FROM {}.case_keys WHERE originator_id=%s").format(
                sql.Identifier(keys_schema(env))), (oid,))]


@pytest.mark.postgres
def test_postgresql_erase_leaves_no_dead_tuple_holding_the_key(
        pg_home: tuple[Home, dict[str, str]]) -> None:
    home, env = pg_home
    service = registered(home)
    try:
        wrapped = pg_wrapped(env, case_id("K-00002"))
        assert wrapped and wrapped[0] in raw_pages(env)
        assert wrapped[0].hex().encode() in raw_pages(env)  # heap_page_items shows it too
        service.erase("K-00002", "市民申请删除", datetime.fromisoformat(AT), "supervisor")
        assert service.personal_data("K-00002") is None
        assert service.personal_data("K-00003") is not None
        pages = raw_pages(env)
        assert wrapped[0] not in pages and wrapped[0].hex().encode() not in pages
        other = pg_wrapped(env, case_id("K-00003"))
        assert other and other[0] in pages  # the raw read does see live keys
    finally:
        service.close()


@pytest.mark.postgres
def test_postgresql_keys_live_in_their_own_schema(pg_home: tuple[Home, dict[str, str]]) -> None:
    home, env = pg_home
    service = registered(home, cases=2)
    service.close()
    with psycopg.connect(host=env["POSTGRES_HOST"], port=int(env["POSTGRES_PORT"]),
                         user=env["POSTGRES_USER"], dbname=env["POSTGRES_DBNAME"]) as conn:
        found = {(r[0], r[1]) for r in conn.execute(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE "
            "table_name IN ('case_keys', 'wenzheng_case_keys')")}
    assert (keys_schema(env), "case_keys") in found
    assert (env["POSTGRES_SCHEMA"], "wenzheng_case_keys") not in found


@pytest.mark.postgres
def test_an_old_postgresql_schema_with_keys_beside_the_events_migrates_them(
        pg_home: tuple[Home, dict[str, str]]) -> None:
    home, env = pg_home
    service = registered(home, cases=2)
    oid = case_id("K-00001")
    key = unwrap(load_kek(dict(os.environ)), oid, pg_wrapped(env, oid)[0])
    service.close()
    with psycopg.connect(host=env["POSTGRES_HOST"], port=int(env["POSTGRES_PORT"]),
                         user=env["POSTGRES_USER"], dbname=env["POSTGRES_DBNAME"],
                         autocommit=True) as conn:
        conn.execute(sql.SQL("DELETE FROM {}.case_keys WHERE originator_id=%s").format(
            sql.Identifier(keys_schema(env))), (oid,))
        legacy = sql.SQL("{}.wenzheng_case_keys").format(sql.Identifier(env["POSTGRES_SCHEMA"]))
        conn.execute(sql.SQL("CREATE TABLE {} (originator_id uuid PRIMARY KEY, key bytea, "
                             "erased_at text, reason text)").format(legacy))
        conn.execute(sql.SQL("INSERT INTO {} VALUES (%s, %s, NULL, NULL)").format(legacy),
                     (oid, key))
    service = open_service(home)
    try:
        assert service.personal_data("K-00001")["citizen"]["phone"] == phone(1)  # type: ignore[index]
        with psycopg.connect(host=env["POSTGRES_HOST"], port=int(env["POSTGRES_PORT"]),
                             user=env["POSTGRES_USER"], dbname=env["POSTGRES_DBNAME"]) as conn:
            gone = conn.execute("SELECT to_regclass(%s)", (
                f'"{env["POSTGRES_SCHEMA"]}".wenzheng_case_keys',)).fetchone()
        assert gone == (None,)
        assert key not in raw_pages(env)
    finally:
        service.close()


def test_only_a_demonstration_home_gets_its_own_kek(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in ("WENZHENG_KEK", "WENZHENG_KEK_FILE", "WENZHENG_DATABASE_URL")}

    def cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "wenzheng.cli", "--home", str(home), *args],
                              env=env, capture_output=True, text=True, timeout=300)

    plain = tmp_path / "plain"
    assert cli(plain, "init").returncode == 0
    assert not (plain / "demo.kek").exists()
    (tmp_path / "a.jsonl").write_text(json.dumps(sample_actions(1, DEPARTMENTS)[0]) + "\n",
                                      encoding="utf-8")
    refused = cli(plain, "apply", str(tmp_path / "a.jsonl"))
    assert refused.returncode == 2 and "未配置密钥加密密钥" in refused.stderr
    assert "Traceback" not in refused.stderr
    demo = tmp_path / "demo"
    done = cli(demo, "demo", "--cases", "12")
    assert done.returncode == 0, done.stderr
    assert (demo / "demo.kek").stat().st_mode & 0o777 == 0o600
    shown = cli(demo, "case", "SF2025-000001", "--format", "json")
    assert shown.returncode == 0, shown.stderr
    assert "*" in json.loads(shown.stdout)["history"][0]["citizen"]["phone"]  # opened, masked


def test_the_audit_view_without_a_kek_shows_no_personal_data_instead_of_failing(
        sqlite_home: Home, monkeypatch: pytest.MonkeyPatch) -> None:
    from wenzheng.webapp.auditview import personal_data

    service = registered(sqlite_home, cases=1)
    service.close()
    monkeypatch.delenv("WENZHENG_KEK", raising=False)
    service = open_service(sqlite_home)
    try:
        assert personal_data(service, "K-00000", cleared=True) is None
        with pytest.raises(KekError):
            service.personal_data("K-00000")
    finally:
        service.close()

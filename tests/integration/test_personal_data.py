"""A registered citizen's phone is nowhere in plaintext: stores, Kafka, documents, exports."""

from __future__ import annotations

import io
import json
import re
import sqlite3
import zipfile
from pathlib import Path

import psycopg
import pytest

from tests.integration.kafka_support import (
    cli_env,
    phone,
    read_topic,
    run_cli,
    sample_actions,
    write_jsonl,
)
from wenzheng.bootstrap.service import open_service
from wenzheng.home import Home
from wenzheng.store.env import postgres_env

CASES = 24
DEPARTMENTS = ["CGJ", "HBJ", "ZJJ"]
pytestmark = pytest.mark.kafka


def secrets() -> list[bytes]:
    """Every citizen's phone and name, as UTF-8 bytes."""
    return [s.encode("utf-8") for i in range(CASES) for s in (phone(i), f"市民{i}")]


def leaks(blob: bytes) -> list[bytes]:
    """The personal data found in a blob of bytes (zip documents are searched inside).

    A phone counts only as a whole number: digits inside a longer number (a timestamp) do not.
    """
    found = [s for s in secrets() if re.search(rb"(?<![0-9])" + re.escape(s) + rb"(?![0-9])", blob)]
    if blob[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(blob)) as z:
            for name in z.namelist():
                found += leaks(z.read(name))
    return found


def exports(env: dict[str, str], out: Path) -> dict[str, bytes]:
    """Every document and export the system generates for this home."""
    found: dict[str, bytes] = {}
    for args in (("metrics", "--from", "2025-01-01", "--to", "2025-12-31", "--format", "csv"),
                 ("metrics", "--from", "2025-01-01", "--to", "2025-12-31", "--format", "json"),
                 ("exposure", "--as-of", "2025-12-31T23:59:59+08:00", "--format", "json"),
                 ("scorecard", "--year", "2025", "--as-of", "2025-12-31T23:59:59+08:00",
                  "--format", "csv"),
                 ("case", "K-00001", "--format", "json"),
                 ("bulletin", "--month", "2025-03", "--out", str(out))):
        done = run_cli(env, *args)
        assert done.returncode == 0, (args, done.stderr)
        found[" ".join(args[:2])] = (done.stdout + done.stderr).encode("utf-8")
    documents = sorted(out.iterdir())
    assert {p.suffix for p in documents} >= {".md", ".docx", ".xlsx"}
    for path in documents:
        found[path.name] = path.read_bytes()
    return found


def build(env: dict[str, str], tmp_path: Path, kafka_bootstrap: str
          ) -> tuple[bytes, dict[str, bytes]]:
    """Apply the sample cases, relay them, and collect the topic and every export."""
    assert run_cli(env, "init").returncode == 0
    actions = write_jsonl(tmp_path / "actions.jsonl", sample_actions(CASES, DEPARTMENTS))
    done = run_cli(env, "apply", str(actions))
    assert done.returncode == 0, done.stderr
    topic = f"pd-{tmp_path.name}"
    assert run_cli(env, "relay", "--once", "--quiet", "--topic", topic).returncode == 0
    records = read_topic(kafka_bootstrap, topic)
    assert len(records) > CASES * 6
    wire = b"\n".join(r.key + r.value + b"".join(r.headers.values()) for r in records)
    return wire, exports(env, tmp_path / "out")


def test_no_phone_in_sqlite_kafka_or_documents(tmp_path: Path, kafka_bootstrap: str) -> None:
    home = Home(tmp_path / "home")
    env = cli_env(home, kafka_bootstrap)
    wire, documents = build(env, tmp_path, kafka_bootstrap)
    assert leaks(wire) == []
    for name, blob in documents.items():
        assert leaks(blob) == [], name
    stores = [p for p in home.root.rglob("*") if p.is_file()]
    assert any(p.name == "events.sqlite" for p in stores)
    for path in stores:
        assert leaks(path.read_bytes()) == [], path
    with sqlite3.connect(home.root / "events.sqlite") as conn:
        states = b"".join(bytes(r[0]) for r in conn.execute("SELECT state FROM stored_events"))
    assert b"wz-sealed-v1:" in states and leaks(states) == []


@pytest.mark.postgres
def test_no_phone_in_postgresql_kafka_or_documents(tmp_path: Path, kafka_bootstrap: str,
                                                   postgres_schema_url: str) -> None:
    home = Home(tmp_path / "home")
    env = cli_env(home, kafka_bootstrap, {"WENZHENG_DATABASE_URL": postgres_schema_url})
    wire, documents = build(env, tmp_path, kafka_bootstrap)
    assert leaks(wire) == []
    for name, blob in documents.items():
        assert leaks(blob) == [], name
    pg = postgres_env(postgres_schema_url)
    with psycopg.connect(host=pg["POSTGRES_HOST"], port=int(pg["POSTGRES_PORT"]),
                         user=pg["POSTGRES_USER"], dbname=pg["POSTGRES_DBNAME"]) as conn:
        schema = pg["POSTGRES_SCHEMA"]
        tables = [(r[0], r[1]) for r in conn.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema IN (%s, %s)", (schema, f"{schema}_keys"))]
        assert (schema, "wenzheng_events") in tables
        assert (schema, "wenzheng_case_keys") not in tables  # the keys live apart
        assert (f"{schema}_keys", "case_keys") in tables
        for space, table in tables:
            rows = conn.execute(f'SELECT t::text FROM "{space}"."{table}" t')
            text = "\n".join(r[0] for r in rows)
            # bytea columns print as hex, so search the hex of the secrets too
            hexed = [s.hex().encode() for s in secrets()]
            assert leaks(text.encode("utf-8")) == [], table
            assert not [h for h in hexed if h in text.encode()], table


def test_erasing_shreds_the_data_and_keeps_the_history_and_figures(
        tmp_path: Path, kafka_bootstrap: str) -> None:
    home = Home(tmp_path / "home")
    env = cli_env(home, kafka_bootstrap)
    assert run_cli(env, "init").returncode == 0
    actions = write_jsonl(tmp_path / "actions.jsonl", sample_actions(6, DEPARTMENTS))
    assert run_cli(env, "apply", str(actions)).returncode == 0
    figures = ("metrics", "--from", "2025-01-01", "--to", "2025-12-31",
               "--as-of", "2025-12-31T23:59:59+08:00", "--format", "json")
    before = json.loads(run_cli(env, *figures).stdout)
    shown = json.loads(run_cli(env, "case", "K-00002", "--format", "json").stdout)
    assert shown["history"][0]["citizen"]["phone"] == phone(2)[:3] + "****" + phone(2)[-4:]
    assert phone(2)[-4:] in shown["history"][0]["content"]
    assert phone(2) not in shown["history"][0]["content"]

    done = run_cli(env, "erase", "K-00002", "--reason", "市民申请删除（2026-001号）",
                   "--at", "2026-01-05T10:00:00+08:00")
    assert done.returncode == 0, done.stderr
    assert json.loads(run_cli(env, *figures).stdout) == before
    verified = run_cli(env, "verify", "--format", "json")
    assert verified.returncode == 0 and json.loads(verified.stdout)["ok"] is True
    shown = json.loads(run_cli(env, "case", "K-00002", "--format", "json").stdout)
    assert shown["history"][0]["citizen"] == {"erased": True}
    assert shown["history"][-1]["type"] == "PersonalDataErased"
    assert shown["history"][-1]["reason"] == "市民申请删除（2026-001号）"
    other = json.loads(run_cli(env, "case", "K-00003", "--format", "json").stdout)
    assert phone(3)[:3] + "****" + phone(3)[-4:] in other["history"][0]["content"]
    service = open_service(home)
    try:
        assert service.personal_data("K-00002") is None
        assert service.personal_data("K-00003")["citizen"]["phone"] == phone(3)  # type: ignore[index]
    finally:
        service.close()
    refused = run_cli(env, "erase", "K-00003", "--reason", " ")
    assert refused.returncode == 1 and "理由" in refused.stderr

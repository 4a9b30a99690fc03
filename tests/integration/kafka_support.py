"""Helpers for the Kafka tests: sample actions, homes, CLI subprocesses, an independent reader."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from domain.actions import parse_action
from domain.service import REJECTED
from wenzheng.bootstrap.service import open_service
from wenzheng.home import Home

TZ = ZoneInfo("Asia/Shanghai")
PHONE_PREFIX = "1390000"
READ_TIMEOUT_S = 60.0
# Tansu reports a partition's end offset as the base offset of its last record batch + 1, so
# a reader cannot stop at the watermark alone: it also waits until the topic stays quiet.
QUIET_POLLS = 3


def phone(i: int) -> str:
    """The sample citizen's phone number of case i (searched for on the wire)."""
    return f"{PHONE_PREFIX}{i:04d}"


def sample_actions(cases: int, departments: list[str], start: int = 0) -> list[dict[str, Any]]:
    """Full case lifecycles with variations (extension, supervision, rework), as action dicts."""
    out: list[dict[str, Any]] = []
    base = datetime(2025, 3, 3, 9, 0, tzinfo=TZ)
    for i in range(start, start + cases):
        number = f"K-{i:05d}"
        t = base + timedelta(minutes=7 * i)
        dept = departments[i % len(departments)]
        steps: list[dict[str, Any]] = [
            {"action": "register", "source": "人民网留言板", "title": f"问题{i}",
             "content": f"留言内容{i}，联系电话{phone(i)}", "category": "投诉",
             "priority": "重要" if i % 7 == 0 else "一般", "region": "清河区",
             "citizen": {"name": f"市民{i}", "phone": phone(i)}},
            {"action": "assign", "department": dept},
            {"action": "claim", "department": dept},
        ]
        if i % 3 == 0:
            steps.append({"action": "extend", "working_days": 2, "reason": "需要调查"})
        if i % 4 == 0:
            steps.append({"action": "supervise", "level": "督办", "note": "请加快"})
        steps += [{"action": "submit_reply", "text": "已处理", "department": dept},
                  {"action": "publish_reply", "text": "已处理"}]
        if i % 5 == 0:
            steps += [{"action": "return", "reason": "答复不完整"},
                      {"action": "submit_reply", "text": "已补充", "department": dept},
                      {"action": "publish_reply", "text": "已补充"}]
        if i % 6 != 5:
            steps += [{"action": "rate", "rating": "满意" if i % 2 else "不满意",
                       "channel": "电话回访"}, {"action": "close"}]
        for n, step in enumerate(steps):
            t += timedelta(hours=5)
            out.append({"id": f"{number}-{n}", "case": number, "by": "tester",
                        "at": t.isoformat(), **step})
    return out


def write_jsonl(path: Path, actions: list[dict[str, Any]]) -> Path:
    """Write actions as a JSON Lines file."""
    path.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in actions),
                    encoding="utf-8")
    return path


def apply_actions(home: Home, actions: list[dict[str, Any]]) -> None:
    """Apply actions through the service; every one must be applied."""
    service = open_service(home)
    try:
        outcomes = service.apply_batch([parse_action(a) for a in actions])
    finally:
        service.close()
    rejected = [o for o in outcomes if o.status == REJECTED]
    assert not rejected, rejected[:3]


def store_events(home: Home) -> list[tuple[str, int, int, str]]:
    """(case id, version, position, type) of every stored event, in log order."""
    service = open_service(home)
    try:
        out: list[tuple[str, int, int, str]] = []
        start = 0
        while True:
            batch = service.recorder.select_notifications(start, 1000, inclusive_of_start=False)
            if not batch:
                return out
            for n in batch:
                e = service.mapper.to_domain_event(n)
                out.append((str(e.originator_id), e.originator_version, n.id,
                            type(e).__qualname__.split(".")[-1]))
            start = batch[-1].id
    finally:
        service.close()


def cli_env(home: Home, bootstrap: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment for a `wenzheng` subprocess on this home and broker."""
    env = {k: v for k, v in os.environ.items() if k != "WENZHENG_DATABASE_URL"}
    env.update({"WENZHENG_HOME": str(home.root), "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
                "WENZHENG_KAFKA_SESSION_TIMEOUT_MS": "6000", "PYTHONUNBUFFERED": "1"})
    env.update(extra or {})
    return env


def run_cli(env: Mapping[str, str], *args: str, timeout: float = 120
            ) -> subprocess.CompletedProcess[str]:
    """Run `wenzheng ARGS` to completion."""
    return subprocess.run([sys.executable, "-m", "wenzheng.cli", *args], env=dict(env),
                          capture_output=True, text=True, timeout=timeout, check=False)


def start_cli(env: Mapping[str, str], *args: str, log: Path) -> subprocess.Popen[bytes]:
    """Start `wenzheng ARGS` in the background, output to a log file."""
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "wenzheng.cli", *args], env=dict(env),
                                stdout=out, stderr=subprocess.STDOUT)


def terminate(proc: subprocess.Popen[bytes], timeout: float = 30) -> int:
    """SIGTERM a background command and wait for its exit status; kill it if it will not stop."""
    try:
        proc.send_signal(signal.SIGTERM)
        return proc.wait(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@dataclass(frozen=True)
class Record:
    """One message read back by the independent client."""

    partition: int
    offset: int
    key: bytes
    value: bytes
    headers: dict[str, bytes]

    def body(self) -> dict[str, Any]:
        """The decoded JSON value."""
        return dict(json.loads(self.value))


def read_topic(bootstrap: str, topic: str, timeout: float = READ_TIMEOUT_S) -> list[Record]:
    """Every message on the topic, read with confluent-kafka (not the client the relay uses)."""
    from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"reader-{uuid.uuid4()}",
                         "enable.auto.commit": False, "auto.offset.reset": "earliest"})
    try:
        meta = consumer.list_topics(topic, timeout=30).topics[topic]
        if meta.error is not None or not meta.partitions:
            return []
        ends = {}
        for p in meta.partitions:
            _low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=30)
            ends[p] = high
        todo = {p for p, high in ends.items() if high > 0}
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in todo])
        records: list[Record] = []
        deadline = time.monotonic() + timeout
        quiet = 0
        while (todo or quiet < QUIET_POLLS) and time.monotonic() < deadline:
            msg = consumer.poll(1.0)
            if msg is None or msg.error() is not None:
                quiet += 1
                continue
            quiet = 0
            offset = int(msg.offset() or 0)
            raw_headers: Any = msg.headers() or []
            headers = {str(k): v if isinstance(v, bytes) else str(v or "").encode()
                       for k, v in raw_headers}
            records.append(Record(int(msg.partition() or 0), offset, bytes(msg.key() or b""),
                                  bytes(msg.value() or b""), headers))
            if offset + 1 >= ends[msg.partition()]:
                todo.discard(msg.partition())
        assert not todo, f"timed out reading {topic}: partitions {sorted(todo)} not finished"
        return sorted(records, key=lambda r: (r.partition, r.offset))
    finally:
        consumer.close()


def first_deliveries(records: list[Record]) -> list[tuple[str, int]]:
    """(case id, version) of each message the first time it is seen, in partition order."""
    seen: set[tuple[str, int]] = set()
    out = []
    for r in records:
        body = r.body()
        ident = (body["case_id"], body["version"])
        if ident not in seen:
            seen.add(ident)
            out.append(ident)
    return out


def versions_in_order(records: list[Record]) -> bool:
    """Per case, first deliveries come as versions 1, 2, 3, … in partition order."""
    last: dict[str, int] = {}
    for case, version in first_deliveries(records):
        if version != last.get(case, 0) + 1:
            return False
        last[case] = version
    return True


def open_db(target: str | Path) -> Any:
    """A read-model database: PostgreSQL URL or SQLite path."""
    from projections.db import Database

    text = str(target)
    return Database.postgres(text) if text.startswith("postgres") else Database.sqlite(text)


def read_model_tables(target: str | Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every read-model table (rm_*, without the transport's own tracking) as sorted rows."""
    db = open_db(target)
    try:
        if db.dialect == "postgres":
            names = [r[0] for r in db.fetchall(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = ?",
                (db.schema or "public",))]
        else:
            names = [r[0] for r in db.fetchall("SELECT name FROM sqlite_master WHERE type='table'")]
        wanted = sorted(n for n in names if n.startswith("rm_") and n != "rm_tracking")
        return {n: sorted(db.fetchall(f"SELECT * FROM {n}"), key=repr) for n in wanted}
    finally:
        db.close()


def projected_events(target: str | Path) -> int:
    """How many events the history read model holds (0 before the tables exist)."""
    db = open_db(target)
    try:
        if not db.table_exists("rm_history"):
            return 0
        row = db.fetchone("SELECT COUNT(*) FROM rm_history")
        return int(row[0]) if row else 0
    finally:
        db.close()


def wait_until(predicate: Any, timeout: float, interval: float = 0.2) -> bool:
    """Poll until the predicate holds or the time is up; the predicate's last answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())

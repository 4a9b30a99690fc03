"""Helpers of the fault trials: seeds, trial counts, kill timing, store and rebuild checks."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from projections.db import Database
from projections.follower import StoreSource, catch_up
from projections.writer import CaseProjection
from tests.fixtures.postgres import with_schema
from tests.integration.kafka_support import cli_env, read_model_tables, start_cli
from wenzheng.bootstrap.service import open_service, store_env
from wenzheng.home import Home

SEED_ENV = "WENZHENG_FAULT_SEED"
TRIALS_ENV = "WENZHENG_FAULT_TRIALS"
DEFAULT_SEED = 20261123
DEFAULT_TRIALS = 20
# A SIGKILLed consumer stays a group member until its session times out, and the next member's
# join waits for that: a 2 s session keeps each trial short on the fixture's own Tansu broker.
# An outside broker (KAFKA_BOOTSTRAP_SERVERS; Apache Kafka refuses sessions under 6 s) keeps 6 s.
SHORT_SESSION_MS, BROKER_SESSION_MS = "2000", "6000"


def seeded(name: str) -> random.Random:
    """A random generator for one test, seeded from WENZHENG_FAULT_SEED; prints the seed."""
    base = int(os.environ.get(SEED_ENV, "") or DEFAULT_SEED)
    seed = base + sum(name.encode())
    print(f"{name}: seed {seed} (rerun with {SEED_ENV}={base})")
    return random.Random(seed)


def trials() -> int:
    """How many kills each trial loop makes (WENZHENG_FAULT_TRIALS, default 20)."""
    return max(1, int(os.environ.get(TRIALS_ENV, "") or DEFAULT_TRIALS))


def fault_env(home: Home, bootstrap: str, **extra: str) -> dict[str, str]:
    """The CLI environment of the trials: this home, this broker, the short session if allowed."""
    own_broker = not os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "").strip()
    session = SHORT_SESSION_MS if own_broker else BROKER_SESSION_MS
    return cli_env(home, bootstrap, {"WENZHENG_KAFKA_SESSION_TIMEOUT_MS": session, **extra})


def relay_once(home: Home, bootstrap: str, topic: str, republish: bool = False) -> int:
    """Publish the home's unpublished events to the topic in this process; events sent."""
    from consumers.kafkaio import ensure_topics, make_producer
    from consumers.positions import open_positions
    from consumers.relay import Relay
    from consumers.settings import KafkaSettings

    settings = KafkaSettings(bootstrap=bootstrap, events_topic=topic)
    ensure_topics(settings, [topic])
    service = open_service(home)
    positions = open_positions(store_env(home))
    producer = make_producer(settings)
    try:
        relay = Relay(service, producer, positions, topic)
        if republish:
            relay.republish()
        return relay.run(threading.Event(), once=True).published
    finally:
        producer.close(timeout=10)
        positions.close()
        service.close()


def kill(proc: subprocess.Popen[bytes]) -> int | None:
    """SIGKILL the process if it still runs; its exit status if it had already ended."""
    ended = proc.poll()
    if ended is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    return ended


def kill_at_random(
    rng: random.Random, env: Mapping[str, str], args: tuple[str, ...], log: Path,
    progress: Callable[[], int], early: float = 2.0, late: float = 0.15,
) -> str:
    """Start `wenzheng ARGS` and SIGKILL it at a random point; returns where it was killed.

    Half of the kills land at a random moment after the start (starting up, joining the group
    or working); the other half wait until `progress()` moves, then a random short delay.
    """
    before = progress()
    proc = start_cli(env, *args, log=log)
    try:
        if rng.random() < 0.5:
            time.sleep(rng.uniform(0.0, early))
            where = "早期" if progress() == before else "处理中"
        else:
            deadline = time.monotonic() + 90
            while progress() == before and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(rng.uniform(0.0, late))
            where = "处理中"
    finally:
        ended = kill(proc)
    return "已结束" if ended is not None else where


def stored_events(home: Home) -> list[dict[str, Any]]:
    """Every stored event as (case, version, type, action_id), in log order."""
    service = open_service(home)
    try:
        out: list[dict[str, Any]] = []
        start = 0
        while True:
            batch = service.recorder.select_notifications(start, 1000, inclusive_of_start=False)
            if not batch:
                return out
            for n in batch:
                e = service.mapper.to_domain_event(n)
                out.append({"case": str(e.originator_id), "version": e.originator_version,
                            "type": type(e).__qualname__.split(".")[-1],
                            "action_id": getattr(e, "action_id", None), "position": n.id})
            start = batch[-1].id
    finally:
        service.close()


def assert_each_action_once(events: list[dict[str, Any]], expected_ids: set[str],
                            said: str = "") -> None:
    """Every expected action is stored exactly once, nothing else, versions 1..n per case.

    `said` (a writer's last output) is shown when an action is missing or unexpected.
    """
    counts = Counter(e["action_id"] for e in events)
    twice = [a for a, n in counts.items() if n > 1]
    assert not twice, f"actions stored more than once: {twice[:5]}"
    assert set(counts) == expected_ids, (
        f"missing {sorted(expected_ids - set(counts))[:5]}, "
        f"unexpected {sorted(set(counts) - expected_ids)[:5]}"
        + (f"; the writer said: {said[-1500:]}" if said else ""))
    versions: dict[str, list[int]] = {}
    for e in events:
        versions.setdefault(e["case"], []).append(e["version"])
    for case, seen in versions.items():
        assert sorted(seen) == list(range(1, len(seen) + 1)), (case, seen)


def assert_chain_intact(home: Home) -> int:
    """`wenzheng verify` finds every event chained exactly as written; returns events checked."""
    from wenzheng.store.verify import verify_store

    report = verify_store(store_env(home))
    assert report.ok, report.problems[:5]
    return report.events


def fresh_schema_url(postgres_url: str, prefix: str = "rb") -> str:
    """A URL naming a schema no one uses yet (created on first connection)."""
    return with_schema(postgres_url, f"{prefix}_{uuid.uuid4().hex[:12]}")


def open_target(target: str | Path) -> Database:
    """A read-model database: PostgreSQL URL or SQLite path."""
    text = str(target)
    return Database.postgres(text) if text.startswith("postgres") else Database.sqlite(text)


def project_store(home: Home, target: str | Path) -> int:
    """Catch the read models at `target` up with the home's store (the embedded path)."""
    app = open_service(home)
    db = open_target(target)
    try:
        calendar = home.settings().deadline_policy().calendar
        return catch_up(StoreSource(app), CaseProjection(db, calendar))
    finally:
        db.close()
        app.close()


def rebuilt(home: Home, fresh_target: str | Path) -> dict[str, list[tuple[Any, ...]]]:
    """The read-model tables folded from scratch out of the store into an empty target."""
    project_store(home, fresh_target)
    return read_model_tables(fresh_target)


def assert_read_models_equal_rebuild(home: Home, target: str | Path,
                                     fresh_target: str | Path) -> int:
    """The read models at `target` equal a from-scratch rebuild; returns events projected."""
    got = read_model_tables(target)
    want = rebuilt(home, fresh_target)
    assert set(got) == set(want), (sorted(got), sorted(want))
    for table in want:
        extra = [r for r in got[table] if r not in want[table]]
        missing = [r for r in want[table] if r not in got[table]]
        assert got[table] == want[table], (
            f"{table} differs from a rebuild: {len(got[table])} rows against "
            f"{len(want[table])}; extra {extra[:2]}; missing {missing[:2]}")
    return len(want["rm_history"])

"""The intake applies actions from Kafka and dead-letters what it cannot apply."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaProducer

from tests.integration.kafka_support import (
    cli_env,
    read_topic,
    run_cli,
    sample_actions,
    store_events,
)
from wenzheng.bootstrap.service import open_service
from wenzheng.home import Home

pytestmark = pytest.mark.kafka


@pytest.fixture
def home(tmp_path: Path) -> Home:
    """A fresh home on the embedded SQLite store."""
    h = Home(tmp_path / "home")
    h.init()
    return h


def topics() -> tuple[str, str, str]:
    """Fresh intake and dead-letter topic names and a fresh consumer group."""
    tag = uuid.uuid4().hex[:10]
    return f"actions.{tag}", f"actions.{tag}.dead-letter", f"intake-{tag}"


def produce(bootstrap: str, topic: str, messages: list[tuple[bytes | None, bytes | None]]) -> None:
    """Send (key, value) pairs and wait for the broker."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    try:
        for key, value in messages:
            producer.send(topic, key=key, value=value)
        producer.flush(timeout=30)
    finally:
        producer.close()


def as_message(action: dict[str, Any]) -> tuple[bytes, bytes]:
    """An action as the platforms send it: key = case number, value = JSON."""
    return action["case"].encode(), json.dumps(action, ensure_ascii=False).encode()


def intake_once(env: dict[str, str], intake: str, dead: str, group: str,
                log: list[str] | None = None) -> str:
    """Run `wenzheng intake --once`; it must succeed. Its log lines go into `log` if given."""
    done = run_cli(env, "intake", "--once", "--intake-topic", intake, "--dead-letter-topic",
                   dead, "--group", group, timeout=180)
    assert done.returncode == 0, done.stderr
    if log is not None:
        log.extend(done.stderr.splitlines())
    return done.stdout


def test_actions_on_the_intake_topic_are_applied_to_the_store(
    home: Home, kafka_bootstrap: str
) -> None:
    actions = sample_actions(8, home.settings().department_codes())
    intake, dead, group = topics()
    produce(kafka_bootstrap, intake, [as_message(a) for a in actions])
    out = intake_once(cli_env(home, kafka_bootstrap), intake, dead, group)
    assert f"已应用 {len(actions)}" in out
    assert len(store_events(home)) == len(actions)
    state = open_service(home)
    try:
        assert state.state("K-00001")["status"] == "closed"
    finally:
        state.close()


def test_invalid_and_rejected_messages_go_to_the_dead_letter_topic_with_their_bytes(
    home: Home, kafka_bootstrap: str
) -> None:
    depts = home.settings().department_codes()
    good = sample_actions(2, depts)
    claim_first = {"action": "claim", "case": "NEVER-REGISTERED", "at": "2025-03-03T10:00:00+08:00",
                   "by": "x"}
    poison: list[tuple[bytes | None, bytes | None]] = [
        (b"k1", b"\xff\xfe\x00not json"),
        (b"k2", b"{\"action\": \"teleport\", \"case\": \"A\"}"),
        (b"k3", b"[1, 2, 3]"),
        (b"k4", None),
        (None, b""),
        as_message(claim_first),
        (b"k6", b"{\"action\": \"assign\", \"case\": \"A\", \"at\": \"2025-03-03T10:00:00\"}"),
    ]
    intake, dead, group = topics()
    produce(kafka_bootstrap, intake, [as_message(a) for a in good[:3]] + poison
            + [as_message(a) for a in good[3:]])
    log: list[str] = []
    out = intake_once(cli_env(home, kafka_bootstrap), intake, dead, group, log)
    letters = read_topic(kafka_bootstrap, dead)
    assert sorted(r.value for r in letters) == sorted(v or b"" for _, v in poison)
    assert all(r.headers["reason"].decode() for r in letters)
    by_value = {r.value: r for r in letters}
    assert "JSON" in by_value[b"\xff\xfe\x00not json"].headers["reason"].decode()
    assert by_value[as_message(claim_first)[1]].headers["stage"] == b"rejected"
    assert by_value[as_message(claim_first)[1]].key == b"NEVER-REGISTERED"
    assert "时区" in by_value[poison[-1][1] or b""].headers["reason"].decode()
    dead_lines = [line for line in log if " WARNING intake 动作未应用" in line]
    assert len(dead_lines) == len(poison)  # one greppable line each: case, stage, offset
    rejected = by_value[as_message(claim_first)[1]]
    assert any(" case=NEVER-REGISTERED stage=rejected partition=" in line
               and line.endswith(f" offset={int(rejected.headers['source-offset'])}")
               for line in dead_lines), dead_lines
    assert len(store_events(home)) == len(good)
    assert f"已应用 {len(good)}" in out


def test_redelivered_actions_change_nothing(home: Home, kafka_bootstrap: str) -> None:
    actions = sample_actions(4, home.settings().department_codes())
    intake, dead, group = topics()
    env = cli_env(home, kafka_bootstrap)
    produce(kafka_bootstrap, intake, [as_message(a) for a in actions])
    intake_once(env, intake, dead, group)
    before = store_events(home)
    produce(kafka_bootstrap, intake, [as_message(a) for a in actions])
    out = intake_once(env, intake, dead, group)
    assert f"重复 {len(actions)}" in out
    assert store_events(home) == before
    assert read_topic(kafka_bootstrap, dead) == []


def test_a_restarted_intake_continues_after_its_committed_offsets(
    home: Home, kafka_bootstrap: str
) -> None:
    depts = home.settings().department_codes()
    first, second = sample_actions(3, depts), sample_actions(3, depts, start=3)
    intake, dead, group = topics()
    env = cli_env(home, kafka_bootstrap)
    produce(kafka_bootstrap, intake, [as_message(a) for a in first])
    intake_once(env, intake, dead, group)
    produce(kafka_bootstrap, intake, [as_message(a) for a in second])
    out = intake_once(env, intake, dead, group)
    assert f"收到 {len(second)} 条" in out
    assert len(store_events(home)) == len(first) + len(second)


def test_an_action_dated_far_after_the_clock_is_dead_lettered_not_stored(
    home: Home, kafka_bootstrap: str
) -> None:
    good = sample_actions(1, home.settings().department_codes())[:2]
    future = {**good[0], "case": "FUTURE-1", "at": "2099-03-03T09:00:00+08:00"}
    intake, dead, group = topics()
    produce(kafka_bootstrap, intake, [as_message(future), *(as_message(a) for a in good)])
    out = intake_once(cli_env(home, kafka_bootstrap), intake, dead, group)
    (letter,) = read_topic(kafka_bootstrap, dead)
    assert letter.key == b"FUTURE-1" and "晚于当前时间" in letter.headers["reason"].decode()
    assert f"已应用 {len(good)}" in out and len(store_events(home)) == len(good)

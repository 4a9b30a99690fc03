"""The relay publishes the store's events to Kafka: envelope, order, tracking, republication."""

from __future__ import annotations

import json
import re
import time
import uuid
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from kafka import KafkaAdminClient

from tests.fixtures.kafka import TansuBroker
from tests.integration.kafka_support import (
    PHONE_PREFIX,
    apply_actions,
    cli_env,
    first_deliveries,
    read_topic,
    run_cli,
    sample_actions,
    start_cli,
    store_events,
    terminate,
    versions_in_order,
)
from wenzheng.home import Home

pytestmark = pytest.mark.kafka
DOCS = Path(__file__).resolve().parents[2] / "docs" / "events.md"


def documented_schema() -> dict[str, object]:
    """The JSON Schema as docs/events.md states it."""
    text = DOCS.read_text(encoding="utf-8")
    return dict(json.loads(text.split("```json schema\n", 1)[1].split("```", 1)[0]))


@pytest.fixture
def home(tmp_path: Path) -> Home:
    """A fresh home on the embedded SQLite store."""
    h = Home(tmp_path / "home")
    h.init()
    return h


def new_topic() -> str:
    """A topic name no other test uses."""
    return f"wenzheng.case-events.{uuid.uuid4().hex[:10]}"


def relay(env: dict[str, str], topic: str, *extra: str) -> str:
    """Run `wenzheng relay --once` and return its output; it must succeed."""
    done = run_cli(env, "relay", "--once", "--quiet", "--topic", topic, *extra)
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def test_every_stored_event_is_published_once_with_the_documented_envelope(
    home: Home, kafka_bootstrap: str
) -> None:
    depts = home.settings().department_codes()
    apply_actions(home, sample_actions(30, depts))
    topic = new_topic()
    relay(cli_env(home, kafka_bootstrap), topic)
    records = read_topic(kafka_bootstrap, topic)
    stored = store_events(home)
    validator = Draft202012Validator(documented_schema())
    for r in records:
        body = r.body()
        assert list(validator.iter_errors(body)) == []
        assert r.key == body["case_id"].encode()
        assert r.headers["type"] == body["type"].encode()
        assert r.headers["version"] == str(body["version"]).encode()
        assert r.headers["envelope_version"] == b"1"
    assert sorted((r.body()["case_id"], r.body()["version"], r.body()["position"],
                   r.body()["type"]) for r in records) == sorted(stored)
    assert versions_in_order(records)
    numbers = {r.body()["case_id"]: r.body()["case_number"] for r in records}
    assert sorted(set(numbers.values())) == [f"K-{i:05d}" for i in range(30)]


def test_no_published_message_contains_a_citizens_phone_or_name(
    home: Home, kafka_bootstrap: str
) -> None:
    apply_actions(home, sample_actions(12, home.settings().department_codes()))
    topic = new_topic()
    relay(cli_env(home, kafka_bootstrap), topic)
    records = read_topic(kafka_bootstrap, topic)
    assert len(records) == len(store_events(home))
    for r in records:
        raw = r.key + r.value + b"".join(r.headers.values())
        assert PHONE_PREFIX.encode() not in raw
        assert "市民".encode() not in raw


def test_the_relay_resumes_from_its_recorded_position(home: Home, kafka_bootstrap: str) -> None:
    depts = home.settings().department_codes()
    env = cli_env(home, kafka_bootstrap)
    topic = new_topic()
    apply_actions(home, sample_actions(5, depts))
    relay(env, topic)
    first = len(read_topic(kafka_bootstrap, topic))
    apply_actions(home, sample_actions(4, depts, start=5))
    out = relay(env, topic)
    records = read_topic(kafka_bootstrap, topic)
    stored = store_events(home)
    assert first < len(stored)
    assert len(records) == len(stored)
    assert f"中继位置 {stored[-1][2]}" in out
    assert versions_in_order(records)


def test_republish_refills_a_deleted_topic(home: Home, kafka_bootstrap: str) -> None:
    apply_actions(home, sample_actions(6, home.settings().department_codes()))
    env = cli_env(home, kafka_bootstrap)
    topic = new_topic()
    relay(env, topic)
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    try:
        admin.delete_topics([topic])
    finally:
        admin.close()
    warned = relay(env, topic)
    assert "--republish" in warned
    assert read_topic(kafka_bootstrap, topic) == []
    relay(env, topic, "--republish")
    records = read_topic(kafka_bootstrap, topic)
    assert sorted(first_deliveries(records)) == sorted((c, v) for c, v, _, _ in store_events(home))


def test_republish_refills_a_broker_restarted_empty(home: Home) -> None:
    apply_actions(home, sample_actions(6, home.settings().department_codes()))
    topic = new_topic()
    broker = TansuBroker()
    try:
        bootstrap = broker.start()
        relay(cli_env(home, bootstrap), topic)
        assert len(read_topic(bootstrap, topic)) == len(store_events(home))
        broker.stop()
        bootstrap = broker.start()
        assert read_topic(bootstrap, topic) == []
        relay(cli_env(home, bootstrap), topic, "--republish")
        records = read_topic(bootstrap, topic)
    finally:
        broker.stop()
    assert len(records) == len(store_events(home))
    assert versions_in_order(records)


def test_the_relay_on_postgresql_keeps_its_position_in_the_store_schema(
    home: Home, kafka_bootstrap: str, postgres_schema_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WENZHENG_DATABASE_URL", postgres_schema_url)
    depts = home.settings().department_codes()
    apply_actions(home, sample_actions(5, depts))
    env = cli_env(home, kafka_bootstrap, {"WENZHENG_DATABASE_URL": postgres_schema_url})
    topic = new_topic()
    relay(env, topic)
    apply_actions(home, sample_actions(3, depts, start=5))
    relay(env, topic)
    records = read_topic(kafka_bootstrap, topic)
    stored = store_events(home)
    assert len(records) == len(stored)
    assert versions_in_order(records)


def test_sigterm_stops_a_following_relay_cleanly(
    home: Home, kafka_bootstrap: str, tmp_path: Path
) -> None:
    apply_actions(home, sample_actions(4, home.settings().department_codes()))
    topic = new_topic()
    proc = start_cli(cli_env(home, kafka_bootstrap), "relay", "--topic", topic,
                     log=tmp_path / "relay.log")
    try:
        expected = len(store_events(home))
        deadline = time.monotonic() + 60
        while len(read_topic(kafka_bootstrap, topic)) < expected and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        code = terminate(proc)
    log = (tmp_path / "relay.log").read_text(encoding="utf-8")
    assert code == 0, log
    assert "SIGTERM" in log
    assert len(read_topic(kafka_bootstrap, topic)) == expected
    # the service logs in the one format (wenzheng/logs.py): time, level, service, fields
    stamp = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
    assert re.search(stamp + r" INFO relay 已发布 \d+ 条，位置 \d+ count=\d+ position=\d+$",
                     log, re.M), log
    assert re.search(stamp + r" INFO relay 收到信号 SIGTERM，处理完当前批次后退出 signal=SIGTERM$",
                     log, re.M), log

"""The Kafka projector gives the same read models as following the store."""

from __future__ import annotations

import json
import signal
import uuid
from pathlib import Path

import pytest

from consumers.settings import KafkaSettings
from tests.fixtures.kafka import TansuBroker
from tests.integration.kafka_support import (
    apply_actions,
    cli_env,
    projected_events,
    read_model_tables,
    run_cli,
    sample_actions,
    start_cli,
    store_events,
    wait_until,
    write_jsonl,
)
from wenzheng.home import Home

pytestmark = pytest.mark.kafka
PARTITIONS = KafkaSettings().partitions


@pytest.fixture
def home(tmp_path: Path) -> Home:
    """A fresh home on the embedded SQLite store."""
    h = Home(tmp_path / "home")
    h.init()
    return h


def ok(env: dict[str, str], *args: str, timeout: float = 180) -> str:
    """Run `wenzheng ARGS`; it must succeed; its output."""
    done = run_cli(env, *args, timeout=timeout)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def last_assignment(log: Path) -> list[int]:
    """The partitions a projector reported last in its log ("分配到分区 [..]")."""
    lines = [ln for ln in log.read_text(encoding="utf-8").splitlines() if "分配到分区" in ln]
    return json.loads(lines[-1].split("分配到分区", 1)[1]) if lines else []


def shared(logs: list[Path]) -> bool:
    """Every projector holds partitions, none twice, and together all of them."""
    parts = [last_assignment(log) for log in logs]
    flat = [p for ps in parts for p in ps]
    return all(parts) and len(flat) == len(set(flat)) == PARTITIONS


def names() -> tuple[str, str]:
    """A fresh topic and consumer group."""
    tag = uuid.uuid4().hex[:10]
    return f"wenzheng.case-events.{tag}", f"projector-{tag}"


def consume(env: dict[str, str], topic: str, group: str, target: str | Path) -> str:
    """`wenzheng consume --transport kafka --once` into the given read-model database."""
    return ok(env, "consume", "--transport", "kafka", "--once", "--topic", topic, "--group",
              group, "--readmodels", str(target))


def test_an_action_file_gives_identical_read_models_through_kafka_and_the_store(
    home: Home, kafka_bootstrap: str, tmp_path: Path
) -> None:
    actions = write_jsonl(tmp_path / "actions.jsonl",
                          sample_actions(40, home.settings().department_codes()))
    env = cli_env(home, kafka_bootstrap)
    topic, group = names()
    ok(env, "apply", str(actions))
    ok(env, "relay", "--once", "--quiet", "--topic", topic)
    consume(env, topic, group, tmp_path / "kafka.sqlite")
    ok(env, "consume", "--transport", "store", "--once", "--readmodels",
       str(tmp_path / "store.sqlite"))
    via_kafka = read_model_tables(tmp_path / "kafka.sqlite")
    assert set(via_kafka) >= {"rm_cases", "rm_history"}
    assert len(via_kafka["rm_history"]) == len(store_events(home))
    assert via_kafka == read_model_tables(home.readmodels_db)
    assert via_kafka == read_model_tables(tmp_path / "store.sqlite")


def test_on_postgresql_the_kafka_read_models_equal_the_store_followers(
    home: Home, kafka_bootstrap: str, tmp_path: Path, postgres_url: str,
    postgres_schema_url: str,
) -> None:
    store_url = postgres_schema_url
    kafka_url = f"{postgres_url}?schema=k_{uuid.uuid4().hex[:8]}"
    actions = write_jsonl(tmp_path / "actions.jsonl",
                          sample_actions(25, home.settings().department_codes()))
    env = cli_env(home, kafka_bootstrap, {"WENZHENG_DATABASE_URL": store_url})
    topic, group = names()
    ok(env, "apply", str(actions))
    ok(env, "relay", "--once", "--quiet", "--topic", topic)
    consume(env, topic, group, kafka_url)
    assert read_model_tables(kafka_url) == read_model_tables(store_url)
    assert projected_events(kafka_url) > 0


def test_repeated_events_and_redeliveries_change_nothing(
    home: Home, kafka_bootstrap: str, tmp_path: Path
) -> None:
    apply_actions(home, sample_actions(15, home.settings().department_codes()))
    env = cli_env(home, kafka_bootstrap)
    topic, group = names()
    target = tmp_path / "kafka.sqlite"
    ok(env, "relay", "--once", "--quiet", "--topic", topic)
    ok(env, "relay", "--once", "--quiet", "--topic", topic, "--republish")
    consume(env, topic, group, target)
    once = read_model_tables(target)
    consume(env, topic, f"{group}-again", target)
    assert read_model_tables(target) == once
    ok(env, "consume", "--transport", "store", "--once", "--readmodels",
       str(tmp_path / "store.sqlite"))
    assert once == read_model_tables(tmp_path / "store.sqlite")


def test_two_projectors_share_the_partitions_and_one_takes_over_from_the_other(
    home: Home, kafka_bootstrap: str, tmp_path: Path
) -> None:
    depts = home.settings().department_codes()
    apply_actions(home, sample_actions(20, depts))
    env = cli_env(home, kafka_bootstrap)
    topic, group = names()
    target = tmp_path / "kafka.sqlite"
    ok(env, "relay", "--once", "--quiet", "--topic", topic)
    args = ("consume", "--transport", "kafka", "--topic", topic, "--group", group,
            "--readmodels", str(target))
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    first = start_cli(env, *args, log=logs[0])
    second = start_cli(env, *args, log=logs[1])
    try:
        assert wait_until(lambda: projected_events(target) == len(store_events(home)), 90)
        assert wait_until(lambda: shared(logs), 60)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        apply_actions(home, sample_actions(20, depts, start=20))
        ok(env, "relay", "--once", "--quiet", "--topic", topic)
        assert wait_until(lambda: last_assignment(logs[1]) == list(range(PARTITIONS)), 90)
        assert wait_until(lambda: projected_events(target) == len(store_events(home)), 120)
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=60) == 0
    finally:
        for proc in (first, second):
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    ok(env, "consume", "--transport", "store", "--once", "--readmodels",
       str(tmp_path / "store.sqlite"))
    assert read_model_tables(target) == read_model_tables(tmp_path / "store.sqlite")


def test_a_broker_restarted_empty_is_refilled_and_the_read_models_stay_correct(
    home: Home, tmp_path: Path
) -> None:
    depts = home.settings().department_codes()
    apply_actions(home, sample_actions(10, depts))
    topic, group = names()
    target = tmp_path / "kafka.sqlite"
    broker = TansuBroker()
    try:
        env = cli_env(home, broker.start())
        ok(env, "relay", "--once", "--quiet", "--topic", topic)
        consume(env, topic, group, target)
        broker.stop()
        env = cli_env(home, broker.start())
        apply_actions(home, sample_actions(10, depts, start=10))
        assert "--republish" in ok(env, "relay", "--once", "--quiet", "--topic", topic)
        ok(env, "relay", "--once", "--quiet", "--topic", topic, "--republish")
        consume(env, topic, group, target)
    finally:
        broker.stop()
    assert projected_events(target) == len(store_events(home))
    ok(env, "consume", "--transport", "store", "--once", "--readmodels",
       str(tmp_path / "store.sqlite"))
    assert read_model_tables(target) == read_model_tables(tmp_path / "store.sqlite")


def test_status_shows_the_store_head_the_relay_position_and_the_projection(
    home: Home, kafka_bootstrap: str, tmp_path: Path
) -> None:
    apply_actions(home, sample_actions(5, home.settings().department_codes()))
    topic, group = names()
    target = tmp_path / "kafka.sqlite"
    env = cli_env(home, kafka_bootstrap, {"WENZHENG_PROJECTOR_GROUP": group})
    before = json.loads(ok(env, "status", "--topic", topic, "--readmodels", str(target),
                           "--format", "json"))
    ok(env, "relay", "--once", "--quiet", "--topic", topic)
    consume(env, topic, group, target)
    after = json.loads(ok(env, "status", "--topic", topic, "--readmodels", str(target),
                          "--format", "json"))
    head = len(store_events(home))
    assert (before["store_head"], before["relay_position"], before["relay_lag"]) == (head, 0, head)
    assert after["kafka"] == "ok"
    assert (after["store_head"], after["relay_position"], after["relay_lag"]) == (head, head, 0)
    assert after["projection_position_kafka"] == head
    assert after["projector_lag"] == 0
    # Only the calendar may warn (from 60 days before its covered range ends).
    assert [w for w in after["warnings"] if not w.startswith("工作日历")] == []

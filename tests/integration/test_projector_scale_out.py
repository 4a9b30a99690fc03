"""Scaling out: two Kafka projectors in one group split a 4-partition topic and both work."""

from __future__ import annotations

import re
import signal
import uuid
from pathlib import Path

import pytest

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
)
from wenzheng.home import Home

pytestmark = pytest.mark.kafka
PARTITIONS = 4


def last_assignment(log: Path) -> list[int]:
    """The partitions a projector reported last in its log ("分配到分区 [..]")."""
    lines = [ln for ln in log.read_text(encoding="utf-8").splitlines() if "分配到分区" in ln]
    return [int(p) for p in re.findall(r"\d+", lines[-1].split("分配到分区", 1)[1])] \
        if lines else []


def split_evenly(logs: list[Path]) -> bool:
    """Each projector holds partitions, and together exactly all of them."""
    parts = [last_assignment(log) for log in logs]
    return all(parts) and sorted(p for ps in parts for p in ps) == list(range(PARTITIONS))


def applied(log: Path) -> int:
    """Events a stopped projector says it applied ("应用 N 个事件")."""
    found = re.findall(r"应用 (\d+) 个事件", log.read_text(encoding="utf-8"))
    return int(found[-1]) if found else -1


def test_two_projectors_split_a_four_partition_topic_and_both_make_progress(
    tmp_path: Path, kafka_bootstrap: str
) -> None:
    home = Home(tmp_path / "home")
    home.init()
    tag = uuid.uuid4().hex[:10]
    topic, group = f"wenzheng.scale-out.{tag}", f"projector-{tag}"
    env = cli_env(home, kafka_bootstrap, {"WENZHENG_TOPIC_PARTITIONS": str(PARTITIONS)})
    target = tmp_path / "kafka.sqlite"
    assert run_cli(env, "relay", "--once", "--quiet", "--topic", topic).returncode == 0
    args = ("consume", "--transport", "kafka", "--topic", topic, "--group", group,
            "--readmodels", str(target))
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    procs = [start_cli(env, *args, log=log) for log in logs]
    try:
        assert wait_until(lambda: split_evenly(logs), 90), \
            [log.read_text(encoding="utf-8") for log in logs]
        split = [last_assignment(log) for log in logs]
        apply_actions(home, sample_actions(60, home.settings().department_codes()))
        assert run_cli(env, "relay", "--once", "--quiet", "--topic", topic).returncode == 0
        assert wait_until(lambda: projected_events(target) == len(store_events(home)), 120)
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        assert [proc.wait(timeout=60) for proc in procs] == [0, 0]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert all(len(p) == PARTITIONS // 2 for p in split), split
    done = [applied(log) for log in logs]
    assert all(n > 0 for n in done) and sum(done) == len(store_events(home)), done
    assert run_cli(env, "consume", "--transport", "store", "--once", "--readmodels",
                   str(tmp_path / "store.sqlite")).returncode == 0
    assert read_model_tables(target) == read_model_tables(tmp_path / "store.sqlite")

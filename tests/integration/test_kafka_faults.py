"""SIGKILL at random moments: the relay and the projector lose nothing, count nothing twice."""

from __future__ import annotations

import random
import signal
import time
import uuid
from pathlib import Path

import pytest

from consumers.positions import open_positions
from tests.integration.kafka_support import (
    apply_actions,
    cli_env,
    first_deliveries,
    projected_events,
    read_model_tables,
    read_topic,
    run_cli,
    sample_actions,
    start_cli,
    store_events,
    versions_in_order,
    wait_until,
)
from wenzheng.bootstrap.service import store_env
from wenzheng.home import Home

pytestmark = [pytest.mark.kafka, pytest.mark.faults]
TRIALS = 10
SEED = 20261122


def relay_position(home: Home, topic: str) -> int:
    """The relay's recorded position for the topic."""
    positions = open_positions(store_env(home))
    try:
        return positions.get(topic)
    finally:
        positions.close()


def kill_after(proc_args: tuple[str, ...], env: dict[str, str], delay: float, log: Path) -> None:
    """Start `wenzheng ARGS`, SIGKILL it after `delay` seconds (if still running)."""
    proc = start_cli(env, *proc_args, log=log)
    try:
        proc.wait(timeout=delay)
    except Exception:  # still running: the usual case
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)


def kill_while_publishing(home: Home, topic: str, proc_args: tuple[str, ...],
                          env: dict[str, str], delay: float, log: Path) -> None:
    """Start the relay, wait until it records a new position, SIGKILL it `delay` s later."""
    before = relay_position(home, topic)
    proc = start_cli(env, *proc_args, log=log)
    try:
        deadline = time.monotonic() + 60
        while relay_position(home, topic) == before and time.monotonic() < deadline:
            if proc.poll() is not None:
                return
            time.sleep(0.01)
        time.sleep(delay)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)


def test_a_relay_killed_at_random_moments_loses_nothing_and_keeps_case_order(
    tmp_path: Path, kafka_bootstrap: str
) -> None:
    rng = random.Random(SEED)
    home = Home(tmp_path / "home")
    home.init()
    depts = home.settings().department_codes()
    apply_actions(home, sample_actions(60, depts))
    env = cli_env(home, kafka_bootstrap)
    topic = f"wenzheng.case-events.faults-{uuid.uuid4().hex[:8]}"
    args = ("relay", "--quiet", "--topic", topic, "--batch-size", "5")
    mid_stream = 0
    for trial in range(TRIALS):
        apply_actions(home, sample_actions(30, depts, start=60 + 30 * trial))
        kill_while_publishing(home, topic, args, env, rng.uniform(0.0, 0.15),
                              tmp_path / "relay.log")
        if 0 < relay_position(home, topic) < len(store_events(home)):
            mid_stream += 1
    done = run_cli(env, *args, "--once")
    assert done.returncode == 0, done.stderr
    records = read_topic(kafka_bootstrap, topic)
    stored = store_events(home)
    delivered = first_deliveries(records)
    assert sorted(delivered) == sorted((c, v) for c, v, _, _ in stored)
    assert versions_in_order(records)
    bodies = {(r.body()["case_id"], r.body()["version"]): r.body() for r in records}
    assert {k: (b["position"], b["type"]) for k, b in bodies.items()} == {
        (c, v): (p, t) for c, v, p, t in stored}
    print(f"relay faults: {TRIALS} kills, {mid_stream} mid-stream, {len(stored)} events, "
          f"{len(records)} messages ({len(records) - len(stored)} repeats)")
    assert mid_stream >= 1


def test_a_relay_killed_during_a_republish_still_refills_the_topic(
    tmp_path: Path, kafka_bootstrap: str
) -> None:
    home = Home(tmp_path / "home")
    home.init()
    apply_actions(home, sample_actions(25, home.settings().department_codes()))
    env = cli_env(home, kafka_bootstrap)
    topic = f"wenzheng.case-events.faults-{uuid.uuid4().hex[:8]}"
    kill_after(("relay", "--quiet", "--topic", topic, "--republish", "--batch-size", "10"),
               env, 1.5, tmp_path / "relay.log")
    time.sleep(0.1)
    done = run_cli(env, "relay", "--once", "--quiet", "--topic", topic)
    assert done.returncode == 0, done.stderr
    records = read_topic(kafka_bootstrap, topic)
    assert sorted(first_deliveries(records)) == sorted(
        (c, v) for c, v, _, _ in store_events(home))
    assert versions_in_order(records)


def test_a_projector_killed_at_random_moments_gives_the_store_paths_read_models(
    tmp_path: Path, kafka_bootstrap: str
) -> None:
    rng = random.Random(SEED + 1)
    home = Home(tmp_path / "home")
    home.init()
    depts = home.settings().department_codes()
    apply_actions(home, sample_actions(60, depts))
    env = cli_env(home, kafka_bootstrap)
    topic = f"wenzheng.case-events.faults-{uuid.uuid4().hex[:8]}"
    group = f"projector-faults-{uuid.uuid4().hex[:8]}"
    target = tmp_path / "kafka.sqlite"
    relay = ("relay", "--once", "--quiet", "--topic", topic)
    consume = ("consume", "--transport", "kafka", "--topic", topic, "--group", group,
               "--readmodels", str(target), "--batch-size", "7")
    assert run_cli(env, *relay).returncode == 0
    mid_stream = 0
    for trial in range(TRIALS):
        before = projected_events(target)
        proc = start_cli(env, *consume, log=tmp_path / "projector.log")
        try:
            wait_until(lambda b=before, p=proc: projected_events(target) > b
                       or p.poll() is not None,
                       90, interval=0.02)
            time.sleep(rng.uniform(0.0, 0.15))
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        if projected_events(target) < len(store_events(home)):
            mid_stream += 1
        apply_actions(home, sample_actions(12, depts, start=60 + 12 * trial))
        assert run_cli(env, *relay).returncode == 0
    done = run_cli(env, *consume, "--once", timeout=300)
    assert done.returncode == 0, done.stderr
    follow = run_cli(env, "consume", "--transport", "store", "--once", "--readmodels",
                     str(tmp_path / "store.sqlite"))
    assert follow.returncode == 0, follow.stderr
    via_kafka = read_model_tables(target)
    assert len(via_kafka["rm_history"]) == len(store_events(home))
    assert via_kafka == read_model_tables(tmp_path / "store.sqlite")
    print(f"projector faults: {TRIALS} kills, {mid_stream} mid-stream, "
          f"{len(store_events(home))} events")
    assert mid_stream >= 1

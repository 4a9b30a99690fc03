"""SIGKILL of the relay at random points, event store in PostgreSQL."""

from __future__ import annotations

import uuid
from collections import Counter
from pathlib import Path

import pytest

from consumers.positions import open_positions
from tests.faults.support import (
    assert_chain_intact,
    assert_read_models_equal_rebuild,
    fault_env,
    kill_at_random,
    seeded,
    stored_events,
    trials,
)
from tests.integration.kafka_support import (
    apply_actions,
    first_deliveries,
    read_topic,
    run_cli,
    sample_actions,
    versions_in_order,
)
from wenzheng.bootstrap.service import store_env
from wenzheng.home import Home

pytestmark = [pytest.mark.kafka, pytest.mark.postgres, pytest.mark.faults]
CASES_PER_TRIAL = 8


def test_a_relay_killed_at_random_points_publishes_every_event_in_case_order(
    tmp_path: Path, kafka_bootstrap: str, postgres_schema_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = seeded("relay")
    monkeypatch.setenv("WENZHENG_DATABASE_URL", postgres_schema_url)
    home = Home(tmp_path / "home")
    home.init()
    depts = home.settings().department_codes()
    env = fault_env(home, kafka_bootstrap, WENZHENG_DATABASE_URL=postgres_schema_url)
    topic = f"wenzheng.case-events.kill-{uuid.uuid4().hex[:8]}"
    args = ("relay", "--quiet", "--topic", topic, "--batch-size", "5")
    positions = open_positions(store_env(home))
    where: Counter[str] = Counter()
    try:
        for trial in range(trials()):
            apply_actions(home, sample_actions(CASES_PER_TRIAL, depts,
                                               start=CASES_PER_TRIAL * trial))
            where[kill_at_random(rng, env, args, tmp_path / "relay.log",
                                 lambda: positions.get(topic), early=1.5)] += 1
    finally:
        positions.close()
    done = run_cli(env, *args, "--once")
    assert done.returncode == 0, done.stderr
    records = read_topic(kafka_bootstrap, topic)
    stored = stored_events(home)
    assert assert_chain_intact(home) == len(stored)
    assert sorted(first_deliveries(records)) == sorted((e["case"], e["version"]) for e in stored)
    assert versions_in_order(records)
    target = tmp_path / "kafka.sqlite"
    consume = run_cli(env, "consume", "--transport", "kafka", "--topic", topic, "--group",
                      f"after-relay-{uuid.uuid4().hex[:8]}", "--readmodels", str(target),
                      "--once", timeout=300)
    assert consume.returncode == 0, consume.stderr
    assert assert_read_models_equal_rebuild(home, target, tmp_path / "rebuild.sqlite") == len(
        stored)
    print(f"relay: {sum(where.values())} kills {dict(where)}, {len(stored)} events, "
          f"{len(records)} messages ({len(records) - len(stored)} repeats)")
    assert where["处理中"] >= 1

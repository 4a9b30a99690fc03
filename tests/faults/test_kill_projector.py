"""SIGKILL of the Kafka projector at random points, read models in PostgreSQL."""

from __future__ import annotations

import uuid
from collections import Counter
from pathlib import Path

import pytest

from tests.faults.support import (
    assert_read_models_equal_rebuild,
    fault_env,
    fresh_schema_url,
    kill_at_random,
    relay_once,
    seeded,
    stored_events,
    trials,
)
from tests.integration.kafka_support import (
    apply_actions,
    projected_events,
    run_cli,
    sample_actions,
)
from wenzheng.home import Home

pytestmark = [pytest.mark.kafka, pytest.mark.postgres, pytest.mark.faults]
CASES_FIRST, CASES_PER_TRIAL = 30, 6


def test_a_projector_killed_at_random_points_ends_equal_to_a_rebuild(
    tmp_path: Path, kafka_bootstrap: str, postgres_url: str
) -> None:
    rng = seeded("projector")
    home = Home(tmp_path / "home")
    home.init()
    depts = home.settings().department_codes()
    apply_actions(home, sample_actions(CASES_FIRST, depts))
    env = fault_env(home, kafka_bootstrap)
    topic = f"wenzheng.case-events.kill-{uuid.uuid4().hex[:8]}"
    target = fresh_schema_url(postgres_url, "kafka")
    consume = ("consume", "--transport", "kafka", "--topic", topic, "--group",
               f"projector-kill-{uuid.uuid4().hex[:8]}", "--readmodels", target,
               "--batch-size", "9")
    relay_once(home, kafka_bootstrap, topic)
    where: Counter[str] = Counter()
    for trial in range(trials()):
        where[kill_at_random(rng, env, consume, tmp_path / "projector.log",
                             lambda: projected_events(target))] += 1
        apply_actions(home, sample_actions(CASES_PER_TRIAL, depts,
                                           start=CASES_FIRST + CASES_PER_TRIAL * trial))
        relay_once(home, kafka_bootstrap, topic)
    done = run_cli(env, *consume, "--once", timeout=300)
    assert done.returncode == 0, done.stderr
    events = len(stored_events(home))
    projected = assert_read_models_equal_rebuild(home, target, fresh_schema_url(postgres_url))
    assert projected == events
    print(f"projector: {sum(where.values())} kills {dict(where)}, {events} events, "
          "read models equal a rebuild")
    assert where["处理中"] >= 1

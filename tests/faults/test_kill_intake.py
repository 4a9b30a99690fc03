"""SIGKILL of the intake at random points, event store in PostgreSQL."""

from __future__ import annotations

import json
import random
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.faults.support import (
    assert_chain_intact,
    assert_each_action_once,
    assert_read_models_equal_rebuild,
    fault_env,
    fresh_schema_url,
    kill_at_random,
    project_store,
    seeded,
    stored_events,
    trials,
)
from tests.integration.kafka_support import read_topic, run_cli, sample_actions
from tests.integration.test_intake import as_message, produce
from wenzheng.bootstrap.service import open_service
from wenzheng.home import Home

pytestmark = [pytest.mark.kafka, pytest.mark.postgres, pytest.mark.faults]
CASES_PER_TRIAL = 5


def never_legal(rng: random.Random, case: str, n: int) -> tuple[bytes, bytes]:
    """A message that no state of any case can accept (so redelivery cannot change its fate)."""
    at = "2025-03-03T10:00:00+08:00"
    choices: list[Any] = [
        b"{\"action\": \"claim\", \"case\": ",
        b"\xff\xfe poison " + str(n).encode(),
        {"action": "assign", "case": case, "at": at, "by": "x", "department": "NOWHERE"},
        {"action": "claim", "case": case, "at": "2025-03-03T10:00:00", "by": "x"},
        {"action": "claim", "case": f"NEVER-{n}", "at": at, "by": "x"},
        {"action": "rate", "case": case, "at": at, "by": "x", "rating": "很好"},
    ]
    pick = rng.choice(choices)
    value = pick if isinstance(pick, bytes) else json.dumps({**pick, "id": f"bad-{n}"},
                                                             ensure_ascii=False).encode()
    return case.encode(), value


def test_an_intake_killed_at_random_points_applies_each_action_once(
    tmp_path: Path, kafka_bootstrap: str, postgres_schema_url: str, postgres_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = seeded("intake")
    monkeypatch.setenv("WENZHENG_DATABASE_URL", postgres_schema_url)
    home = Home(tmp_path / "home")
    home.init()
    depts = home.settings().department_codes()
    env = fault_env(home, kafka_bootstrap, WENZHENG_DATABASE_URL=postgres_schema_url)
    tag = uuid.uuid4().hex[:8]
    intake, dead = f"actions.kill-{tag}", f"actions.kill-{tag}.dead-letter"
    args = ("intake", "--intake-topic", intake, "--dead-letter-topic", dead,
            "--group", f"intake-kill-{tag}")
    readmodels = fresh_schema_url(postgres_url, "inc")
    good: set[str] = set()
    poison: list[bytes] = []
    where: Counter[str] = Counter()
    watcher = open_service(home)
    try:
        for trial in range(trials()):
            actions = sample_actions(CASES_PER_TRIAL, depts, start=CASES_PER_TRIAL * trial)
            good |= {a["id"] for a in actions}
            messages: list[tuple[bytes | None, bytes | None]] = [as_message(a) for a in actions]
            for n in range(2):
                bad = never_legal(rng, actions[0]["case"], 2 * trial + n)
                messages.insert(rng.randrange(len(messages) + 1), bad)
                poison.append(bad[1])
            produce(kafka_bootstrap, intake, messages)
            where[kill_at_random(rng, env, args, tmp_path / "intake.log",
                                 lambda: int(watcher.recorder.max_notification_id() or 0),
                                 late=0.3)] += 1
            project_store(home, readmodels)
    finally:
        watcher.close()
    done = run_cli(env, *args, "--once", timeout=300)
    assert done.returncode == 0, done.stderr
    events = stored_events(home)
    assert_each_action_once(events, good, said=done.stderr)
    assert assert_chain_intact(home) == len(events)
    letters = read_topic(kafka_bootstrap, dead)
    assert Counter(r.value for r in letters).keys() == Counter(poison).keys()
    assert all(r.headers["reason"] for r in letters)
    project_store(home, readmodels)
    assert assert_read_models_equal_rebuild(home, readmodels,
                                            fresh_schema_url(postgres_url)) == len(events)
    print(f"intake: {sum(where.values())} kills {dict(where)}, {len(good)} actions applied once, "
          f"{len(poison)} poison messages, {len(letters)} dead letters")
    assert where["处理中"] >= 1

"""SIGKILL of `wenzheng apply` at random points: a batch is stored whole or not at all."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.faults.support import (
    assert_chain_intact,
    assert_each_action_once,
    assert_read_models_equal_rebuild,
    fresh_schema_url,
    kill_at_random,
    seeded,
    stored_events,
    trials,
)
from tests.integration.kafka_support import (
    cli_env,
    run_cli,
    sample_actions,
    write_jsonl,
)
from wenzheng.applyfile import BATCH_SIZE
from wenzheng.bootstrap.service import open_service
from wenzheng.home import Home

pytestmark = [pytest.mark.postgres, pytest.mark.faults]
CASES_PER_FILE = 40


def test_an_apply_killed_at_random_points_leaves_whole_batches_and_the_rerun_completes(
    tmp_path: Path, postgres_schema_url: str, postgres_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = seeded("apply")
    monkeypatch.setenv("WENZHENG_DATABASE_URL", postgres_schema_url)
    home = Home(tmp_path / "home")
    home.init()
    open_service(home).close()
    depts = home.settings().department_codes()
    env = cli_env(home, "unused:9092", {"WENZHENG_DATABASE_URL": postgres_schema_url})
    files: list[tuple[Path, set[str]]] = []
    seen: Counter[str] = Counter()
    watcher = open_service(home)
    try:
        for trial in range(max(trials() // 2, 1)):
            actions = sample_actions(CASES_PER_FILE, depts, start=CASES_PER_FILE * trial)
            assert len(actions) < BATCH_SIZE  # one store transaction for the file
            files.append((write_jsonl(tmp_path / f"part{trial}.jsonl", actions),
                          {a["id"] for a in actions}))
            kill_at_random(rng, env, ("apply", str(files[-1][0])), tmp_path / "apply.log",
                           lambda: int(watcher.recorder.max_notification_id() or 0), early=2.5)
            events = stored_events(home)
            stored = {e["action_id"] for e in events}
            assert_each_action_once(events, stored)
            assert_chain_intact(home)
            part = stored & files[-1][1]
            assert part in (set(), files[-1][1]), f"{len(part)} of {len(files[-1][1])} stored"
            seen["整批已存" if part else "未存"] += 1
    finally:
        watcher.close()
    for path, _ids in files:
        done = run_cli(env, "apply", str(path), timeout=300)
        assert done.returncode == 0, done.stderr
    expected = set().union(*(ids for _, ids in files))
    events = stored_events(home)
    assert_each_action_once(events, expected)
    assert assert_chain_intact(home) == len(expected)
    assert assert_read_models_equal_rebuild(home, postgres_schema_url,
                                            fresh_schema_url(postgres_url)) == len(expected)
    print(f"apply: {sum(seen.values())} kills {dict(seen)}, {len(expected)} actions once")
    assert seen["整批已存"] >= 1

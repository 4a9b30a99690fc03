"""Two writers on one case at once: optimistic concurrency loses nothing and doubles nothing."""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from domain.actions import parse_action
from domain.service import APPLIED, DUPLICATE, REJECTED, CaseService, Outcome
from tests.faults.support import (
    assert_chain_intact,
    assert_each_action_once,
    assert_read_models_equal_rebuild,
    project_store,
    stored_events,
)
from tests.integration.kafka_support import (
    apply_actions,
    sample_actions,
    start_cli,
    write_jsonl,
)
from wenzheng.bootstrap.service import open_service
from wenzheng.home import Home

pytestmark = [pytest.mark.faults]
AT = "2025-03-04T12:00:00+08:00"  # after registration and assignment of K-00000..K-00019
PER_WRITER = 40


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def home(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
         ) -> Home:
    """A home with twenty registered and assigned cases, on SQLite or PostgreSQL."""
    if request.param == "postgres":
        monkeypatch.setenv("WENZHENG_DATABASE_URL",
                           request.getfixturevalue("postgres_schema_url"))
    else:
        monkeypatch.delenv("WENZHENG_DATABASE_URL", raising=False)
    h = Home(tmp_path / "home")
    h.init()
    lifecycles = sample_actions(20, h.settings().department_codes())
    apply_actions(h, [a for a in lifecycles if a["action"] in ("register", "assign")])
    return h


def race(home: Home, work: list[Callable[[CaseService], list[Outcome]]]) -> list[list[Outcome]]:
    """Run each writer on its own service (own connections) at the same moment."""
    services = [open_service(home) for _ in work]
    start = threading.Barrier(len(work))
    results: list[list[Outcome]] = [[] for _ in work]
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            start.wait()
            results[i] = work[i](services[i])
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
    finally:
        for s in services:
            s.close()
    assert not errors, errors
    return results


def supervise(case: str, writer: str, n: int) -> Any:
    """A supervision notice: legal on an assigned case in any order, so both writers succeed."""
    return parse_action({"id": f"{writer}-{case}-{n}", "action": "supervise", "case": case,
                         "at": AT, "by": writer, "level": "督办", "note": f"{writer} {n}"})


def test_two_writers_adding_to_one_case_both_land_every_event_once(home: Home, tmp_path: Path
                                                                   ) -> None:
    def writer(name: str) -> Callable[[CaseService], list[Outcome]]:
        return lambda s: [s.apply(supervise("K-00000", name, n)) for n in range(PER_WRITER)]

    first, second = race(home, [writer("w1"), writer("w2")])
    outcomes = first + second
    # After MAX_RETRIES conflicts in a row an action is refused as ConcurrentUpdate: told, not lost.
    refused = [o for o in outcomes if o.status != APPLIED]
    assert all(o.status == REJECTED and o.reason.startswith("ConcurrentUpdate")
               for o in refused), refused[:3]
    assert len(refused) <= PER_WRITER // 10, refused[:3]
    applied = [o for o in outcomes if o.status == APPLIED]
    versions = sorted(o.version for o in applied if o.version is not None)
    assert versions == list(range(3, 3 + len(applied)))  # after Registered, Assigned
    events = stored_events(home)
    assert assert_chain_intact(home) == len(events)
    ids = {e["action_id"] for e in events}
    assert_each_action_once(events, ids)
    assert ids - {e["action_id"] for e in events if e["version"] <= 2} == {
        o.action_id for o in applied}
    project_store(home, tmp_path / "rm.sqlite")
    assert assert_read_models_equal_rebuild(home, tmp_path / "rm.sqlite",
                                            tmp_path / "rb.sqlite") == len(events)


def test_two_writers_racing_for_the_same_step_one_wins_the_other_is_told_why(
    home: Home, tmp_path: Path
) -> None:
    cases = [f"K-{i:05d}" for i in range(20)]

    def claims(name: str) -> Callable[[CaseService], list[Outcome]]:
        return lambda s: [s.apply(parse_action({
            "id": f"{name}-claim-{c}", "action": "claim", "case": c, "at": AT, "by": name}))
            for c in cases]

    first, second = race(home, [claims("w1"), claims("w2")])
    for mine, theirs in zip(first, second, strict=True):
        assert sorted([mine.status, theirs.status]) == [APPLIED, REJECTED], (mine, theirs)
        loser = mine if mine.status == REJECTED else theirs
        assert "IllegalTransition" in loser.reason and loser.case in loser.reason
    claimed = Counter(e["case"] for e in stored_events(home) if e["type"] == "Claimed")
    assert sorted(claimed.values()) == [1] * len(cases)
    project_store(home, tmp_path / "rm.sqlite")
    assert_read_models_equal_rebuild(home, tmp_path / "rm.sqlite", tmp_path / "rb.sqlite")


def test_two_writers_sending_the_same_actions_store_each_once(home: Home, tmp_path: Path
                                                              ) -> None:
    same = [supervise(f"K-{i:05d}", "office", n) for i in range(10) for n in range(4)]
    first, second = race(home, [lambda s: s.apply_batch(same), lambda s: s.apply_batch(same)])
    for a, b in zip(first, second, strict=True):
        assert sorted([a.status, b.status]) == [APPLIED, DUPLICATE], (a, b)
    events = stored_events(home)
    assert_each_action_once(events, {e["action_id"] for e in events})
    assert len([e for e in events if e["type"] == "Supervised"]) == len(same)


@pytest.mark.postgres
def test_two_apply_commands_on_the_same_file_store_each_line_once(
    tmp_path: Path, postgres_schema_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WENZHENG_DATABASE_URL", postgres_schema_url)
    home = Home(tmp_path / "home")
    home.init()
    actions = sample_actions(40, home.settings().department_codes())
    path = write_jsonl(tmp_path / "same.jsonl", actions)
    env = {**os.environ, "WENZHENG_HOME": str(home.root),
           "WENZHENG_DATABASE_URL": postgres_schema_url}
    open_service(home).close()  # the tables exist before the race (see RELIABILITY.md)
    procs = [start_cli(env, "apply", str(path), "--format", "json",
                       log=tmp_path / f"apply{i}.log") for i in range(2)]
    codes = [p.wait(timeout=300) for p in procs]
    assert codes == [0, 0], [(tmp_path / f"apply{i}.log").read_text() for i in range(2)]
    events = stored_events(home)
    assert_each_action_once(events, {a["id"] for a in actions})
    assert assert_chain_intact(home) == len(events)

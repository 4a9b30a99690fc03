"""Issue 15 end to end: provisional deadlines past the calendar, revisions by events, and a
read side that keeps working on a year nobody has arranged (both stores, Kafka projector)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.integration.kafka_support import cli_env, read_model_tables, run_cli
from wenzheng.home import Home

# The trial dates its actions up to January 2027: a home that accepts actions dated up to a
# year after the computer's clock (wenzheng/clock.py; the default is ten minutes).
TOML = """city = "测试市"
[actions]
future_tolerance_minutes = 525600
[[departments]]
code = "D1"
name = "一局"
[[departments]]
code = "D2"
name = "二局"
"""
# A made-up 2027 arrangement: two January weekdays off, one Saturday worked.
ARRANGEMENT = """
[[calendar.arrangement]]
year = 2027
source = "国办发明电〔2026〕99号（测试）"
holidays = ["2027-01-01", "2027-01-07", "2027-01-08", "2027-02-08"]
workdays = ["2027-01-09"]
"""
PROVISIONAL_DUE = "2027-01-11T23:59:59.999999+08:00"
ARRANGED_DUE = "2027-01-12T23:59:59.999999+08:00"


def act(action: str, case: str, at: str, **fields: Any) -> dict[str, Any]:
    """One action line."""
    return {"action": action, "case": case, "at": at, "by": "tester", **fields}


def register(case: str, at: str) -> dict[str, Any]:
    """A general complaint."""
    return act("register", case, at, source="12345热线", title="路灯不亮", content="路灯坏了",
               category="投诉", priority="一般", region="清河区",
               citizen={"name": "张三", "phone": "13812345678"})


ACTIONS = [
    register("CAL-1", "2026-12-30T09:00:00+08:00"),
    act("assign", "CAL-1", "2026-12-30T10:00:00+08:00", department="D1"),
    register("CAL-2", "2026-12-01T09:00:00+08:00"),
    act("assign", "CAL-2", "2026-12-10T10:00:00+08:00", department="D2"),
    act("claim", "CAL-2", "2026-12-11T10:00:00+08:00", department="D2"),
    act("submit_reply", "CAL-2", "2027-01-05T10:00:00+08:00", text="已修复"),
    act("publish_reply", "CAL-2", "2027-01-06T10:00:00+08:00", text="已修复路灯"),
]


@pytest.fixture(params=["sqlite", "postgres"])
def env(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """A home on the embedded store or on a fresh PostgreSQL schema, with the actions applied."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "wenzheng.toml").write_text(TOML, encoding="utf-8")
    extra = {}
    if request.param == "postgres":
        extra["WENZHENG_DATABASE_URL"] = request.getfixturevalue("postgres_schema_url")
    environment = cli_env_for(home, extra)
    lines = tmp_path / "actions.jsonl"
    lines.write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in ACTIONS) + "\n",
                     encoding="utf-8")
    out = ok(environment, "apply", str(lines))
    assert "rejected: 0" in out
    return environment


def cli_env_for(home: Path, extra: dict[str, str]) -> dict[str, str]:
    """The CLI's environment for a home (the broker is set where a test needs one)."""
    return cli_env(Home(home), "127.0.0.1:1", extra)


def ok(env: dict[str, str], *args: str) -> str:
    """Run `wenzheng ARGS`; it must succeed without a traceback; its output."""
    done = run_cli(env, *args)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stdout + done.stderr
    return done.stdout


def case_json(env: dict[str, str], number: str, *extra: str) -> dict[str, Any]:
    """`wenzheng case NUMBER --format json`."""
    return dict(json.loads(ok(env, "case", number, "--format", "json", *extra)))


def add_arrangement(env: dict[str, str]) -> None:
    """The office enters the 2027 arrangement."""
    path = Path(env["WENZHENG_HOME"]) / "wenzheng.toml"
    path.write_text(path.read_text(encoding="utf-8") + ARRANGEMENT, encoding="utf-8")


def test_a_december_case_gets_a_provisional_deadline_and_a_revision_follows_the_arrangement(
    env: dict[str, str],
) -> None:
    before = case_json(env, "CAL-1")["state"]["deadlines"]
    assert before["provisional"] is True and before["reply"] == PROVISIONAL_DUE
    add_arrangement(env)
    assert "无" not in ok(env, "calendar", "check")
    revised = json.loads(ok(env, "calendar", "revise", "--at", "2027-01-12T09:00:00+08:00",
                            "--format", "json"))
    assert revised["revised"] == ["CAL-1"]
    again = json.loads(ok(env, "calendar", "revise", "--format", "json"))
    assert again == {"revised": [], "skipped": []}
    shown = case_json(env, "CAL-1")
    (revision,) = [e for e in shown["history"] if e["type"] == "DeadlinesRevised"]
    assert revision["old"]["reply"] == PROVISIONAL_DUE
    assert revision["new"]["reply"] == ARRANGED_DUE
    assert revision["arrangements"][0]["source"] == "国办发明电〔2026〕99号（测试）"
    assert shown["state"]["deadlines"] == revision["new"]
    assert shown["state"]["deadlines"]["provisional"] is False
    assert "期限修订" in ok(env, "case", "CAL-1")


def test_figures_before_the_revision_show_what_was_known_then(env: dict[str, str]) -> None:
    add_arrangement(env)
    ok(env, "calendar", "revise", "--at", "2027-01-12T09:00:00+08:00")

    def overdue(as_of: str) -> int:
        found = json.loads(ok(env, "metrics", "--from", "2026-12-30", "--to", "2026-12-30",
                              "--as-of", as_of, "--format", "json"))
        return int(found["total"]["overdue_open"])

    assert overdue("2027-01-12T08:00:00+08:00") == 1  # the provisional deadline had passed
    found = json.loads(ok(env, "metrics", "--from", "2026-12-30", "--to", "2026-12-30",
                          "--as-of", "2027-01-12T10:00:00+08:00", "--format", "json"))
    assert found["provisional_deadlines"] == []  # 2027 is arranged now
    assert overdue("2027-01-12T10:00:00+08:00") == 0  # revised: due at the end of 01-12


def test_a_reply_published_in_2027_leaves_every_read_command_working(
    env: dict[str, str], tmp_path: Path,
) -> None:
    ok(env, "project")
    figures = json.loads(ok(env, "metrics", "--from", "2026-12-01", "--to", "2026-12-31",
                            "--as-of", "2027-02-01T00:00:00+08:00", "--format", "json"))
    assert figures["total"]["replied"] == 1 and figures["total"]["replied_late"] == 1
    assert figures["provisional_deadlines"] == ["CAL-1"]
    assert case_json(env, "CAL-2")["state"]["status"] == "published"
    ok(env, "exposure", "--as-of", "2027-02-01T00:00:00+08:00", "--format", "json")
    ok(env, "scorecard", "--year", "2026", "--as-of", "2027-02-01T00:00:00+08:00",
       "--format", "json")
    ok(env, "scorecard", "--year", "2027", "--as-of", "2027-02-01T00:00:00+08:00",
       "--format", "json")
    # a bulletin needs its month closed by the home's clock: rehearse as of February 2027
    with (Path(env["WENZHENG_HOME"]) / "wenzheng.toml").open("a", encoding="utf-8") as toml:
        toml.write('\n[demo]\nnow = "2027-02-10T12:00:00+08:00"\n')
    for month in ("2026-12", "2027-01"):
        ok(env, "bulletin", "--month", month, "--out", str(tmp_path / month))
    december = (tmp_path / "2026-12" / "bulletin-2026-12.md").read_text(encoding="utf-8")
    assert "1 件案件（CAL-1）的答复期限" in december and "暂定" in december


@pytest.mark.kafka
def test_the_kafka_projector_folds_revisions_and_2027_replies_like_the_store(
    env: dict[str, str], kafka_bootstrap: str, tmp_path: Path,
) -> None:
    add_arrangement(env)
    ok(env, "calendar", "revise", "--at", "2027-01-12T09:00:00+08:00")
    env = {**env, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap}
    tag = uuid.uuid4().hex[:10]
    topic, group = f"wenzheng.case-events.{tag}", f"projector-{tag}"
    ok(env, "relay", "--once", "--quiet", "--topic", topic)
    target = tmp_path / "kafka.sqlite"
    ok(env, "consume", "--transport", "kafka", "--once", "--topic", topic, "--group", group,
       "--readmodels", str(target))
    ok(env, "consume", "--transport", "store", "--once", "--readmodels",
       str(tmp_path / "store.sqlite"))
    via_kafka = read_model_tables(target)
    assert via_kafka == read_model_tables(tmp_path / "store.sqlite")
    assert any("DeadlinesRevised" in map(str, row) for row in via_kafka["rm_history"])

"""The citizen's answers (rating, 是否解决) against defaults, on both stores and through Kafka."""

from __future__ import annotations

import json
import os
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from domain.calendar import BUSINESS_TZ
from scorecards.metrics import metrics
from tests.integration.kafka_support import (
    cli_env,
    open_db,
    read_model_tables,
    run_cli,
    write_jsonl,
)
from wenzheng.home import Home

DEPT = "CGJ"
AS_OF = "2025-12-31T23:59:59+08:00"


def act(case: str, action: str, at: str, **fields: Any) -> dict[str, Any]:
    """One action line; `at` is 'MM-DDTHH:MM' in 2025, Beijing time."""
    return {"action": action, "case": case, "at": f"2025-{at}:00+08:00", "by": "tester",
            **fields}


def replied(case: str) -> list[dict[str, Any]]:
    """register → assign → claim → submit_reply → publish_reply in October 2025."""
    return [act(case, "register", "10-09T09:00", source="12345", title="噪音", content="施工",
                category="投诉", citizen={"name": "张三", "phone": "13812345678"}),
            act(case, "assign", "10-09T10:00", department=DEPT),
            act(case, "claim", "10-10T09:00"),
            act(case, "submit_reply", "10-13T16:00", text="已处理"),
            act(case, "publish_reply", "10-14T09:00", text="经核查已处理")]


def answers() -> list[dict[str, Any]]:
    """R1 default, then the citizen's 不满意 (未解决); R2 满意 (解决); R3 default; R4 基本满意."""
    return [
        *replied("R1"),
        act("R1", "rate", "10-22T09:00", rating="满意", default=True, channel="系统"),
        act("R1", "rate", "10-23T09:00", rating="不满意", channel="电话回访", resolved=False),
        act("R1", "close", "10-24T09:00"), act("R1", "archive", "10-25T09:00"),
        act("R1", "refer_accountability", "10-27T09:00", department=DEPT, reason="敷衍答复"),
        *replied("R2"),
        act("R2", "rate", "10-15T09:00", rating="满意", channel="电话回访", resolved=True),
        act("R2", "close", "10-16T09:00"),
        *replied("R3"),
        act("R3", "rate", "10-22T09:00", rating="满意", default=True, channel="系统"),
        *replied("R4"),
        act("R4", "rate", "10-15T09:00", rating="基本满意", channel="网民评议"),
    ]


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """Environment extras choosing the embedded store or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        return {}
    url = request.getfixturevalue("postgres_url")
    return {"WENZHENG_DATABASE_URL": f"{url}?schema=r_{uuid.uuid4().hex[:10]}"}


def env_of(home: Home, store: dict[str, str]) -> dict[str, str]:
    """Environment of a `wenzheng` subprocess on the home and store (no Kafka)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("WENZHENG_DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS")}
    return {**env, "WENZHENG_HOME": str(home.root), **store}


def cli(home: Home, store: dict[str, str], *args: str) -> str:
    """Run `wenzheng ARGS` on the home and store; it must succeed; its standard output."""
    done = run_cli(env_of(home, store), *args)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture
def home(tmp_path: Path, store: dict[str, str]) -> Home:
    """A home with the answers applied."""
    h = Home(tmp_path / "home")
    h.init()
    cli(h, store, "apply", str(write_jsonl(tmp_path / "a.jsonl", answers())))
    return h


def cgj(result: dict[str, Any]) -> dict[str, Any]:
    """The department's row of `metrics` JSON."""
    return next(d for d in result["departments"] if d["code"] == DEPT)


def check_answer_figures(row: dict[str, Any]) -> None:
    """The figures of the four cases: the citizen's 不满意 replaced R1's default."""
    assert (row["rated"], row["ratings_citizen"], row["ratings_default"]) == (4, 3, 1)
    assert (row["rated_explicit"], row["rated_default"]) == (3, 1)  # the old names stay
    assert row["satisfaction_rate"] == 0.75  # R2, R3 (default) and R4 (基本满意); not R1
    assert row["satisfaction_rate_explicit"] == round(2 / 3, 4)
    assert (row["resolved_answers"], row["resolved_default"], row["resolved_no"]) == (2, 0, 1)
    assert row["resolved_unanswered"] == 2
    assert row["resolution_rate"] == 0.5
    lo, hi = row["resolution_rate_ci"]
    assert lo < 0.5 < hi
    assert row["completion_rate"] == 0.5  # 办结 by the office (R1, R2) stays its own figure


def test_the_citizens_rating_replaces_a_default_in_every_figure(
        home: Home, store: dict[str, str]) -> None:
    out = cli(home, store, "metrics", "--from", "2025-10-01", "--to", "2025-10-31",
              "--as-of", AS_OF, "--format", "json")
    check_answer_figures(cgj(json.loads(out)))


def test_the_metrics_table_and_csv_show_citizen_and_default_answers(
        home: Home, store: dict[str, str]) -> None:
    period = ("--from", "2025-10-01", "--to", "2025-10-31", "--as-of", AS_OF)
    table = cli(home, store, "metrics", *period)
    assert all(word in table for word in ("群众评价", "默认评价", "解决率", "群众答是否解决"))
    rows = cli(home, store, "metrics", *period, "--format", "csv").splitlines()
    head = rows[0].split(",")
    values = dict(zip(head, next(r for r in rows if r.startswith(DEPT)).split(","),
                      strict=True))
    assert (values["ratings_citizen"], values["ratings_default"]) == ("3", "1")
    assert (values["resolution_rate"], values["resolved_answers"]) == ("0.5", "2")


def test_an_archived_case_takes_a_referral_and_counts_it(
        home: Home, store: dict[str, str]) -> None:
    state = json.loads(cli(home, store, "case", "R1", "--format", "json"))
    assert state["state"]["status"] == "archived"
    assert state["history"][-1]["type"] == "ReferredForAccountability"


def test_case_as_of_shows_the_case_as_it_stood_then(home: Home, store: dict[str, str]) -> None:
    then = json.loads(cli(home, store, "case", "R1", "--as-of", "2025-10-22T12:00:00+08:00",
                          "--format", "json"))
    assert then["as_of"].startswith("2025-10-22T12:00")
    assert [e["type"] for e in then["history"]][-1] == "Rated"
    assert len(then["history"]) == 6
    assert (then["state"]["status"], then["state"]["rating"]) == ("published", "满意")
    assert then["state"]["version"] == 6
    before_reply = json.loads(cli(home, store, "case", "R1", "--as-of", "2025-10-11",
                                  "--format", "json"))
    assert (before_reply["state"]["status"], before_reply["state"]["holder"]) == ("claimed", DEPT)
    assert before_reply["state"]["deadlines"]["reply"].startswith("2025-10-17")  # 10-11 调休
    assert before_reply["state"]["overdue"] is False
    assert [e["type"] for e in before_reply["history"]] == ["Registered", "Assigned", "Claimed"]
    now = json.loads(cli(home, store, "case", "R1", "--format", "json"))
    assert (now["state"]["status"], now["state"]["rating"]) == ("archived", "不满意")
    text = cli(home, store, "case", "R1", "--as-of", "2025-10-11")
    assert "截至 2025-10-11 23:59" in text and "办理中" in text and "归档" not in text


def test_case_as_of_reports_an_overdue_case_as_overdue_then(tmp_path: Path,
                                                            store: dict[str, str]) -> None:
    h = Home(tmp_path / "late")
    h.init()
    cli(h, store, "apply", str(write_jsonl(tmp_path / "late.jsonl", [
        *replied("L1")[:3], act("L1", "submit_reply", "10-24T09:00", text="迟了"),
        act("L1", "publish_reply", "10-24T10:00", text="已处理")])))
    then = json.loads(cli(h, store, "case", "L1", "--as-of", "2025-10-22", "--format", "json"))
    assert (then["state"]["overdue"], then["state"]["overdue_stage"]) == (True, "reply")
    assert then["state"]["audit"]["overdue_holder"] == DEPT
    later = json.loads(cli(h, store, "case", "L1", "--format", "json"))
    assert (later["state"]["status"], later["state"]["overdue"]) == ("published", False)


def test_case_as_of_before_registration_is_a_clear_error(home: Home,
                                                         store: dict[str, str]) -> None:
    done = run_cli(env_of(home, store), "case", "R1", "--as-of", "2025-01-01")
    assert done.returncode == 1
    assert done.stderr.strip() == "案件 R1 在 2025-01-01T23:59:59.999999+08:00 时尚未登记"
    bad = run_cli(env_of(home, store), "case", "R1", "--as-of", "昨天")
    assert bad.returncode == 2 and "--as-of 不是合法的时间" in bad.stderr
    assert "Traceback" not in bad.stderr


@pytest.mark.kafka
def test_through_kafka_the_answers_fold_to_the_same_figures(
        tmp_path: Path, kafka_bootstrap: str) -> None:
    h = Home(tmp_path / "home")
    h.init()
    env = cli_env(h, kafka_bootstrap)
    topic, group = f"wenzheng.answers.{uuid.uuid4().hex[:8]}", f"g-{uuid.uuid4().hex[:8]}"
    for args in (("apply", str(write_jsonl(tmp_path / "a.jsonl", answers()))),
                 ("relay", "--once", "--quiet", "--topic", topic),
                 ("consume", "--transport", "kafka", "--once", "--topic", topic, "--group",
                  group, "--readmodels", str(tmp_path / "kafka.sqlite"))):
        done = run_cli(env, *args, timeout=180)
        assert done.returncode == 0, done.stdout + done.stderr
    via_kafka = read_model_tables(tmp_path / "kafka.sqlite")
    assert via_kafka == read_model_tables(h.readmodels_db)
    db = open_db(tmp_path / "kafka.sqlite")
    try:
        result = metrics(db, datetime(2025, 10, 1).date(), datetime(2025, 10, 31).date(),
                         datetime.fromisoformat(AS_OF).astimezone(BUSINESS_TZ),
                         {DEPT: "城管"}, "办公室")
    finally:
        db.close()
    check_answer_figures(cgj(result))


def test_read_models_made_before_the_resolved_column_ask_for_a_rebuild(
        home: Home, store: dict[str, str]) -> None:
    db = open_db(store.get("WENZHENG_DATABASE_URL") or home.readmodels_db)
    try:
        db.execute("ALTER TABLE rm_cases DROP COLUMN resolved")
    finally:
        db.close()
    period = ("--from", "2025-10-01", "--to", "2025-10-31", "--as-of", AS_OF, "--format", "json")
    done = run_cli(env_of(home, store), "metrics", *period)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().startswith("读模型由旧版本建立，缺少列 resolved；")
    assert "wenzheng project --rebuild" in done.stderr
    cli(home, store, "project", "--rebuild")
    check_answer_figures(cgj(json.loads(cli(home, store, "metrics", *period))))

"""Issue 16: every working day and every penalty charged to the unit that caused it.

One set of hand-made cases (November 2025, no holidays) is applied once per path: the
embedded SQLite store, PostgreSQL, and SQLite read models fed through Kafka. Each test reads
the figures, the exposure list, the audit view, the scorecards and the bulletin from them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from domain.calendar import BUSINESS_TZ
from domain.case import case_id
from projections.db import Database
from projections.row import WorkingDays
from scorecards.assess import Context, bulletin_for, score_period
from scorecards.audit import CaseAudit, audit, load_history
from scorecards.exposure import Entry, ExposureRules, exposure
from scorecards.metrics import metrics
from tests.fixtures.postgres import with_schema
from tests.integration.kafka_support import cli_env, open_db, run_cli, write_jsonl
from wenzheng.bootstrap.scorer import context, rules_for
from wenzheng.cli import main
from wenzheng.home import Home

AS_OF = datetime(2025, 12, 31, 23, 0, tzinfo=BUSINESS_TZ)
NOV = (date(2025, 11, 1), date(2025, 11, 30))


def act(case: str, action: str, when: str, **fields: Any) -> dict[str, Any]:
    """One action at a Beijing time 'YYYY-MM-DD HH:MM'."""
    at = datetime.fromisoformat(when).replace(tzinfo=BUSINESS_TZ)
    return {"case": case, "action": action, "at": at.isoformat(), "by": "op", **fields}


def opened(case: str, day: str, dept: str) -> list[dict[str, Any]]:
    """Registered at 09:00 and assigned at 10:00 of a day (reply due 7 working days later)."""
    return [act(case, "register", f"{day} 09:00", source="留言板", title=f"{case} 的诉求",
                content="内容", category="投诉", priority="一般",
                citizen={"name": "王五", "phone": "13912345678"}),
            act(case, "assign", f"{day} 10:00", department=dept)]


def scenarios() -> list[dict[str, Any]]:
    """The hand-made cases, one per defect of issue 16 (reply due: end of 2025-11-12)."""
    a: list[dict[str, Any]] = []
    # 1. GAJ's first result 5.5 working days late; returned; the rework answered on time.
    a += [*opened("C-1", "2025-11-03", "GAJ"), act("C-1", "claim", "2025-11-03 11:00"),
          act("C-1", "submit_reply", "2025-11-20 12:00", text="结果"),
          act("C-1", "return", "2025-11-20 14:00", reason="不合格"),
          act("C-1", "submit_reply", "2025-11-21 10:00", text="重办结果"),
          act("C-1", "publish_reply", "2025-11-21 11:00", text="已重新办理")]
    # 2. ZJJ replied and published on time, returned, and never answered again.
    a += [*opened("C-2", "2025-11-03", "ZJJ"), act("C-2", "claim", "2025-11-03 11:00"),
          act("C-2", "submit_reply", "2025-11-04 10:00", text="结果"),
          act("C-2", "publish_reply", "2025-11-04 15:00", text="已处理"),
          act("C-2", "return", "2025-11-05 10:00", reason="群众反映未解决")]
    # 4. GAJ sits on the case 9 working days unclaimed, disputes; the office reassigns a
    #    working day later; RSJ handles it in about a working day.
    a += [*opened("C-4", "2025-11-03", "GAJ"),
          act("C-4", "dispute", "2025-11-14 10:00", reason="非本单位职责"),
          act("C-4", "assign", "2025-11-17 10:00", department="RSJ"),
          act("C-4", "claim", "2025-11-17 11:00"),
          act("C-4", "submit_reply", "2025-11-18 10:00", text="结果"),
          act("C-4", "publish_reply", "2025-11-18 11:00", text="已处理")]
    # 5. A notice to GAJ (ignored), GAJ disputes, a referral names GAJ; JYJ gets the case and
    #    reports its result; a notice while the office sits on it; the office publishes late.
    a += [*opened("C-5", "2025-11-03", "GAJ"),
          act("C-5", "supervise", "2025-11-04 10:00", level="督办", note="请尽快认领"),
          act("C-5", "dispute", "2025-11-10 10:00", reason="非本单位职责"),
          act("C-5", "assign", "2025-11-10 14:00", department="JYJ"),
          act("C-5", "refer_accountability", "2025-11-11 09:00", department="GAJ",
              reason="督办不回应"),
          act("C-5", "claim", "2025-11-11 10:00"),
          act("C-5", "submit_reply", "2025-11-12 10:00", text="结果"),
          act("C-5", "supervise", "2025-11-13 10:00", level="督办", note="请尽快审定"),
          act("C-5", "publish_reply", "2025-11-25 10:00", text="已处理")]
    # 6. Registered and never assigned: the office's backlog.
    a += [opened("C-6", "2025-11-05", "GAJ")[0]]
    # 9. Passed on through four departments.
    a += opened("C-9", "2025-11-03", "GAJ")
    for i, nxt in enumerate(("ZJJ", "RSJ", "JYJ")):
        a += [act("C-9", "dispute", f"2025-11-{4 + 3 * i:02d} 10:00", reason="非本单位职责"),
              act("C-9", "assign", f"2025-11-{4 + 3 * i:02d} 15:00", department=nxt)]
    return a


@dataclass(frozen=True)
class Applied:
    """The scenario cases applied on one path: the home and its read-model database."""

    home: Home
    db: Database
    calendar: WorkingDays

    def figures(self, as_of: datetime = AS_OF) -> dict[str, dict[str, Any]]:
        """`metrics` for November by unit code (with TOTAL)."""
        result = metrics(self.db, *NOV, as_of, self.home.settings().department_names(),
                         self.home.settings().office_name, self.calendar)
        return {r["code"]: r for r in [*result["departments"], result["total"]]}

    def entries(self, as_of: datetime = AS_OF) -> list[Entry]:
        """The exposure list."""
        return exposure(self.db, as_of, ExposureRules(), self.calendar,
                        self.home.settings().department_names())

    def audit(self, number: str, as_of: datetime = AS_OF) -> CaseAudit:
        """The audit view of a case."""
        return audit(load_history(self.db, str(case_id(number))), as_of, self.calendar)

    def context(self) -> Context:
        """Scoring's context from the home's configuration."""
        return context(self.home)


def _ok(env: dict[str, str], *args: str) -> None:
    """Run `wenzheng ARGS`; it must succeed."""
    done = run_cli(env, *args, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module", params=[
    "sqlite", pytest.param("postgres", marks=pytest.mark.postgres),
    pytest.param("kafka", marks=pytest.mark.kafka)])
def applied(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[Applied]:
    """The scenarios applied on the path named by the parameter."""
    path = request.param
    tmp = tmp_path_factory.mktemp(f"charges-{path}")
    home = Home(tmp / "home")
    home.init()
    actions = write_jsonl(tmp / "actions.jsonl", scenarios())
    schema = None
    if path == "postgres":
        base = request.getfixturevalue("postgres_url")
        schema = f"c_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        target: str | Path = with_schema(base, schema)
        env = cli_env(home, "127.0.0.1:1", {"WENZHENG_DATABASE_URL": str(target)})
        _ok(env, "apply", str(actions))
    elif path == "kafka":
        env = cli_env(home, request.getfixturevalue("kafka_bootstrap"))
        tag = uuid.uuid4().hex[:10]
        topic, target = f"wenzheng.case-events.{tag}", tmp / "kafka.sqlite"
        _ok(env, "apply", str(actions))
        _ok(env, "relay", "--once", "--quiet", "--topic", topic)
        _ok(env, "consume", "--transport", "kafka", "--once", "--topic", topic, "--group",
            f"charges-{tag}", "--readmodels", str(target))
    else:
        env = cli_env(home, "127.0.0.1:1")
        _ok(env, "apply", str(actions))
        target = home.readmodels_db
    db = open_db(target)
    try:
        yield Applied(home, db, home.settings().deadline_policy().calendar)
    finally:
        db.close()
        if schema is not None:
            with psycopg.connect(request.getfixturevalue("postgres_url"),
                                 autocommit=True) as conn:
                conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE")
                             .format(sql.Identifier(schema)))


def test_a_late_first_result_stays_late_after_the_rework_is_answered_on_time(
        applied: Applied) -> None:
    gaj = applied.figures()["GAJ"]
    shown = applied.audit("C-1")
    assert shown.overdue_days["GAJ"] == pytest.approx(5.5, abs=0.01)
    assert gaj["replied_late"] >= 1 and gaj["late_results"] >= 1
    late = [e for e in applied.entries() if e.case == "C-1" and e.rule == "overdue"]
    assert [e.department for e in late] == ["GAJ"]
    ctx = applied.context()
    sheet, _ = score_period(applied.db, ctx, rules_for(applied.home, 2025, None), *NOV, AS_OF, 0)
    card = next(c for c in sheet.cards if c.code == "GAJ")
    overdue = next(d for d in card.deductions if d.key == "overdue")
    assert "C-1" in overdue.items


def test_a_case_returned_after_publication_and_never_answered_is_overdue_again(
        applied: Applied) -> None:
    zjj = applied.figures()["ZJJ"]
    assert zjj["overdue_open"] == 1 and zjj["overdue_by_stage"]["reply"] == 1
    assert zjj["replied"] == 1  # the public reply was published; it is open again besides
    found = [e for e in applied.entries() if e.case == "C-2" and e.rule == "overdue"]
    assert [e.department for e in found] == ["ZJJ"]
    bulletin = bulletin_for(applied.db, applied.context(),
                            rules_for(applied.home, 2025, None), "2025-11")
    assert "C-2" in {line.number for line in bulletin.overdue}


def test_a_disputing_department_is_charged_for_the_days_it_sat_on_the_case(
        applied: Applied) -> None:
    figures = applied.figures()
    assert figures["RSJ"]["mean_handling_days"] < 2  # its own day, not GAJ's nine
    shown = applied.audit("C-4")
    assert shown.held_days["GAJ"] == pytest.approx(9.0, abs=0.01)
    assert shown.overdue_days["GAJ"] == pytest.approx(1 + 10 / 24, abs=0.01)
    assert figures["GAJ"]["disputed"] >= 1 and figures["GAJ"]["held_days"] >= 9.0
    assert figures["RSJ"]["replied_late"] == 0 and figures["RSJ"]["replied_late_earlier"] == 1
    sheet, _ = score_period(applied.db, applied.context(), rules_for(applied.home, 2025, None),
                            *NOV, AS_OF, 0)
    overdue = {c.code: next(d.items for d in c.deductions if d.key == "overdue")
               for c in sheet.cards}
    assert "C-4" in overdue["GAJ"] and "C-4" not in overdue["RSJ"]


def test_the_office_not_the_disputer_is_charged_with_the_wait_for_reassignment(
        applied: Applied) -> None:
    waiting = datetime(2025, 11, 15, 12, 0, tzinfo=BUSINESS_TZ)
    figures = applied.figures(waiting)
    assert figures["OFFICE"]["overdue_open_office"] == 1  # C-4, waiting for reassignment
    assert figures["GAJ"]["overdue_open"] == 1  # C-1 only, which GAJ still holds
    assert applied.audit("C-4", waiting).overdue_holder == "OFFICE"
    stuck = [e for e in applied.entries(datetime(2025, 11, 24, 12, 0, tzinfo=BUSINESS_TZ))
             if e.case == "C-4"]
    assert all(e.department != "GAJ" for e in stuck if e.rule == "overdue")


def test_penalties_name_the_unit_they_were_aimed_at_not_the_later_holder(
        applied: Applied) -> None:
    unanswered = [e for e in applied.entries()
                  if e.case == "C-5" and e.rule == "supervision_unanswered"]
    assert sorted(e.department for e in unanswered) == ["GAJ", "OFFICE"]  # not JYJ
    sheet, _ = score_period(applied.db, applied.context(), rules_for(applied.home, 2025, None),
                            *NOV, AS_OF, 0)
    # one incident, one charge (默认-2): a case under a heavier kind is listed as merged there
    items = {c.code: {d.key: (*d.items, *d.merged) for d in c.deductions} for c in sheet.cards}
    assert "C-5" in items["GAJ"]["supervision"] and "C-5" in items["GAJ"]["accountability"]
    assert "C-5" not in items["JYJ"]["supervision"]
    assert "C-5" not in items["JYJ"]["accountability"]
    figures = applied.figures()
    assert figures["GAJ"]["supervision_notices"] >= 1 and figures["GAJ"]["referrals"] == 1
    assert figures["JYJ"]["supervision_notices"] == 0 and figures["JYJ"]["referrals"] == 0
    assert figures["OFFICE"]["supervision_notices"] == 1


def test_registered_but_never_assigned_cases_count_for_the_office(applied: Applied) -> None:
    figures = applied.figures()
    assert figures["TOTAL"]["received"] == 6  # every message, assigned or not
    assert figures["TOTAL"]["reply_rate"] == pytest.approx(4 / 6, abs=1e-4)
    assert figures["OFFICE"]["unassigned"] == 1


def test_every_dispute_counts_for_the_department_that_made_it(applied: Applied) -> None:
    passed_on = [e for e in applied.entries() if e.case == "C-9" and e.rule == "passed_on"]
    assert sorted(e.department for e in passed_on) == ["GAJ", "RSJ", "ZJJ"]
    figures = applied.figures()
    assert figures["ZJJ"]["disputes_made"] == 1 and figures["RSJ"]["disputes_made"] == 1
    assert figures["GAJ"]["disputes_made"] == 3  # C-4, C-5 and C-9
    assert figures["GAJ"]["disputed"] == 3  # not only the cases it disputed last


def test_audit_metrics_scorecard_and_bulletin_agree_on_who_is_charged(
        applied: Applied) -> None:
    figures = applied.figures()
    numbers = ("C-1", "C-2", "C-4", "C-5", "C-6", "C-9")
    audits = {n: applied.audit(n) for n in numbers}
    for unit in ("GAJ", "ZJJ", "RSJ", "JYJ", "OFFICE"):
        held = sum(a.held_days.get(unit, 0) for a in audits.values())
        late = sum(a.overdue_days.get(unit, 0) for a in audits.values())
        assert figures[unit]["held_days"] == pytest.approx(held, abs=0.05)
        assert figures[unit]["held_days_overdue"] == pytest.approx(late, abs=0.05)
    rules = rules_for(applied.home, 2025, None)
    sheet, entries = score_period(applied.db, applied.context(), rules, *NOV, AS_OF, 0)
    overdue_items = {c.code: next(d.items for d in c.deductions if d.key == "overdue")
                     for c in sheet.cards}
    names = applied.home.settings().department_names()
    for number, shown in audits.items():
        if shown.overdue_holder is None or shown.overdue_holder == "OFFICE":
            continue
        assert number in overdue_items[shown.overdue_holder]
        exposed = {e.department for e in entries if e.case == number and e.rule == "overdue"}
        assert exposed <= {shown.overdue_holder}
    bulletin = bulletin_for(applied.db, applied.context(), rules, "2025-11")
    cut = datetime.fromisoformat(bulletin.as_of)
    for line in bulletin.overdue:
        holder = applied.audit(line.number, cut).overdue_holder
        assert line.department == names.get(holder or "", holder)


@pytest.mark.parametrize("store", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_an_extension_asked_for_after_the_deadline_is_refused_in_chinese(
        store: str, tmp_path: Path, request: pytest.FixtureRequest,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("WENZHENG_DATABASE_URL", raising=False)
    if store == "postgres":
        monkeypatch.setenv("WENZHENG_DATABASE_URL", request.getfixturevalue("postgres_schema_url"))
    actions = [*opened("X-3", "2025-11-03", "GAJ"), act("X-3", "claim", "2025-11-03 11:00"),
               act("X-3", "extend", "2025-11-07 10:00", working_days=3, reason="需实地核查"),
               act("X-3", "extend", "2025-11-19 10:00", working_days=5, reason="情况复杂")]
    home = tmp_path / "home"
    assert main(["--home", str(home), "apply",
                 str(write_jsonl(tmp_path / "x.jsonl", actions))]) == 1
    out = capsys.readouterr()
    said = out.out + out.err
    assert ("第 5 行" in said or "line 5" in said) and "已过，不能再申请延期" in said
    assert main(["--home", str(home), "case", "X-3", "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [e["type"] for e in shown["history"]].count("Extended") == 1


def test_read_models_made_by_an_older_version_are_refused_with_a_rebuild_hint(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("WENZHENG_DATABASE_URL", raising=False)
    home = tmp_path / "home"
    actions = write_jsonl(tmp_path / "a.jsonl", opened("O-1", "2025-11-03", "GAJ"))
    assert main(["--home", str(home), "apply", str(actions)]) == 0
    old = Database.sqlite(str(home / "readmodels.sqlite"))
    old.execute("ALTER TABLE rm_cases DROP COLUMN charges")
    old.close()
    capsys.readouterr()
    period = ["--from", "2025-11-01", "--to", "2025-11-30", "--as-of", "2025-12-01"]
    assert main(["--home", str(home), "metrics", *period]) == 2
    assert "wenzheng project --rebuild" in capsys.readouterr().err
    assert main(["--home", str(home), "project", "--rebuild"]) == 0
    assert main(["--home", str(home), "metrics", *period, "--format", "json"]) == 0

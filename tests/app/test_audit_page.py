"""案件审计: parameterised search, timeline, days per holder, masking by clearance, view log."""

from __future__ import annotations

import io
import json
import sqlite3
from contextlib import redirect_stdout
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from domain.calendar import WorkingCalendar
from domain.case import case_id
from domain.policy import DeadlinePolicy, TimeLimits
from projections.db import Database
from scorecards.inert import md_escape
from scorecards.masking import mask_phone
from tests.app.conftest import CASES, page_as, texts
from wenzheng.cli import main
from wenzheng.democity import DEPARTMENTS
from wenzheng.demogen import DemoSpec, generate
from wenzheng.webapp.viewlog import views_of

PAGE = "app_pages/audit.py"
CASE = "SF2025-000014"  # archived; overdue while ZJJ held it


@pytest.fixture(scope="module")
def citizens() -> dict[str, dict[str, str]]:
    """Each demo case's citizen, from the generator that made the home."""
    policy = DeadlinePolicy(TimeLimits(), WorkingCalendar())
    return {a["case"]: a["citizen"] for a in generate(DemoSpec(cases=CASES, seed=1), policy,
                                                      DEPARTMENTS) if a["action"] == "register"}


def cli_case(home: Path, number: str) -> dict[str, Any]:
    """`wenzheng case NUMBER --format json`."""
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["--home", str(home), "case", number, "--format", "json"]) == 0
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def audit_as(role: str, name: str | None = None, **widgets: Any) -> AppTest:
    """The audit page for a role with text inputs, selectboxes and dates set."""
    at = page_as(PAGE, role, name)
    for key, value in widgets.items():
        if key == "audit_number":
            at.text_input(key=key).input(value).run()
        elif key in ("audit_from", "audit_to"):
            at.date_input(key=key).set_value(value).run()
        else:
            at.selectbox(key=key).set_value(value).run()
    assert not at.exception, at.exception
    return at


def readmodels(home: Path) -> Database:
    """The home's read-model database."""
    return Database.sqlite(home / "readmodels.sqlite")


def test_the_timeline_shows_every_event_with_holder_deadline_overdue_and_days(
        home: Path) -> None:
    at = audit_as("supervisor", audit_number=CASE)
    expected = cli_case(home, CASE)
    timeline = at.dataframe[1].value
    assert list(timeline["版本"]) == [e["version"] for e in expected["history"]]
    assert list(timeline["操作"])[:3] == ["登记", "交办", "认领"]
    assert list(timeline["操作人"]) == [e["by"] for e in expected["history"]]
    overdue = [bool(x) for x in timeline["当时超期"]]
    assert overdue == [e["overdue"] for e in expected["history"]]
    assert list(timeline["持有工作日"]) == [e["held_working_days"] for e in expected["history"]]
    holders = at.dataframe[2].value
    audit = expected["state"]["audit"]
    assert dict(zip(holders["代码"], holders["持有工作日"], strict=True)) == audit[
        "held_working_days"]
    assert dict(zip(holders["代码"], holders["其中超期工作日"], strict=True)) == audit[
        "overdue_working_days"]
    assert any("历史完整性" in x for x in texts(at).splitlines())


def test_a_supervisor_sees_the_citizens_personal_data(
        home: Path, citizens: dict[str, dict[str, str]]) -> None:
    at = audit_as("supervisor", audit_number=CASE)
    personal = at.dataframe[3].value
    shown = dict(zip(personal["项目"], personal["内容"], strict=True))
    assert shown["电话"] == citizens[CASE]["phone"]
    assert shown["姓名"] == citizens[CASE]["name"]


def test_an_admin_sees_the_personal_data_masked(
        home: Path, citizens: dict[str, dict[str, str]]) -> None:
    at = audit_as("admin", audit_number=CASE)
    page = texts(at)
    assert citizens[CASE]["phone"] not in page and citizens[CASE]["name"] not in page
    assert str(mask_phone(citizens[CASE]["phone"])) in page
    assert "已遮蔽" in page


def test_every_view_of_a_case_history_is_recorded_once_with_who_and_which_case(
        home: Path) -> None:
    db = readmodels(home)
    before = len(views_of(db, "SF2025-000020"))
    at = audit_as("supervisor", name="inspector-7", audit_number="SF2025-000020")
    at.selectbox(key="audit_status").set_value(None).run()  # a rerun is the same view
    views = views_of(db, "SF2025-000020")
    assert len(views) == before + 1
    assert (views[0].username, views[0].role, views[0].cleared) == ("inspector-7", "supervisor",
                                                                     True)
    log = at.dataframe[-1].value
    assert "inspector-7" in set(log["查阅人"])
    at.text_input(key="audit_number").input("SF2025-000021").run()
    assert len(views_of(db, "SF2025-000021")) >= 1
    db.close()


def test_filters_find_cases_by_department_period_and_status(home: Path) -> None:
    at = audit_as("admin", audit_department="ZJJ", audit_status="archived",
                  audit_from=date(2025, 3, 1), audit_to=date(2025, 8, 31))
    found = at.dataframe[0].value
    db = readmodels(home)
    row = db.fetchone("SELECT COUNT(*) FROM rm_cases WHERE (lead = 'ZJJ' OR first_department = "
                      "'ZJJ') AND status = 'archived' AND first_assigned_day BETWEEN "
                      "'2025-03-01' AND '2025-08-31'")
    db.close()
    assert row is not None and len(found) == row[0] > 0
    assert set(found["状态"]) == {"已归档"}
    assert set(found["承办单位"]) == {"市住房和城乡建设局"}
    assert all("2025-03-01" <= d <= "2025-08-31" for d in found["交办日期"])


def test_part_of_a_number_lists_the_matching_cases(home: Path) -> None:
    at = audit_as("supervisor", audit_number="SF2025-00001")
    found = at.dataframe[0].value
    assert sorted(found["案件编号"]) == [f"SF2025-00001{i}" for i in range(10)]
    assert len(at.dataframe) == 1  # no exact match: no timeline until one is chosen
    at.selectbox(key="audit_case").set_value("SF2025-000013").run()
    assert f"案件 {md_escape('SF2025-000013')}" in [s.value for s in at.subheader]


@pytest.mark.parametrize("text", ["' OR '1'='1", "%", "_", "\\", "'; DROP TABLE rm_cases; --",
                                  "SF2025-000014' --", "\" OR 1=1 /*", "；DELETE FROM rm_cases"])
def test_injection_strings_in_the_search_are_harmless(home: Path, text: str) -> None:
    db = readmodels(home)
    count = db.fetchone("SELECT COUNT(*) FROM rm_cases")
    at = audit_as("supervisor", audit_number=text)
    assert not at.exception
    assert "找到 0 件" in [c.value for c in at.caption]
    assert db.fetchone("SELECT COUNT(*) FROM rm_cases") == count
    db.close()


def test_the_integrity_of_an_untouched_history_is_shown_as_verified(home: Path) -> None:
    at = audit_as("supervisor", audit_number=CASE)
    assert any("历史完整性：完整" in s.value for s in at.success)


def test_a_history_changed_behind_the_systems_back_is_shown_with_the_version(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    assert main(["--home", str(home), "demo", "--cases", "20", "--quiet"]) == 0
    conn = sqlite3.connect(home / "events.sqlite", isolation_level=None)
    oid = case_id("SF2025-000003").hex
    (state,) = conn.execute("SELECT state FROM stored_events WHERE originator_id = ? AND "
                            "originator_version = 2", (oid,)).fetchone()
    conn.execute("UPDATE stored_events SET state = ? WHERE originator_id = ? AND "
                 "originator_version = 2", (bytes(state) + b" ", oid))
    conn.close()
    monkeypatch.setenv("WENZHENG_HOME", str(home))
    monkeypatch.delenv("WENZHENG_DATABASE_URL", raising=False)
    at = audit_as("supervisor", audit_number="SF2025-000003")
    problems = [e.value for e in at.error if "历史完整性" in e.value]
    assert len(problems) == 1 and "第 2 个事件" in problems[0] and "SF2025-000003" in problems[0]
    clean = audit_as("supervisor", audit_number="SF2025-000004")
    assert any("历史完整性：完整" in s.value for s in clean.success)


def test_the_audit_as_of_a_past_day_shows_the_case_as_it_stood_then(home: Path) -> None:
    claimed = next(e for e in cli_case(home, CASE)["history"] if e["type"] == "Claimed")
    day = date.fromisoformat(claimed["at"][:10])
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["--home", str(home), "case", CASE, "--as-of", day.isoformat(),
                     "--format", "json"]) == 0
    expected = json.loads(out.getvalue())
    at = audit_as("supervisor", audit_number=CASE)
    at.date_input(key="audit_as_of").set_value(day).run()
    assert not at.exception, at.exception
    timeline = at.dataframe[1].value
    assert list(timeline["版本"]) == [e["version"] for e in expected["history"]]
    assert "归档" not in list(timeline["操作"])
    heading = next(x for x in texts(at).splitlines() if "**状态**" in x)
    assert f"截至 {day.isoformat()} 23:59" in heading
    assert "已归档" not in heading and expected["state"]["status"] == "claimed"


def test_without_a_day_chosen_the_audit_reads_as_of_the_homes_clock_as_the_case_command_does(
        home: Path) -> None:
    from domain.calendar import BUSINESS_TZ
    from wenzheng.democlock import home_clock
    from wenzheng.home import Home

    clock = home_clock(Home(home).settings())
    assert clock.fixed  # the demonstration home reads as of its own "now" ([demo] now)
    at = audit_as("supervisor", audit_number=CASE)
    now = clock.now.astimezone(BUSINESS_TZ)
    assert at.date_input(key="audit_as_of").value == now.date()
    heading = next(x for x in texts(at).splitlines() if "**状态**" in x)
    assert f"截至 {now:%Y-%m-%d %H:%M}" in heading

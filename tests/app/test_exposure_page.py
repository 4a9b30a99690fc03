"""曝光台: entries equal the exposure rules' output, praised cases, figures, no personal data."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from domain.calendar import WorkingCalendar
from domain.labels import RULE_ZH
from domain.policy import DeadlinePolicy, TimeLimits
from projections.db import Database
from scorecards.exposure import Entry, ExposureRules, exposure
from scorecards.metrics import metrics
from tests.app.conftest import CASES, app, page_as, texts
from wenzheng.config import load_settings
from wenzheng.democity import DEPARTMENTS
from wenzheng.democlock import home_clock
from wenzheng.demogen import DemoSpec, generate
from wenzheng.webapp import moments
from wenzheng.webapp.publicview import FAST_DAYS

PAGE = "app_pages/exposure.py"


def expected_entries(home: Path) -> list[Entry]:
    """The exposure list computed directly, as of the moment the page uses."""
    settings = load_settings(home / "wenzheng.toml")
    calendar = settings.deadline_policy().calendar
    db = Database.sqlite(home / "readmodels.sqlite")
    try:
        return exposure(db, moments.page_moment(calendar, home_clock(settings)),
                        ExposureRules.model_validate(settings.section("exposure")), calendar,
                        settings.department_names())
    finally:
        db.close()


def public_page(**widgets: Any) -> AppTest:
    """The exposure page as the public sees it (through the router), widgets set."""
    at = app().run()
    for key, value in widgets.items():
        at.selectbox(key=key).set_value(value).run()
    assert not at.exception
    return at


def test_the_entries_are_the_exposure_rules_output_each_with_its_rule(home: Path) -> None:
    at = public_page()
    entries = expected_entries(home)
    table = at.dataframe[0].value
    assert len(table) == len(entries) > 0
    assert sorted(table["案件编号"]) == sorted(e.case for e in entries)
    assert set(table["规则"]) <= set(RULE_ZH.values())
    assert all(reason for reason in table["问题"])
    shown = {m.label: m.value for m in at.metric}
    for rule, label in RULE_ZH.items():
        assert shown[label] == str(sum(1 for e in entries if e.rule == rule))


def test_the_rule_and_unit_filters_narrow_the_list(home: Path) -> None:
    entries = expected_entries(home)
    at = public_page(expo_rule="overdue")
    table = at.dataframe[0].value
    assert set(table["规则"]) == {"超期"}
    assert len(table) == sum(1 for e in entries if e.rule == "overdue")
    unit = entries[0].department
    at.selectbox(key="expo_department").set_value(unit).run()
    table = at.dataframe[0].value
    assert len(table) == sum(1 for e in entries if e.rule == "overdue" and e.department == unit)
    assert set(table["单位"]) <= {entries[0].department_name}


def test_praised_cases_are_fast_replies_the_citizen_rated_satisfied(home: Path) -> None:
    at = public_page(expo_year=2025)
    praised = at.dataframe[1].value
    assert 0 < len(praised) <= 30
    assert all(days <= FAST_DAYS for days in praised["办理用时（工作日）"])
    db = Database.sqlite(home / "readmodels.sqlite")
    for number in praised["案件编号"]:
        row = db.fetchone("SELECT rating, rating_default, published_late FROM rm_cases "
                          "WHERE number = ?", (number,))
        assert row == ("满意", 0, 0)
    db.close()


def test_the_public_figures_are_the_years_metrics(home: Path) -> None:
    at = public_page(expo_year=2025)
    settings = load_settings(home / "wenzheng.toml")
    db = Database.sqlite(home / "readmodels.sqlite")
    result = metrics(db, date(2025, 1, 1), date(2025, 12, 31),
                     moments.page_moment(settings.deadline_policy().calendar,
                                         home_clock(settings)),
                     {d.code: d.name for d in settings.departments}, settings.office_name)
    db.close()
    total = result["total"]
    shown = {m.label: m.value for m in at.metric}
    assert shown["受理"] == str(total["received"])
    assert shown["回复率"] == f"{total['reply_rate'] * 100:.1f}%"
    assert shown["满意率"] == f"{total['satisfaction_rate'] * 100:.1f}%"
    figures = at.dataframe[2].value
    assert figures["受理"].sum() == total["received"]


@pytest.fixture(scope="module")
def citizens() -> list[dict[str, str]]:
    """Every demo citizen (name and phone)."""
    policy = DeadlinePolicy(TimeLimits(), WorkingCalendar())
    return [a["citizen"] for a in generate(DemoSpec(cases=CASES, seed=1), policy, DEPARTMENTS)
            if a["action"] == "register"]


@pytest.mark.parametrize("year", [2025, 2026])
def test_no_personal_data_appears_on_the_public_page(
        home: Path, citizens: list[dict[str, str]], year: int) -> None:
    at = public_page(expo_year=year)
    page = texts(at)
    assert len(citizens) == CASES
    leaked = [c for c in citizens if c["phone"] in page or c["phone"][-8:] in page
              or c["name"] in page]
    assert leaked == []


def test_signed_in_roles_see_the_same_public_page(home: Path) -> None:
    public = texts(page_as(PAGE, "public"))
    leader = texts(page_as(PAGE, "leader"))
    assert public == leader

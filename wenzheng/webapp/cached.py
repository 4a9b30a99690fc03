"""Query results cached per home (st.cache_data with a TTL); personal data is never cached."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import streamlit as st

from scorecards.assess import score_period
from scorecards.exposure import Entry, ExposureRules, exposure
from scorecards.metrics import metrics
from scorecards.scoring import ScoreSheet
from wenzheng.commands.scoring import context, rules_for
from wenzheng.webapp import bulletinview, health, scoreview
from wenzheng.webapp.publicview import Praised, praised_cases
from wenzheng.webapp.resources import home_of, ledger, readmodels, service
from wenzheng.webapp.search import CaseQuery, find_cases

Key = tuple[str, str]
SCORES_TTL, PUBLIC_TTL, LIST_TTL, STATUS_TTL = 600, 300, 60, 5


@st.cache_data(ttl=LIST_TTL, show_spinner=False)
def assigned_days(key: Key) -> tuple[date | None, date | None]:
    """The first and last day any case was assigned."""
    with readmodels(key).use() as db:
        row = db.fetchone("SELECT MIN(first_assigned_day), MAX(first_assigned_day) FROM rm_cases")
    if not row or row[0] is None:
        return None, None
    return date.fromisoformat(str(row[0])), date.fromisoformat(str(row[1]))


@st.cache_data(ttl=SCORES_TTL, show_spinner="正在计算考核结果…")
def score_sheet(key: Key, year: int, as_of: datetime) -> ScoreSheet:
    """The year's scorecards under the year's rules, as of a moment."""
    home = home_of(key)
    rules = rules_for(home, year, None)
    with readmodels(key).use() as db:
        sheet, _ = score_period(db, context(home), rules, date(year, 1, 1), date(year, 12, 31),
                                as_of, rules.min_volume_year)
    return sheet


@st.cache_data(ttl=SCORES_TTL, show_spinner=False)
def chart_spec(key: Key, year: int, as_of: datetime, group: str,
               measure: str) -> dict[str, Any] | None:
    """The Vega-Lite spec of one measure's altair chart (built once, then reused)."""
    frame = scoreview.measure_frame(score_sheet(key, year, as_of), measure, group)
    return None if frame.empty else scoreview.chart_spec(frame, measure)


@st.cache_data(ttl=PUBLIC_TTL, show_spinner=False)
def exposure_entries(key: Key, as_of: datetime) -> list[Entry]:
    """The exposure list as of a moment."""
    settings = home_of(key).settings()
    rules = ExposureRules.model_validate(settings.section("exposure"))
    with readmodels(key).use() as db:
        return exposure(db, as_of, rules, settings.deadline_policy().calendar,
                        settings.department_names())


@st.cache_data(ttl=PUBLIC_TTL, show_spinner=False)
def year_figures(key: Key, year: int, as_of: datetime) -> dict[str, Any]:
    """The `wenzheng metrics` figures of cases assigned in a year, as of a moment."""
    settings = home_of(key).settings()
    names = {d.code: d.name for d in settings.departments}
    with readmodels(key).use() as db:
        return metrics(db, date(year, 1, 1), date(year, 12, 31), as_of, names,
                       settings.office_name)


@st.cache_data(ttl=PUBLIC_TTL, show_spinner=False)
def praised(key: Key, year: int, as_of: datetime) -> list[Praised]:
    """Praised cases of a year."""
    with readmodels(key).use() as db:
        return praised_cases(db, date(year, 1, 1), date(year, 12, 31), as_of)


@st.cache_data(ttl=30, show_spinner=False)
def search(key: Key, number: str, department: str | None, day_from: date | None,
           day_to: date | None, status: str | None) -> list[dict[str, Any]]:
    """Cases matching the audit page's filters."""
    query = CaseQuery(number, department, day_from, day_to, status)
    with readmodels(key).use() as db:
        return find_cases(db, query)


@st.cache_data(ttl=LIST_TTL, show_spinner=False)
def issued_months(key: Key) -> list[str]:
    """Months with an issued bulletin, newest first."""
    with ledger(key).use() as recorded:
        return bulletinview.issued_months(recorded)


@st.cache_data(ttl=LIST_TTL, show_spinner=False)
def issued(key: Key, month: str) -> bulletinview.IssuedBulletin | None:
    """The recorded bulletin of a month."""
    with ledger(key).use() as recorded:
        return bulletinview.issued(recorded, month)


@st.cache_data(ttl=STATUS_TTL, show_spinner=False)
def pipeline_status(key: Key) -> dict[str, Any]:
    """Store head, positions and lag."""
    home = home_of(key)
    with service(key).use() as app, readmodels(key).use() as db:
        return health.status(app, home.store_env(), db, home.settings().section("kafka"))

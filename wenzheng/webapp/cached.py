"""Query results cached per home (st.cache_data with a TTL); personal data is never cached."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import streamlit as st

from projections.tables import CASES
from scorecards import snapshot
from scorecards.assess import score_period
from scorecards.exposure import Entry, ExposureRules, exposure
from scorecards.metrics import metrics
from scorecards.scoring import Scorecard, ScoreSheet
from scorecards.snapshot import Snapshot
from wenzheng.bootstrap.scorer import context, rules_for
from wenzheng.bootstrap.service import store_env
from wenzheng.bootstrap.transport import transport_settings
from wenzheng.runout import add_calendar_part
from wenzheng.webapp import bulletinview, health, moments, scoreview
from wenzheng.webapp.publicview import Praised, praised_cases
from wenzheng.webapp.resources import home_of, ledger, readmodels, service
from wenzheng.webapp.search import CaseQuery, find_cases

Key = tuple[str, str]
SCORES_TTL, PUBLIC_TTL, LIST_TTL, STATUS_TTL = 600, 300, 60, 5


@st.cache_data(ttl=LIST_TTL, show_spinner=False)
def assigned_days(key: Key) -> tuple[date | None, date | None]:
    """The first and last day any case was assigned."""
    with readmodels(key).use() as db:
        # two subqueries, so each is one index lookup (MIN and MAX together scan the index)
        row = db.fetchone(f"SELECT (SELECT MIN(first_assigned_day) FROM {CASES}), "
                          f"(SELECT MAX(first_assigned_day) FROM {CASES})")
    if not row or row[0] is None:
        return None, None
    return date.fromisoformat(str(row[0])), date.fromisoformat(str(row[1]))


def max_age(key: Key) -> timedelta | None:
    """`[app] scorecard_max_age_minutes`: a stored assessment younger than this is shown even
    when the read models have moved on (default: only one computed at their current position)."""
    minutes = home_of(key).settings().section("app").get("scorecard_max_age_minutes")
    return None if minutes is None else timedelta(minutes=float(minutes))


@st.cache_data(ttl=LIST_TTL, show_spinner="正在计算考核结果…")
def score_snapshot(key: Key, year: int, as_of: datetime) -> Snapshot:
    """The year's assessment as of a moment: the stored snapshot when fresh, else computed
    and stored (figures only; a department's case lists are read by `score_card`)."""
    home = home_of(key)
    rules = rules_for(home, year, None)
    with readmodels(key).use() as db:
        snap, _ = snapshot.assessment(db, context(home), rules, year, as_of, moments.now(),
                                      max_age(key))
    return snap


@st.cache_data(ttl=SCORES_TTL, show_spinner=False)
def score_card(key: Key, snapshot_id: str, code: str) -> Scorecard | None:
    """One department's full card of a stored assessment (None when it was replaced)."""
    with readmodels(key).use() as db:
        return snapshot.card(db, snapshot_id, code)


def full_sheet(key: Key, snap: Snapshot, year: int) -> ScoreSheet:
    """Every card with its case lists (for the downloads); computed again if it was replaced."""
    with readmodels(key).use() as db:
        sheet = snapshot.full_sheet(db, snap)
        if sheet is None:
            home = home_of(key)
            rules = rules_for(home, year, None)
            sheet, _ = score_period(db, context(home), rules, date(year, 1, 1),
                                    date(year, 12, 31), snap.as_of_moment(),
                                    rules.min_volume_year)
    return sheet


@st.cache_data(ttl=SCORES_TTL, show_spinner=False)
def chart_spec(key: Key, snapshot_id: str, group: str, measure: str,
               _sheet: ScoreSheet) -> dict[str, Any] | None:
    """The Vega-Lite spec of one measure's altair chart (built once a snapshot, then reused)."""
    frame = scoreview.measure_frame(_sheet, measure, group)
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
                       settings.office_name, settings.deadline_policy().calendar)


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
        result = health.status(app, store_env(home), db, transport_settings(home))
    add_calendar_part(result, home.settings().deadline_policy().calendar, moments.now().date())
    return result

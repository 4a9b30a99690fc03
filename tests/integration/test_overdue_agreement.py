"""Property: the figures' SQL and the case audit name the same overdue stage at every moment.

Both come from one definition (scorecards/overdue.py); this checks that they read it over the
same row: random case histories, folded into SQL read models, queried as of many moments.
"""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.calendar import micros
from projections.schema import STATE_COLUMNS
from scorecards.asof import as_of_sql, bind
from scorecards.audit import audit, load_history
from scorecards.overdue import charged_to
from tests.integration.test_projection_fold_property import (
    CAL,
    T0,
    events_of,
    fresh_projection,
    step,
)

STAGE, CHARGED = len(STATE_COLUMNS), len(STATE_COLUMNS) + 1  # after the state's columns


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=3, max_size=40),
       hours=st.lists(st.integers(-24, 24 * 120), min_size=1, max_size=25))
def test_the_sql_and_the_audit_name_the_same_overdue_stage_at_every_moment(
        steps: list[tuple[int, str | None, int, str, str, bool]], hours: list[int]) -> None:
    records = events_of(steps)
    projection = fresh_projection()
    projection.apply(records, records[-1].position)
    db = projection.db
    cases = sorted({r.case_id for r in records})
    for moment in (T0 + timedelta(hours=h, minutes=7) for h in sorted(set(hours))):
        rows = db.fetchall(*bind(as_of_sql(), as_of=micros(moment)))
        by_sql = {r[0]: (r[STAGE], r[CHARGED]) for r in rows}
        for case in cases:
            history = load_history(db, case)
            found = audit(history, moment, CAL)
            stage, charged = by_sql.get(case, (None, None))
            assert stage == found.overdue_stage_now, (case, moment)
            now = [s for s in history if s["at"] <= moment]
            if now:
                assert charged == charged_to(now[-1]), (case, moment)

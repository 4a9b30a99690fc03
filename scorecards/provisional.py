"""Which cases' figures rest on provisional deadlines (a year no holiday arrangement covers)."""

from __future__ import annotations

from datetime import date, datetime

from domain.calendar import end_of_day
from projections.db import Database
from projections.schema import to_micros
from projections.tables import CASES
from scorecards.asof import as_of_sql, bind

_QUERY = f"""
SELECT c.number
FROM ({as_of_sql("first_assigned_day >= :day_from AND first_assigned_day <= :day_to "
                    "AND reply_due > :after")}) s
JOIN {CASES} c ON c.case_id = s.case_id
ORDER BY c.number
"""


def provisional_cases(db: Database, day_from: date, day_to: date, as_of: datetime,
                      covered_until: date) -> tuple[str, ...]:
    """Numbers of cases assigned in the period whose reply deadline, as of the moment, lies
    after the last day the calendar covers (so it was set on the provisional rule)."""
    text, params = bind(_QUERY, as_of=to_micros(as_of), day_from=day_from.isoformat(),
                        day_to=day_to.isoformat(), after=to_micros(end_of_day(covered_until)))
    with db.consistent_read():
        return tuple(str(r[0]) for r in db.fetchall(text, params))

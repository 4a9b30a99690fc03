"""Per-case facts behind the scores, read from the read models as of a moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from domain.vocabulary import OFFICE
from projections import charges as ch
from projections.db import Database
from projections.schema import to_micros
from projections.tables import CASES
from scorecards.asof import as_of_sql, bind


@dataclass(frozen=True)
class CaseFact:
    """What scoring needs to know of one case assigned in the period, as of the moment."""

    number: str
    department: str  # lead at as_of (OFFICE while awaiting reassignment)
    category: str
    title: str
    claimed_on_time: bool
    replied: bool
    closed: bool
    rating: str | None
    rating_default: bool
    overdue_stage: str | None  # open and overdue now, in this stage
    overdue_charged_to: str | None  # who holds the overdue time now
    replied_late_by: str | None  # published late, late time charged to this holder
    supervised: int
    referred: int
    resolved: bool | None = None  # the citizen's 是否解决 at the callback, None if not answered
    assigned_day: str = ""  # first assigned, YYYY-MM-DD (the period the case counts in)
    supervised_units: tuple[str, ...] = ()  # units a notice was aimed at (held the case then)
    referred_units: tuple[str, ...] = ()  # units a referral named


_QUERY = f"""
SELECT c.number, COALESCE(s.lead, '{OFFICE}'), c.category, c.title, s.claimed_on_time,
  s.published_at, s.closed_at, s.rating, s.rating_default, s.overdue_stage, s.charged_to,
  s.published_late, s.late_holder, s.supervision_count, s.accountability_count, s.resolved,
  c.first_assigned_day, s.charges
FROM ({as_of_sql("first_assigned_day >= :day_from AND first_assigned_day <= :day_to")}) s
JOIN {CASES} c ON c.case_id = s.case_id
ORDER BY c.number
"""


def case_facts(db: Database, day_from: date, day_to: date, as_of: datetime) -> list[CaseFact]:
    """Facts of every case first assigned in [day_from, day_to], as they stood at as_of."""
    text, params = bind(_QUERY, as_of=to_micros(as_of), day_from=day_from.isoformat(),
                        day_to=day_to.isoformat())
    with db.consistent_read():
        rows = db.fetchall(text, params)
    return [CaseFact(
        number=str(r[0]), department=str(r[1]), category=str(r[2] or ""), title=str(r[3] or ""),
        claimed_on_time=r[4] == 1, replied=r[5] is not None, closed=r[6] is not None,
        rating=r[7], rating_default=bool(r[8]), overdue_stage=r[9],
        overdue_charged_to=r[10] if r[9] is not None else None,
        replied_late_by=(r[12] or str(r[1])) if r[11] == 1 else None,
        supervised=int(r[13] or 0), referred=int(r[14] or 0),
        resolved=None if r[15] is None else r[15] == 1,
        assigned_day=str(r[16] or ""),
        supervised_units=_units(r[17], "notices"), referred_units=_units(r[17], "referrals"))
        for r in rows]


def _units(stored: str | None, key: str) -> tuple[str, ...]:
    """The units whose charges on the case have this count above zero."""
    return tuple(sorted(u for u, c in ch.load(stored).items() if c.get(key)))

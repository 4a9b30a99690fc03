"""Finding cases for the audit page: every filter is a bound parameter, never SQL text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.labels import STATUS_ZH
from projections.db import Database
from projections.schema import from_micros
from projections.tables import CASES

LIMIT = 200
STATUSES = tuple(STATUS_ZH)


@dataclass(frozen=True)
class CaseQuery:
    """What to look for; None (or '') means any."""

    number: str = ""
    department: str | None = None
    day_from: date | None = None
    day_to: date | None = None
    status: str | None = None


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with %, _ and \\ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def where_clause(q: CaseQuery) -> tuple[str, list[Any]]:
    """The WHERE text (fixed fragments only) and its parameters."""
    parts: list[str] = []
    params: list[Any] = []
    if q.number.strip():
        parts.append("UPPER(number) LIKE UPPER(?) ESCAPE '\\'")
        params.append(like_pattern(q.number.strip()))
    if q.department:
        parts.append("(lead = ? OR first_department = ?)")
        params += [q.department, q.department]
    if q.day_from:
        parts.append("first_assigned_day >= ?")
        params.append(q.day_from.isoformat())
    if q.day_to:
        parts.append("first_assigned_day <= ?")
        params.append(q.day_to.isoformat())
    if q.status:
        parts.append("status = ?")
        params.append(q.status)
    return (" AND ".join(parts) or "1 = 1"), params


def find_cases(db: Database, q: CaseQuery, limit: int = LIMIT) -> list[dict[str, Any]]:
    """Matching cases (number order, at most `limit`): no personal data is read."""
    where, params = where_clause(q)
    rows = db.fetchall(
        "SELECT number, title, lead, status, first_assigned_day, reply_due, published_at "
        f"FROM {CASES} WHERE {where} ORDER BY number LIMIT ?", (*params, limit))
    return [{"number": r[0], "title": r[1], "lead": r[2], "status": r[3],
             "assigned_day": r[4], "reply_due": from_micros(r[5]),
             "published_at": from_micros(r[6])} for r in rows]


"""Who viewed which case history, when: a table in the read-model database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.calendar import BUSINESS_TZ
from projections.db import Database
from projections.schema import from_micros, to_micros

TABLE = "app_case_views"
DDL = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (viewed_at BIGINT NOT NULL, username TEXT NOT NULL, "
    "role TEXT NOT NULL, case_number TEXT NOT NULL, cleared INTEGER NOT NULL)",
    f"CREATE INDEX IF NOT EXISTS ix_{TABLE}_case ON {TABLE} (case_number, viewed_at)",
)


@dataclass(frozen=True)
class View:
    """One recorded view of a case history."""

    viewed_at: datetime
    username: str
    role: str
    case_number: str
    cleared: bool


def ensure_viewlog(db: Database) -> None:
    """Create the table and its index unless they exist."""
    with db.transaction():
        for statement in DDL:
            db.execute(statement)


def record_view(db: Database, username: str, role: str, number: str, at: datetime,
                cleared: bool) -> None:
    """Record that a user viewed a case's history (and whether personal data was shown)."""
    with db.transaction():
        db.execute(f"INSERT INTO {TABLE} (viewed_at, username, role, case_number, cleared) "
                   "VALUES (?, ?, ?, ?, ?)", (to_micros(at), username, role, number, int(cleared)))


def views_of(db: Database, number: str, limit: int = 100) -> list[View]:
    """The latest views of one case, newest first."""
    rows = db.fetchall(f"SELECT viewed_at, username, role, case_number, cleared FROM {TABLE} "
                       "WHERE case_number = ? ORDER BY viewed_at DESC LIMIT ?", (number, limit))
    return [_view(r) for r in rows]


def recent_views(db: Database, limit: int = 100) -> list[View]:
    """The latest views of any case, newest first."""
    rows = db.fetchall(f"SELECT viewed_at, username, role, case_number, cleared FROM {TABLE} "
                       "ORDER BY viewed_at DESC LIMIT ?", (limit,))
    return [_view(r) for r in rows]


def _view(row: tuple[object, ...]) -> View:
    """A row as a View (time in Beijing)."""
    at = from_micros(int(str(row[0])))
    assert at is not None
    return View(at.astimezone(BUSINESS_TZ), str(row[1]), str(row[2]), str(row[3]), bool(row[4]))

"""The thin adapter: folds a batch of events and writes rows plus tracking in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import Any

import orjson

from domain.vocabulary import EventType
from projections.caserow import CaseRow, WorkingDays
from projections.db import Database
from projections.fold import AT, VERSION, Row, fold_stored
from projections.record import EventRecord
from projections.schema import (
    CASE_COLUMNS,
    HISTORY_COLUMNS,
    STATE_COLUMNS,
    check_columns,
    ensure_tables,
    micros,
    row_from_values,
)
from projections.tables import CASES, HISTORY, TRACKING, TRACKING_NAME

CHUNK = 500
DETAIL_FIELDS = ("department", "co_departments", "reason", "working_days", "level", "note",
                 "response_due", "rating", "channel", "default", "text", "source", "category",
                 "priority", "region", "title", "number", "resolved")
DETAIL_TEXT_CHARS = 300
NEXT_AT = HISTORY_COLUMNS.index("next_at")  # index of next_at in a history row
_STATE = itemgetter(*(CASE_COLUMNS.index(c) for c in STATE_COLUMNS))


def _encode(value: Any) -> str:
    """Compact JSON text (UTF-8, no ASCII escapes; orjson: about ten times as fast as json)."""
    return orjson.dumps(value).decode()


def history_row(row: Row, rec: EventRecord) -> list[Any]:
    """The rm_history row of an event: the case row after it plus the event's own columns."""
    return [*_STATE(row), rec.position, rec.type, rec.fields.get("by"),
            micros(rec.recorded_at), None, _detail(rec)]


def insert_history_sql(table: str) -> str:
    """INSERT of history rows (a repeated event changes nothing)."""
    return (f"INSERT INTO {table} ({', '.join(HISTORY_COLUMNS)}) "
            f"VALUES ({', '.join('?' for _ in HISTORY_COLUMNS)}) "
            "ON CONFLICT (case_id, version) DO NOTHING")


def upsert_cases_sql(table: str) -> str:
    """INSERT or UPDATE of whole case rows."""
    updates = ", ".join(f"{c} = excluded.{c}" for c in CASE_COLUMNS if c != "case_id")
    return (f"INSERT INTO {table} ({', '.join(CASE_COLUMNS)}) "
            f"VALUES ({', '.join('?' for _ in CASE_COLUMNS)}) "
            f"ON CONFLICT (case_id) DO UPDATE SET {updates}")


def load_rows(db: Database, table: str, case_ids: set[str]) -> dict[str, Row]:
    """The stored rows of these cases (in stored form)."""
    out: dict[str, Row] = {}
    ids = sorted(case_ids)
    select = f"SELECT {', '.join(CASE_COLUMNS)} FROM {table} WHERE case_id IN "
    for i in range(0, len(ids), CHUNK):
        part = ids[i:i + CHUNK]
        for values in db.fetchall(select + f"({', '.join('?' for _ in part)})", part):
            out[values[0]] = list(values)
    return out


class CaseProjection:
    """Case rows and event history in SQL, idempotent by (case, version), with tracking."""

    def __init__(self, db: Database, calendar: WorkingDays, suffix: str = "") -> None:
        self.db, self.calendar, self.suffix = db, calendar, suffix
        self.cases, self.history, self.tracking = (t + suffix for t in (CASES, HISTORY, TRACKING))
        ensure_tables(db, suffix)
        check_columns(db, suffix)

    def position(self) -> int:
        """The last notification-log position applied."""
        row = self.db.fetchone(f"SELECT pos FROM {self.tracking} WHERE name = ?", (TRACKING_NAME,))
        return int(row[0]) if row else 0

    def apply(self, records: Sequence[EventRecord], position: int | None = None) -> int:
        """Apply events (in log order) and move tracking to `position`; returns events applied.

        Events at or before the tracked position, or with a version the case row already has,
        change nothing; a version gap raises ProjectionGap and rolls the batch back.
        """
        end = position if position is not None else max((r.position for r in records), default=0)
        with self.db.transaction():
            tracked = self._locked_position()
            fresh = [r for r in records if r.position > tracked]
            applied = self.write_events(fresh) if fresh else 0
            if end > tracked:
                self.db.execute(f"UPDATE {self.tracking} SET pos = ? WHERE name = ?",
                                (end, TRACKING_NAME))
        return applied

    def apply_untracked(self, records: Sequence[EventRecord]) -> int:
        """Apply events without moving tracking (a transport that tracks elsewhere)."""
        with self.db.transaction():
            return self.write_events(list(records))

    def _locked_position(self) -> int:
        """The tracked position, locked for this transaction (PostgreSQL: FOR UPDATE)."""
        lock = " FOR UPDATE" if self.db.dialect == "postgres" else ""
        row = self.db.fetchone(
            f"SELECT pos FROM {self.tracking} WHERE name = ?{lock}", (TRACKING_NAME,))
        return int(row[0]) if row else 0

    def write_events(self, records: Sequence[EventRecord]) -> int:
        """Fold the events onto the stored rows and write what changed (caller's transaction)."""
        rows = self.load_stored({r.case_id for r in records})
        changed: dict[str, Row] = {}
        inserts: dict[tuple[str, int], list[Any]] = {}
        next_at: list[tuple[int, str, int]] = []
        for rec in records:
            case = rec.case_id
            row = rows.get(case)
            if row is not None and rec.version <= row[VERSION]:
                continue
            new = rows[case] = changed[case] = fold_stored(row, rec, self.calendar)
            before = inserts.get((case, rec.version - 1))
            if before is not None:
                before[NEXT_AT] = new[AT]
            elif rec.version > 1:
                next_at.append((new[AT], case, rec.version - 1))
            inserts[(case, rec.version)] = history_row(new, rec)
        if not changed:
            return 0
        self.db.executemany(insert_history_sql(self.history), list(inserts.values()))
        self.db.executemany(
            f"UPDATE {self.history} SET next_at = ? WHERE case_id = ? AND version = ?", next_at)
        self.db.executemany(upsert_cases_sql(self.cases), list(changed.values()))
        return len(inserts)

    def load_stored(self, case_ids: set[str]) -> dict[str, Row]:
        """The stored rows of these cases, in stored form."""
        return load_rows(self.db, self.cases, case_ids)

    def load(self, case_ids: set[str]) -> dict[str, CaseRow]:
        """The stored rows of these cases."""
        return {case: row_from_values(tuple(values))
                for case, values in self.load_stored(case_ids).items()}

    def all_rows(self) -> dict[str, CaseRow]:
        """Every stored case row (for checks and tests)."""
        return {r.case_id: r for r in (row_from_values(v) for v in self.db.fetchall(
            f"SELECT {', '.join(CASE_COLUMNS)} FROM {self.cases}"))}


def _detail(rec: EventRecord) -> str:
    """The event's key fields for the audit view (no personal data, long text cut)."""
    out: dict[str, Any] = {}
    for name in DETAIL_FIELDS:
        if name in rec.fields:
            value = rec.fields[name]
            if isinstance(value, str) and len(value) > DETAIL_TEXT_CHARS:
                value = value[:DETAIL_TEXT_CHARS] + "…"
            out[name] = value
    out["deadlines"] = rec.get("deadlines") or {}
    out["action_id"] = rec.get("action_id")
    if rec.type == EventType.DEADLINES_REVISED:
        out.update(_revision_detail(rec))
    return _encode(out)


def _revision_detail(rec: EventRecord) -> dict[str, Any]:
    """期限修订: the reply deadline before it and the arrangements it follows."""
    old = rec.fields.get("old") or {}
    sources = [str(a.get("source", "")) for a in rec.fields.get("arrangements") or []]
    return {"old_reply": old.get("reply"), "arrangement_sources": sources}

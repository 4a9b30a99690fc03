"""The thin adapter: folds a batch of events and writes rows plus tracking in one transaction."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from projections.caserow import CaseRow, WorkingDays, fold
from projections.db import Database
from projections.record import EventRecord
from projections.schema import (
    CASE_COLUMNS,
    CASES,
    HISTORY,
    HISTORY_COLUMNS,
    SNAPSHOT_COLUMNS,
    TRACKING,
    TRACKING_NAME,
    ensure_tables,
    row_from_values,
    row_values,
    to_micros,
)

CHUNK = 500
DETAIL_FIELDS = ("department", "co_departments", "reason", "working_days", "level", "note",
                 "response_due", "rating", "channel", "default", "text", "source", "category",
                 "priority", "region", "title", "number")
DETAIL_TEXT_CHARS = 300


class CaseProjection:
    """Case rows and event history in SQL, idempotent by (case, version), with tracking."""

    def __init__(self, db: Database, calendar: WorkingDays, suffix: str = "") -> None:
        self.db, self.calendar, self.suffix = db, calendar, suffix
        self.cases, self.history, self.tracking = (t + suffix for t in (CASES, HISTORY, TRACKING))
        ensure_tables(db, suffix)

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
            applied = self._write(fresh) if fresh else 0
            if end > tracked:
                self.db.execute(f"UPDATE {self.tracking} SET pos = ? WHERE name = ?",
                                (end, TRACKING_NAME))
        return applied

    def apply_untracked(self, records: Sequence[EventRecord]) -> int:
        """Apply events without moving tracking (a transport that tracks elsewhere)."""
        with self.db.transaction():
            return self._write(list(records))

    def _locked_position(self) -> int:
        """The tracked position, locked for this transaction (PostgreSQL: FOR UPDATE)."""
        lock = " FOR UPDATE" if self.db.dialect == "postgres" else ""
        row = self.db.fetchone(
            f"SELECT pos FROM {self.tracking} WHERE name = ?{lock}", (TRACKING_NAME,))
        return int(row[0]) if row else 0

    def _write(self, records: Sequence[EventRecord]) -> int:
        """Fold the events onto the stored rows and write what changed."""
        rows = self.load({r.case_id for r in records})
        changed: dict[str, CaseRow] = {}
        inserts: dict[tuple[str, int], list[Any]] = {}
        next_at: list[tuple[int | None, str, int]] = []
        for rec in records:
            row = rows.get(rec.case_id)
            if row is not None and rec.version <= row.version:
                continue
            new = fold(row, rec, self.calendar)
            rows[rec.case_id] = changed[rec.case_id] = new
            prev = (rec.case_id, rec.version - 1)
            if prev in inserts:
                inserts[prev][-2] = to_micros(rec.at)
            elif rec.version > 1:
                next_at.append((to_micros(rec.at), rec.case_id, rec.version - 1))
            inserts[(rec.case_id, rec.version)] = [
                *row_values(new, SNAPSHOT_COLUMNS), rec.position, rec.type, rec.get("by"),
                to_micros(rec.recorded_at), None, _detail(rec),
            ]
        if not changed:
            return 0
        cols = ", ".join(HISTORY_COLUMNS)
        marks = ", ".join("?" for _ in HISTORY_COLUMNS)
        self.db.executemany(
            f"INSERT INTO {self.history} ({cols}) VALUES ({marks}) "
            "ON CONFLICT (case_id, version) DO NOTHING", list(inserts.values()))
        self.db.executemany(
            f"UPDATE {self.history} SET next_at = ? WHERE case_id = ? AND version = ?", next_at)
        updates = ", ".join(f"{c} = excluded.{c}" for c in CASE_COLUMNS if c != "case_id")
        self.db.executemany(
            f"INSERT INTO {self.cases} ({', '.join(CASE_COLUMNS)}) "
            f"VALUES ({', '.join('?' for _ in CASE_COLUMNS)}) "
            f"ON CONFLICT (case_id) DO UPDATE SET {updates}",
            [row_values(r) for r in changed.values()])
        return len(inserts)

    def load(self, case_ids: set[str]) -> dict[str, CaseRow]:
        """The stored rows of these cases."""
        out: dict[str, CaseRow] = {}
        ids = sorted(case_ids)
        for i in range(0, len(ids), CHUNK):
            part = ids[i:i + CHUNK]
            marks = ", ".join("?" for _ in part)
            for values in self.db.fetchall(
                    f"SELECT {', '.join(CASE_COLUMNS)} FROM {self.cases} "
                    f"WHERE case_id IN ({marks})", part):
                row = row_from_values(values)
                out[row.case_id] = row
        return out

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
    return json.dumps(out, ensure_ascii=False)

"""The rebuild's writer: folds the whole log, in order, into fresh tables in bulk."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import islice
from typing import Any

from projections.db import POSTGRES, SQLITE, Database
from projections.fold import AT, VERSION, Row, fold_stored
from projections.record import EventRecord
from projections.row import WorkingDays
from projections.schema import (
    CASE_COLUMNS,
    HISTORY_COLUMNS,
    index_ddl,
    table_ddl,
)
from projections.tables import CASES, HISTORY, TRACKING, TRACKING_NAME
from projections.writer import NEXT_AT, history_row, load_rows, upsert_cases_sql

CACHE = 100_000  # cases kept in memory (about 1 KiB each)
SQLITE_CACHE_KIB = 262_144  # page cache while loading and indexing (256 MiB)
FIXUP_COLUMNS = ("case_id", "version", "next_at")


class BulkLoad:
    """Fresh tables filled from the log in order, one transaction a page.

    The rows of recently active cases stay in memory (at most `cache` cases; the least
    recently active leave first, written out), so each event costs one fold and one history
    row written once, with its next_at already known. The tables get their indexes at the
    end. A case that comes back after leaving the cache is read back from the table and its
    last history row's next_at is set at the end. Memory is bounded by the cache and the
    page, not by the length of the history.
    """

    def __init__(self, db: Database, calendar: WorkingDays, suffix: str,
                 cache: int = CACHE) -> None:
        self.db, self.calendar, self.suffix, self.capacity = db, calendar, suffix, cache
        self.cases, self.history, self.tracking = (t + suffix for t in (CASES, HISTORY, TRACKING))
        self.fixups = f"wz_next_at{suffix}"
        self.rows: dict[str, Row] = {}  # least recently active first
        self.pending: dict[str, list[Any]] = {}  # each cached case's latest history row
        self.stored: set[str] = set()  # cached cases whose row is already in the table
        if db.dialect == SQLITE:
            db.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        with db.transaction():
            for statement in table_ddl(suffix):
                db.execute(statement)
            db.execute(f"CREATE TEMP TABLE {self.fixups} (case_id TEXT NOT NULL, "
                       "version INTEGER NOT NULL, next_at BIGINT NOT NULL)")

    def add(self, records: Sequence[EventRecord]) -> int:
        """Fold a page of events (in log order) and write what is finished; events applied."""
        rows, pending = self.rows, self.pending
        back = {r.case_id for r in records if r.version > 1 and r.case_id not in rows}
        back -= {r.case_id for r in records if r.version == 1}
        if back:
            returning = load_rows(self.db, self.cases, back)
            rows.update(returning)
            self.stored.update(returning)
        done: list[list[Any]] = []
        fixups: list[tuple[str, int, int]] = []
        applied = 0
        for rec in records:
            case = rec.case_id
            row = rows.pop(case, None)  # re-inserted below: now the most recently active
            if row is not None and rec.version <= row[VERSION]:
                rows[case] = row
                continue
            new = rows[case] = fold_stored(row, rec, self.calendar)
            before = pending.pop(case, None)
            if before is not None:
                before[NEXT_AT] = new[AT]
                done.append(before)
            elif rec.version > 1:
                fixups.append((case, rec.version - 1, new[AT]))
            pending[case] = history_row(new, rec)
            applied += 1
        with self.db.transaction():
            self.db.copy_rows(self.history, HISTORY_COLUMNS, done)
            self.db.copy_rows(self.fixups, FIXUP_COLUMNS, fixups)
            self._evict(len(rows) - self.capacity)
        return applied

    def finish(self, position: int) -> None:
        """Write the cached cases, build the indexes, set next_at of returning cases."""
        db = self.db
        with db.transaction():
            self._evict(len(self.rows))
            for statement in index_ddl(self.suffix):
                db.execute(statement)
            db.execute(f"UPDATE {self.history} SET next_at = f.next_at FROM {self.fixups} f "
                       f"WHERE {self.history}.case_id = f.case_id "
                       f"AND {self.history}.version = f.version")
            db.execute(f"UPDATE {self.tracking} SET pos = ? WHERE name = ?",
                       (position, TRACKING_NAME))
            if db.dialect == POSTGRES:
                db.execute(f"ANALYZE {self.cases}")
                db.execute(f"ANALYZE {self.history}")
        db.execute(f"DROP TABLE {self.fixups}")
        if db.dialect == SQLITE:
            db.execute("PRAGMA cache_size = -2000")

    def _evict(self, count: int) -> None:
        """Write out the `count` least recently active cases and forget them."""
        if count <= 0:
            return
        leaving = list(islice(self.rows, count))
        fresh: list[Row] = []
        known: list[Row] = []
        history: list[list[Any]] = []
        for case in leaving:
            (known if case in self.stored else fresh).append(self.rows.pop(case))
            self.stored.discard(case)
            last = self.pending.pop(case, None)
            if last is not None:
                history.append(last)
        self.db.copy_rows(self.cases, CASE_COLUMNS, fresh)
        self.db.executemany(upsert_cases_sql(self.cases), known)
        self.db.copy_rows(self.history, HISTORY_COLUMNS, history)

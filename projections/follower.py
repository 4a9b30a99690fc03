"""Following the event store's notification log: catch up, follow, rebuild."""

from __future__ import annotations

import gc
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from projections.bulk import CACHE, BulkLoad
from projections.caserow import WorkingDays
from projections.db import Database
from projections.logread import LogReader, log_reader
from projections.record import EventRecord, StoredDecoder
from projections.schema import drop_tables, swap_in
from projections.writer import CaseProjection

BATCH = 2000
REBUILD_SUFFIX = "_new"


class EventSource(Protocol):
    """The notification log, read in order from a position."""

    def read(self, after: int, limit: int) -> tuple[list[EventRecord], int]:
        """Up to `limit` events after `after`, and the last position read (or `after`)."""
        ...

    def head(self) -> int:
        """The last position in the log (0 when empty)."""
        ...


@dataclass
class StoreSource:
    """An eventsourcing application's notification log (SQLite or PostgreSQL)."""

    app: Any
    reader: LogReader | None = None
    decoder: StoredDecoder | None = None

    def read(self, after: int, limit: int) -> tuple[list[EventRecord], int]:
        """Decode the next notifications into EventRecords."""
        if self.reader is None or self.decoder is None:
            self.reader = log_reader(self.app.recorder)
            self.decoder = StoredDecoder(self.app.mapper)
        decode = self.decoder.decode_row
        rows = self.reader.page(after, limit)
        return [decode(r) for r in rows], (rows[-1][0] if rows else after)

    def head(self) -> int:
        """The largest notification id."""
        return int(self.app.recorder.max_notification_id() or 0)


Progress = Callable[[int, int], None]


def catch_up(source: EventSource, projection: CaseProjection, batch: int = BATCH,
             progress: Progress | None = None, stop: threading.Event | None = None) -> int:
    """Apply everything after the tracked position, one transaction a batch; events applied."""
    total, head = 0, source.head()
    position = projection.position()
    while stop is None or not stop.is_set():
        records, last = source.read(position, batch)
        if last <= position:
            break
        total += projection.apply(records, last)
        position = last
        if progress:
            progress(position, max(head, position))
    return total


def follow(source: EventSource, projection: CaseProjection, stop: threading.Event,
           interval: float = 0.5, batch: int = BATCH, progress: Progress | None = None) -> int:
    """Keep catching up until `stop` is set (polling with a short sleep)."""
    total = 0
    while not stop.is_set():
        total += catch_up(source, projection, batch, progress, stop)
        stop.wait(interval)
    return total


def rebuild(source: EventSource, db: Database, calendar: WorkingDays, batch: int = BATCH,
            progress: Progress | None = None, cache: int = CACHE) -> int:
    """Fold every event into fresh tables, then swap them in; the old ones serve until then.

    The bulk load (projections/bulk.py) folds the log up to its head; events recorded in the
    meantime are caught up incrementally before the swap.
    """
    suffix = f"{REBUILD_SUFFIX}_{uuid.uuid4().hex[:6]}"
    drop_tables(db, suffix)
    collecting = gc.isenabled()
    gc.disable()  # millions of short-lived rows, no cycles: collection would only cost time
    try:
        load = BulkLoad(db, calendar, suffix, cache)
        total, position, head = 0, 0, source.head()
        while True:
            records, last = source.read(position, batch)
            if last <= position:
                break
            total += load.add(records)
            position = last
            if progress:
                progress(position, max(head, position))
        load.finish(position)
        total += catch_up(source, CaseProjection(db, calendar, suffix), batch)
        swap_in(db, suffix)
    except BaseException:
        drop_tables(db, suffix)
        raise
    finally:
        if collecting:
            gc.enable()
    return total

"""Which cases `calendar revise` looks at, and their events, read from the event store."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any
from uuid import UUID

from domain.case import Case

PAGE = 5000
# Every case that ever had deadlines set was assigned.
_TOPICS = (f"{Case.__module__}:Case.Assigned",)


def revision_targets(app: Any) -> list[UUID]:
    """The ids of every case ever assigned, in the order of their first assignment."""
    seen: dict[UUID, None] = {}
    start: int | None = None
    while True:
        page = app.recorder.select_notifications(start, PAGE, topics=_TOPICS)
        for n in page:
            seen.setdefault(n.originator_id, None)
        if len(page) < PAGE:
            return list(seen)
        start = page[-1].id + 1


def events_of(app: Any, ids: Sequence[UUID]) -> Iterator[list[Any]]:
    """Each case's domain events (one query on the SQL stores)."""
    found: dict[UUID, list[Any]] = {}
    for stored in app.chained.select_events_of(list(ids)):
        found.setdefault(stored.originator_id, []).append(app.mapper.to_domain_event(stored))
    for oid in ids:
        if oid in found:
            yield found[oid]

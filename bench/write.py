"""The write side: bulk `apply` through the product, and raw eventsourcing saving the same events.

Baseline (raw_save): the events the product stored are read back page by page (batch-size
notifications, untimed), decoded to the same domain-event objects, and saved with a plain
eventsourcing `Application.save(*events)` into a fresh store of the same kind; only the
`save` calls are timed. With one event per action (a fresh store, nothing rejected) a page
holds exactly the events of one `apply` batch, so both sides write the same events in the
same transactions: the ratio is the cost of everything the product adds on top of storing
(parsing, validation, loading cases, rules, deadlines).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.application import Application

from bench.progress import Progress
from wenzheng.bootstrap.service import open_service


class RawStore(Application[UUID]):
    """A plain eventsourcing application: no rules, it stores what it is given."""

    name = "raw"


def apply(p: dict[str, Any]) -> dict[str, Any]:
    """Apply the dataset with `wenzheng apply`'s function (without the read-model update)."""
    from wenzheng.applyfile import BATCH_SIZE, apply_file
    from wenzheng.home import Home

    service = open_service(Home.resolve())
    progress = Progress("apply", p.get("actions"))
    seen = [0]

    def show(done: int) -> None:
        seen[0] = done
        progress.show(done)

    try:
        started = time.perf_counter()
        summary = apply_file(service, Path(p["data"]), progress=show)
        seconds = time.perf_counter() - started
        events = int(service.recorder.max_notification_id() or 0)
    finally:
        service.close()
    progress.show(seen[0], final=True)
    lines = summary.applied + summary.duplicates + len(summary.rejected)
    return {
        "actions": lines, "applied": summary.applied, "duplicates": summary.duplicates,
        "rejected": len(summary.rejected),
        "rejections": [f"line {r.line}: {r.reason}" for r in summary.rejected[:5]],
        "events": events, "batch": BATCH_SIZE, "seconds": seconds,
        "rate": lines / seconds if seconds else None, "unit": "actions/s",
    }


def dest_env(target: dict[str, Any]) -> dict[str, str]:
    """eventsourcing's environment for a fresh store of the target's kind."""
    from wenzheng.store.env import postgres_env
    from wenzheng.store.pgconnect import ensure_schema

    if target["url"]:
        env = postgres_env(target["url"])
        ensure_schema(env)
        return env
    return {"PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(Path(target["home"]) / "raw-events.sqlite")}


def raw_save(p: dict[str, Any]) -> dict[str, Any]:
    """Save the applied store's events again with plain eventsourcing, batch by batch."""
    from wenzheng.home import Home

    batch = int(p["batch"])
    source = open_service(Home.resolve())
    raw = RawStore(env=dest_env(p["dest"]))
    progress = Progress("raw save", p.get("events"))
    timed = 0.0
    count = start = pages = 0
    try:
        while True:
            notes = source.recorder.select_notifications(start, batch, inclusive_of_start=False)
            if not notes:
                break
            events = [source.mapper.to_domain_event(n) for n in notes]
            began = time.perf_counter()
            raw.save(*events)
            timed += time.perf_counter() - began
            count += len(events)
            pages += 1
            start = notes[-1].id
            progress.show(count)
    finally:
        source.close()
        raw.close()
    progress.show(count, final=True)
    return {"events": count, "batches": pages, "batch": batch, "seconds": timed,
            "rate": count / timed if timed else None, "unit": "events/s",
            "how": "Application.save(*events) per page of `batch` events, fresh store"}

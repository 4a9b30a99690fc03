"""Where the end-to-end time goes: when each awaited event was recorded and reached the topic.

A consumer without a group reads the e2e phase's events topic from its beginning and notes,
for every awaited (case id, version), the envelope's `recorded_at` (set by the intake when it
made the event, just before saving it) and the wall time the message arrived here. With the
acknowledgement and visibility times of bench/e2e.py that splits each action's latency into
three stages:

- intake: accepted on the intake topic → event made (poll wait, parse, load, rules);
- relay: event made → on the events topic (the save's commit, the relay's idle poll, its read,
  encode and send);
- projector: on the events topic → visible in rm_cases (fetch, fold, write, commit; plus up to
  the visibility watcher's poll interval).
"""

from __future__ import annotations

import json
import math
import threading
import time
from datetime import datetime
from typing import Any

FETCH_WAIT_MS = 10


class TopicWatcher(threading.Thread):
    """Notes when each awaited event was recorded and when it was seen on the events topic."""

    def __init__(self, bootstrap: str, topic: str, expected_total: int) -> None:
        super().__init__(daemon=True)
        self.bootstrap, self.topic = bootstrap, topic
        self.lock = threading.Lock()
        self.index: dict[tuple[str, int], int] = {}
        self.recorded: list[float | None] = [None] * expected_total
        self.published: list[float | None] = [None] * expected_total
        self.stop = threading.Event()
        self.error: str | None = None

    def expect(self, case: str, version: int, index: int) -> None:
        """Await the event that makes this case this version (action number `index`)."""
        with self.lock:
            self.index[(case, version)] = index

    def run(self) -> None:
        """Read the topic from its beginning until stopped."""
        from kafka import KafkaConsumer, TopicPartition

        try:
            consumer = KafkaConsumer(bootstrap_servers=[self.bootstrap], group_id=None,
                                     enable_auto_commit=False, fetch_max_wait_ms=FETCH_WAIT_MS)
        except Exception as exc:
            self.error = repr(exc)
            return
        try:
            parts = consumer.partitions_for_topic(self.topic) or set()
            assigned = [TopicPartition(self.topic, p) for p in sorted(parts)]
            consumer.assign(assigned)
            consumer.seek_to_beginning(*assigned)
            while not self.stop.is_set():
                for messages in consumer.poll(timeout_ms=100).values():
                    now = time.time()
                    for message in messages:
                        self._note(message.value, now)
        except Exception as exc:
            self.error = repr(exc)
        finally:
            consumer.close()

    def _note(self, value: bytes, now: float) -> None:
        """Record one envelope's times when it is awaited."""
        body = json.loads(value)
        with self.lock:
            index = self.index.get((str(body["case_id"]), int(body["version"])))
        if index is None or self.published[index] is not None:
            return
        self.published[index] = now
        self.recorded[index] = datetime.fromisoformat(body["recorded_at"]).timestamp()


def percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile (share in 0..1)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def stage_figures(first: int, acked: list[float | None], recorded: list[float | None],
                  published: list[float | None], seen: list[float | None]) -> dict[str, Any]:
    """p50 / p99 / max of each stage over the actions from `first` on (wall-clock seconds)."""
    stages = {"intake": (acked, recorded), "relay": (recorded, published),
              "projector": (published, seen)}
    out: dict[str, Any] = {}
    for name, (start, end) in stages.items():
        spans = [b - a for a, b in zip(start[first:], end[first:], strict=True)
                 if a is not None and b is not None]
        out[name] = {"count": len(spans), "p50": percentile(spans, 0.5),
                     "p99": percentile(spans, 0.99), "max": max(spans, default=None)}
    return out

"""The relay: follows the event store's notification log and publishes every event to Kafka.

A batch is sent, flushed (every record acknowledged by the broker, acks=all), and only then
is its last notification id recorded. A crash between the two repeats part of a batch on the
next start, never skips one: publication is at least once, in per-case order (key = case id).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from consumers.envelope import encode
from consumers.positions import RelayPositions

BATCH_SIZE = 500
FLUSH_TIMEOUT_S = 60.0
IDLE_WAIT_S = 0.5
NUMBER_CACHE_MAX = 100_000


class PublicationFailed(RuntimeError):
    """The broker did not acknowledge every record of a batch; the position is not advanced."""


@dataclass
class RelayReport:
    """What one run of the relay did."""

    published: int = 0
    batches: int = 0
    position: int = 0


class Relay:
    """Publishes the store's events after the recorded position, batch by batch."""

    def __init__(
        self,
        service: Any,
        producer: Any,
        positions: RelayPositions,
        topic: str,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self.service = service
        self.producer = producer
        self.positions = positions
        self.topic = topic
        self.batch_size = batch_size
        self._numbers: dict[UUID, str] = {}

    @property
    def position(self) -> int:
        """The last notification id recorded as published."""
        return self.positions.get(self.topic)

    def head(self) -> int:
        """The store's last notification id (0 when empty)."""
        return int(self.service.recorder.max_notification_id() or 0)

    def publish_batch(self) -> int:
        """Publish the next batch, wait for the broker, record the position; return its size."""
        start = self.position
        notifications = self.service.recorder.select_notifications(
            start, self.batch_size, inclusive_of_start=False)
        if not notifications:
            return 0
        futures = []
        for notification in notifications:
            event = self.service.mapper.to_domain_event(notification)
            message = encode(event, notification.id, self.case_number(event))
            futures.append(self.producer.send(self.topic, key=message.key, value=message.value,
                                              headers=list(message.headers)))
        self.producer.flush(timeout=FLUSH_TIMEOUT_S)
        for future in futures:
            if not future.is_done:
                raise PublicationFailed(f"代理未在 {FLUSH_TIMEOUT_S:.0f} 秒内确认全部消息")
            if future.failed():
                raise PublicationFailed(f"发布失败：{future.exception!r}")
        self.positions.advance(self.topic, notifications[-1].id)
        return len(notifications)

    def run(
        self,
        stop: threading.Event,
        once: bool = False,
        on_batch: Callable[[int, int], None] | None = None,
        idle_wait: float = IDLE_WAIT_S,
    ) -> RelayReport:
        """Publish until stopped (or, with once, until the store's head); stop between batches."""
        report = RelayReport()
        while not stop.is_set():
            count = self.publish_batch()
            if count:
                report.published += count
                report.batches += 1
                if on_batch is not None:
                    on_batch(count, self.position)
                continue
            if once:
                break
            stop.wait(idle_wait)
        report.position = self.position
        return report

    def republish(self) -> None:
        """Forget the topic's position so that the next run publishes the whole store again."""
        self.positions.reset(self.topic)

    def case_number(self, event: Any) -> str:
        """The external number of the event's case (only Registered carries it)."""
        case = event.originator_id
        number = getattr(event, "number", None)
        if number is None:
            number = self._numbers.get(case)
        if number is None:
            first = next(iter(self.service.events.get(case, lte=1)), None)
            number = getattr(first, "number", None) or ""
        if len(self._numbers) >= NUMBER_CACHE_MAX:
            self._numbers.clear()
        self._numbers[case] = number
        return str(number)

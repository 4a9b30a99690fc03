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

from consumers.envelope import Message, encode, encode_record
from consumers.positions import RelayPositions
from domain.vocabulary import EventType
from projections.record import StoredDecoder

BATCH_SIZE = 500
FLUSH_TIMEOUT_S = 60.0
IDLE_WAIT_S = 0.1  # seconds between polls of a caught-up store: adds at most this to latency
NUMBER_CACHE_MAX = 100_000


class PublicationFailed(RuntimeError):
    """The broker did not acknowledge every record of a batch; the position is not advanced."""


@dataclass
class RelayReport:
    """What one run of the relay did."""

    published: int = 0
    position: int = 0


@dataclass
class _InFlight:
    """A batch handed to the producer: its last notification id and its records' futures."""

    last: int
    futures: list[Any]


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
        self._decoder = StoredDecoder(service.mapper) if service is not None else None

    @property
    def position(self) -> int:
        """The last notification id recorded as published."""
        return self.positions.get(self.topic)

    def head(self) -> int:
        """The store's last notification id (0 when empty)."""
        return int(self.service.recorder.max_notification_id() or 0)

    def prepare(self, after: int) -> tuple[list[Any], list[Message]] | None:
        """The notifications after a position and their records, or None when there are none."""
        notifications = self.service.recorder.select_notifications(
            after, self.batch_size, inclusive_of_start=False)
        if not notifications:
            return None
        return notifications, [self.message(n) for n in notifications]

    def send(self, batch: tuple[list[Any], list[Message]]) -> _InFlight:
        """Hand a prepared batch to the producer (not yet acknowledged)."""
        notifications, messages = batch
        futures = [self.producer.send(self.topic, key=m.key, value=m.value,
                                      headers=list(m.headers)) for m in messages]
        return _InFlight(notifications[-1].id, futures)

    def confirm(self, sent: _InFlight) -> None:
        """Wait until the broker acknowledged every record of a batch, then record its end."""
        self.producer.flush(timeout=FLUSH_TIMEOUT_S)
        for future in sent.futures:
            if not future.is_done:
                raise PublicationFailed(f"代理未在 {FLUSH_TIMEOUT_S:.0f} 秒内确认全部消息")
            if future.failed():
                raise PublicationFailed(f"发布失败：{future.exception!r}")
        self.positions.advance(self.topic, sent.last)

    def run(
        self,
        stop: threading.Event,
        once: bool = False,
        on_batch: Callable[[int, int], None] | None = None,
        idle_wait: float = IDLE_WAIT_S,
    ) -> RelayReport:
        """Publish until stopped (or, with once, until the store's head); stop between batches.

        The next batch is read and encoded while the broker acknowledges the one before; a
        batch is sent only after the one before it is confirmed and its position recorded.
        """
        report = RelayReport()
        in_flight: _InFlight | None = None
        while not stop.is_set():
            batch = self.prepare(in_flight.last if in_flight else self.position)
            if in_flight is not None:
                self._settle(in_flight, report, on_batch)
                in_flight = None
            if batch is not None:
                in_flight = self.send(batch)
                continue
            if once:
                break
            stop.wait(idle_wait)
        if in_flight is not None:
            self._settle(in_flight, report, on_batch)
        report.position = self.position
        return report

    def _settle(self, sent: _InFlight, report: RelayReport,
                on_batch: Callable[[int, int], None] | None) -> None:
        """Confirm a batch and count it."""
        self.confirm(sent)
        report.published += len(sent.futures)
        if on_batch is not None:
            on_batch(len(sent.futures), sent.last)

    def republish(self) -> None:
        """Forget the topic's position so that the next run publishes the whole store again."""
        self.positions.reset(self.topic)

    def message(self, notification: Any) -> Message:
        """The Kafka record of one notification (decoded straight from its JSON when it can)."""
        record = None
        if self._decoder is not None:
            record = self._decoder.direct_row((notification.id, notification.originator_id,
                                               notification.originator_version,
                                               notification.topic, notification.state))
        if record is None:
            event = self.service.mapper.to_domain_event(notification)
            return encode(event, notification.id, self.case_number(event))
        number = record.fields.get("number") if record.type == EventType.REGISTERED else None
        case = notification.originator_id
        case = case if isinstance(case, UUID) else UUID(str(case))
        return encode_record(record, case, self._number_of(case, number))

    def case_number(self, event: Any) -> str:
        """The external number of the event's case (only Registered carries it)."""
        return self._number_of(event.originator_id, getattr(event, "number", None))

    def _number_of(self, case: UUID, number: Any) -> str:
        """The case's external number: the one given, else remembered, else its first event's."""
        if number is None:
            number = self._numbers.get(case)
        if number is None:
            first = next(iter(self.service.events.get(case, lte=1)), None)
            number = getattr(first, "number", None) or ""
        if len(self._numbers) >= NUMBER_CACHE_MAX:
            self._numbers.clear()
        self._numbers[case] = number
        return str(number)

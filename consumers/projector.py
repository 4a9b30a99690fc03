"""The Kafka projector: a consumer group feeding the same case projection as the store follower.

Each polled batch is decoded (envelope → EventRecord), folded and written together with the
next offset of every partition in one database transaction (table `wenzheng_kafka_offsets`
of the read-model database); the Kafka commit follows, auto-commit is off. The projection is
idempotent by (case id, version), so redeliveries and the relay's repeats change nothing.
On assignment a partition resumes from the database's offset when the topic is the same
topic (same topic id); a recreated or refilled topic is read from its beginning.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kafka import TopicPartition
from kafka.consumer.subscription_state import ConsumerRebalanceListener
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata

from consumers.envelope_check import record_of
from consumers.kafkaio import poll_until_stopped
from projections.db import Database
from projections.record import EventRecord
from projections.writer import CaseProjection

OFFSETS = "wenzheng_kafka_offsets"
POLL_TIMEOUT_MS = 1000
# The service's log (format and handler set by the command line: wenzheng/logs.py).
log = logging.getLogger("wenzheng.projector")


@dataclass(frozen=True)
class Stored:
    """A partition's tracking row: next offset to read, topic id, highest store position."""

    next_offset: int
    topic_id: str
    max_position: int


class KafkaCaseProjection(CaseProjection):
    """The case projection with Kafka offsets tracked in the same transaction."""

    def __init__(self, db: Database, calendar: Any, group: str, topic: str) -> None:
        super().__init__(db, calendar)
        self.group, self.topic = group, topic
        db.execute(f"CREATE TABLE IF NOT EXISTS {OFFSETS} (grp TEXT NOT NULL, topic TEXT NOT NULL,"
                   " part INTEGER NOT NULL, next_offset BIGINT NOT NULL, topic_id TEXT NOT NULL,"
                   " max_position BIGINT NOT NULL, PRIMARY KEY (grp, topic, part))")

    def stored(self) -> dict[int, Stored]:
        """Every partition's tracking row."""
        rows = self.db.fetchall(
            f"SELECT part, next_offset, topic_id, max_position FROM {OFFSETS} "
            "WHERE grp = ? AND topic = ?", (self.group, self.topic))
        return {int(p): Stored(int(o), str(t), int(m)) for p, o, t, m in rows}

    def max_position(self) -> int:
        """The highest store position applied through Kafka (for status)."""
        return max((s.max_position for s in self.stored().values()), default=0)

    def apply_partitions(self, batch: Mapping[int, Sequence[EventRecord]],
                         next_offsets: dict[int, int], topic_id: str) -> int:
        """Write the events and each partition's next offset in one transaction."""
        parts = sorted(next_offsets)
        with self.db.transaction():
            self.db.executemany(
                f"INSERT INTO {OFFSETS} (grp, topic, part, next_offset, topic_id, max_position) "
                "VALUES (?, ?, ?, 0, ?, 0) ON CONFLICT (grp, topic, part) DO NOTHING",
                [(self.group, self.topic, p, topic_id) for p in parts])
            if self.db.dialect == "postgres":  # serialise with a member that lost the partition
                marks = ", ".join("?" for _ in parts)
                self.db.fetchall(f"SELECT part FROM {OFFSETS} WHERE grp = ? AND topic = ? AND "
                                 f"part IN ({marks}) ORDER BY part FOR UPDATE",
                                 (self.group, self.topic, *parts))
            records = [r for p in parts for r in batch.get(p, ())]
            applied = self.write_events(records) if records else 0
            self.db.executemany(
                f"UPDATE {OFFSETS} SET next_offset = ?, topic_id = ?, "
                "max_position = CASE WHEN max_position > ? THEN max_position ELSE ? END "
                "WHERE grp = ? AND topic = ? AND part = ?",
                [(next_offsets[p], topic_id, top, top, self.group, self.topic, p)
                 for p in parts for top in [max((r.position for r in batch.get(p, ())),
                                                default=0)]])
        return applied


class _Seeker(ConsumerRebalanceListener):
    """On assignment, resume each partition from the database (or from the beginning)."""

    def __init__(self, projector: KafkaProjector) -> None:
        self.projector = projector

    def on_partitions_revoked(self, _revoked: Any) -> None:
        """Nothing to do: every processed batch is already committed to the database."""

    def on_partitions_assigned(self, assigned: Any) -> None:
        """Seek to the stored offsets of the same topic; else to the beginning."""
        self.projector.resume(list(assigned))


class KafkaProjector:
    """Polls the event topic and applies batches through KafkaCaseProjection."""

    def __init__(self, projection: KafkaCaseProjection, consumer: Any,
                 topic_id: Any, max_records: int = 500) -> None:
        self.projection = projection
        self.consumer = consumer
        self.topic_id = topic_id  # callable returning the topic's current id
        self.max_records = max_records
        self.current_id = ""
        consumer.subscribe([projection.topic], listener=_Seeker(self))

    def resume(self, partitions: list[TopicPartition]) -> None:
        """Seek assigned partitions to where the database says they were."""
        self.current_id = str(self.topic_id() or "")
        # The list ends the line (no fields after it): operators and tests read it from there.
        log.info("分配到分区 %s", sorted(tp.partition for tp in partitions))
        stored = self.projection.stored()
        for tp in partitions:
            row = stored.get(tp.partition)
            if row is not None and row.topic_id == self.current_id:
                self.consumer.seek(tp, row.next_offset)
            else:
                self.consumer.seek_to_beginning(tp)

    def poll_once(self) -> int | None:
        """One poll: apply and commit it; events applied, or None when nothing came."""
        polled = self.consumer.poll(timeout_ms=POLL_TIMEOUT_MS, max_records=self.max_records)
        if not any(polled.values()):
            return None
        batch: dict[int, list[EventRecord]] = {}
        next_offsets: dict[int, int] = {}
        for tp, messages in polled.items():
            for m in messages:
                batch.setdefault(tp.partition, []).append(record_of(m.value))
            if messages:
                next_offsets[tp.partition] = messages[-1].offset + 1
        applied = self.projection.apply_partitions(batch, next_offsets, self.current_id)
        try:
            self.consumer.commit({TopicPartition(self.projection.topic, p):
                                  OffsetAndMetadata(o, "", -1) for p, o in next_offsets.items()})
        except KafkaError as exc:  # the offsets that count are in the database
            log.warning("向 Kafka 提交位移失败（数据库中的位移仍然有效）：%s", exc,
                        extra={"fields": {"offsets": len(next_offsets)}})
        return applied

    def run(self, stop: threading.Event, once: bool = False) -> int:
        """Consume until stopped (or, with once, until the group has drained the topic)."""
        counted = [0]

        def add(applied: int) -> None:
            counted[0] += applied

        poll_until_stopped(self.consumer, self.poll_once, add, stop, once, log)
        total = counted[0]
        return total

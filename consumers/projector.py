"""The Kafka projector: a consumer group feeding the same case projection as the store follower.

Each polled batch is decoded (envelope → EventRecord, consumers/envelope_check.py), then
folded and written together with the next offset of every partition in one database
transaction (table `wenzheng_kafka_offsets` of the read-model database) by a writer thread,
while the next batch is fetched; the Kafka commit follows, auto-commit is off. The projection is
idempotent by (case id, version), so redeliveries and the relay's repeats change nothing.
On assignment a partition resumes from the database's offset when the topic is the same
topic (same topic id); a recreated or refilled topic is read from its beginning.
"""

from __future__ import annotations

import queue
import sys
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
            applied = self._write(records) if records else 0
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

    def on_partitions_revoked(self, revoked: Any) -> None:
        """Let the batches in hand reach the database before the partitions move."""
        self.projector.writer.drain()

    def on_partitions_assigned(self, assigned: Any) -> None:
        """Seek to the stored offsets of the same topic; else to the beginning."""
        self.projector.resume(list(assigned))


Batch = tuple[dict[int, list[EventRecord]], dict[int, int], str]


class _Writer:
    """Applies polled batches in order in a thread of its own while the next poll is fetched.

    At most one batch waits while another is written, so memory stays at a few batches.
    SQLite and psycopg leave the interpreter while the database works, so fetching and
    decoding go on meanwhile. Errors surface in the polling thread at its next call.
    """

    def __init__(self, projection: KafkaCaseProjection) -> None:
        self.projection = projection
        self.todo: queue.Queue[Batch | None] = queue.Queue(maxsize=1)
        self.lock = threading.Lock()
        self.offsets: dict[int, int] = {}  # written to the database, not yet committed to Kafka
        self.applied = 0
        self.error: BaseException | None = None
        self.thread: threading.Thread | None = None

    def submit(self, batch: Batch) -> None:
        """Queue a batch (waits while another one is queued)."""
        self.check()
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="projector-writer",
                                           daemon=True)
            self.thread.start()
        self.todo.put(batch)

    def _run(self) -> None:
        while (item := self.todo.get()) is not None:
            try:
                if self.error is None:
                    applied = self.projection.apply_partitions(*item)
                    with self.lock:
                        self.offsets.update(item[1])
                        self.applied += applied
            except BaseException as exc:  # handed to the polling thread
                self.error = exc
            finally:
                self.todo.task_done()
        self.todo.task_done()

    def check(self) -> None:
        """Raise the writer's error, if it had one."""
        if self.error is not None:
            raise self.error

    def drain(self) -> None:
        """Wait until every queued batch is in the database."""
        self.todo.join()
        self.check()

    def take(self) -> tuple[dict[int, int], int]:
        """Offsets written since the last call (to commit to Kafka) and events applied."""
        with self.lock:
            offsets, applied = self.offsets, self.applied
            self.offsets, self.applied = {}, 0
        return offsets, applied

    def close(self) -> None:
        """Stop the thread once the queue is empty."""
        if self.thread is not None:
            self.todo.put(None)
            self.thread.join()
            self.thread = None


class KafkaProjector:
    """Polls the event topic and applies batches through KafkaCaseProjection."""

    def __init__(self, projection: KafkaCaseProjection, consumer: Any,
                 topic_id: Any, max_records: int = 500) -> None:
        self.projection = projection
        self.consumer = consumer
        self.topic_id = topic_id  # callable returning the topic's current id
        self.max_records = max_records
        self.current_id = ""
        self.writer = _Writer(projection)
        consumer.subscribe([projection.topic], listener=_Seeker(self))

    def resume(self, partitions: list[TopicPartition]) -> None:
        """Seek assigned partitions to where the database says they were."""
        self.writer.drain()
        self.current_id = str(self.topic_id() or "")
        print(f"分配到分区 {sorted(tp.partition for tp in partitions)}", file=sys.stderr,
              flush=True)
        stored = self.projection.stored()
        for tp in partitions:
            row = stored.get(tp.partition)
            if row is not None and row.topic_id == self.current_id:
                self.consumer.seek(tp, row.next_offset)
            else:
                self.consumer.seek_to_beginning(tp)

    def poll_once(self) -> int | None:
        """One poll handed to the writer; events applied since the last call, or None when
        nothing came."""
        applied = self._commit()
        polled = self.consumer.poll(timeout_ms=POLL_TIMEOUT_MS, max_records=self.max_records)
        if not any(polled.values()):
            return applied or None
        batch: dict[int, list[EventRecord]] = {}
        next_offsets: dict[int, int] = {}
        for tp, messages in polled.items():
            if messages:
                batch[tp.partition] = [record_of(m.value) for m in messages]
                next_offsets[tp.partition] = messages[-1].offset + 1
        self.writer.submit((batch, next_offsets, self.current_id))
        return applied

    def _commit(self) -> int:
        """Commit to Kafka the offsets already in the database; events applied meanwhile."""
        self.writer.check()
        offsets, applied = self.writer.take()
        if offsets:
            try:
                self.consumer.commit({TopicPartition(self.projection.topic, p):
                                      OffsetAndMetadata(o, "", -1) for p, o in offsets.items()})
            except KafkaError as exc:  # the offsets that count are in the database
                print(f"向 Kafka 提交位移失败（数据库中的位移仍然有效）：{exc}",
                      file=sys.stderr)
        return applied

    def run(self, stop: threading.Event, once: bool = False) -> int:
        """Consume until stopped (or, with once, until the assigned partitions are drained)."""
        counted = [0]

        def add(applied: int) -> None:
            counted[0] += applied

        try:
            poll_until_stopped(self.consumer, self.poll_once, add, stop, once)
            self.writer.drain()
            add(self._commit())
        finally:
            self.writer.close()
        return counted[0]

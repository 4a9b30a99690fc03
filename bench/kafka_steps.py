"""Kafka: the relay beside raw producing, the projector beside raw consuming, same messages.

Baselines:
- raw_produce: the relay's messages — the store's events in pages of the relay's batch size,
  encoded by the same `encode` with the same case numbers (untimed) — sent with kafka-python by
  a producer made by the same factory (`make_producer`: acks=all, idempotence, the same linger
  and in-flight limit), each batch sent and flushed like the relay's; only send + flush are
  timed. It runs against a broker of its own before the relay's, so a memory-storage broker
  never holds both copies.
- raw_consume: a kafka-python consumer assigned every partition of the relay's topic (no group),
  polling with the projector's max_records and `json.loads` of every value; timed from the
  assignment to the last message.
The projector is timed the same way: from its partitions being assigned to its last batch
written (so the group join and the final idle polls of `--once` are left out).
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any, cast

from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.subscription_state import ConsumerRebalanceListener

from bench.progress import Progress
from wenzheng.bootstrap.service import open_service, store_env

RELAY_BATCH = 500
PROJECTOR_BATCH = 500
EMPTY_POLLS_TO_STOP = 10


def settings_for(p: dict[str, Any], topic: str) -> Any:
    """Kafka settings: the home's section, the benchmark's broker and topic."""
    from consumers.settings import KafkaSettings
    from wenzheng.home import Home

    return KafkaSettings.resolve(Home.resolve().settings().section("kafka"),
                                 bootstrap=p["bootstrap"], events_topic=topic)


def relay(p: dict[str, Any]) -> dict[str, Any]:
    """Publish the whole applied store with the product's relay (`wenzheng relay --once`)."""
    from consumers.kafkaio import ensure_topics, make_producer
    from consumers.positions import open_positions
    from consumers.relay import Relay
    from wenzheng.home import Home

    home = Home.resolve()
    settings = settings_for(p, p["topic"])
    ensure_topics(settings, [p["topic"]])
    service = open_service(home)
    positions = open_positions(store_env(home))
    producer = make_producer(settings)
    progress = Progress("relay", p.get("events"))
    done = [0]

    def on_batch(count: int, _position: int) -> None:
        done[0] += count
        progress.show(done[0])

    try:
        runner = Relay(service, producer, positions, p["topic"], batch_size=RELAY_BATCH)
        started = time.perf_counter()
        report = runner.run(threading.Event(), once=True, on_batch=on_batch)
        seconds = time.perf_counter() - started
    finally:
        producer.close(timeout=10)
        positions.close()
        service.close()
    progress.show(done[0], final=True)
    return {"events": report.published, "batch": RELAY_BATCH, "seconds": seconds,
            "rate": report.published / seconds if seconds else None, "unit": "events/s",
            "partitions": settings.partitions}


def assigned_reader(bootstrap: str, topic: str, **options: Any) -> KafkaConsumer:
    """A consumer without a group, assigned every partition of the topic from the start."""
    consumer = KafkaConsumer(bootstrap_servers=[bootstrap], enable_auto_commit=False, **options)
    parts = consumer.partitions_for_topic(topic) or set()
    tps = [TopicPartition(topic, n) for n in sorted(parts)]
    consumer.assign(tps)
    consumer.seek_to_beginning(*tps)
    return consumer


def raw_produce(p: dict[str, Any]) -> dict[str, Any]:
    """Send the relay's messages with kafka-python, timing only send + flush of each batch."""
    from consumers.envelope import encode
    from consumers.kafkaio import ensure_topics, make_producer
    from consumers.relay import Relay
    from wenzheng.home import Home

    topic = p.get("copy_topic") or p["topic"]
    settings = settings_for(p, topic)
    ensure_topics(settings, [topic])
    producer = make_producer(settings)
    service = open_service(Home.resolve())
    numbers = Relay(service, None, cast(Any, None), topic)  # for its case-number lookup
    progress = Progress("raw produce", p.get("events"))
    timed = 0.0
    sent = start = 0
    try:
        while True:
            notes = service.recorder.select_notifications(start, RELAY_BATCH,
                                                          inclusive_of_start=False)
            if not notes:
                break
            batch = []
            for n in notes:
                event = service.mapper.to_domain_event(n)
                batch.append(encode(event, n.id, numbers.case_number(event)))
            start = notes[-1].id
            began = time.perf_counter()
            futures = [producer.send(topic, key=m.key, value=m.value, headers=list(m.headers))
                       for m in batch]
            producer.flush(timeout=60)
            timed += time.perf_counter() - began
            failed = [f for f in futures if not f.is_done or f.failed()]
            if failed:
                raise RuntimeError(f"{len(failed)} messages not acknowledged")
            sent += len(batch)
            progress.show(sent)
    finally:
        producer.close(timeout=10)
        service.close()
    progress.show(sent, final=True)
    return {"events": sent, "batch": RELAY_BATCH, "seconds": timed,
            "rate": sent / timed if timed else None, "unit": "events/s",
            "how": "the relay's messages (same encode), make_producer(); send + flush per batch"}


class _Timed(ConsumerRebalanceListener):
    """Wraps the projector's rebalance listener to note when partitions were assigned."""

    def __init__(self, inner: Any, marks: dict[str, float]) -> None:
        self.inner, self.marks = inner, marks

    def on_partitions_revoked(self, revoked: Any) -> None:
        """Pass on."""
        if self.inner is not None:
            self.inner.on_partitions_revoked(revoked)

    def on_partitions_assigned(self, assigned: Any) -> None:
        """Pass on, then note the time of the first assignment."""
        if self.inner is not None:
            self.inner.on_partitions_assigned(assigned)
        self.marks.setdefault("assigned", time.perf_counter())


class TimedConsumer:
    """A KafkaConsumer that notes the assignment, each batch's end and the messages seen."""

    def __init__(self, consumer: KafkaConsumer, expected: int | None) -> None:
        self._consumer = consumer
        self.marks: dict[str, float] = {}
        self.messages = 0
        self.progress = Progress("projector", expected)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._consumer, name)

    def subscribe(self, topics: Any = (), pattern: Any = None, listener: Any = None) -> Any:
        """Subscribe with the listener wrapped."""
        return self._consumer.subscribe(topics, pattern=pattern,
                                        listener=_Timed(listener, self.marks))

    def assign(self, partitions: Any) -> Any:
        """Manual assignment counts as assigned now."""
        self.marks.setdefault("assigned", time.perf_counter())
        return self._consumer.assign(partitions)

    def poll(self, *args: Any, **kwargs: Any) -> Any:
        """Poll, counting what came."""
        polled = self._consumer.poll(*args, **kwargs)
        count = sum(len(v) for v in polled.values())
        if count:
            self.messages += count
            self.progress.show(self.messages)
        return polled

    def commit(self, *args: Any, **kwargs: Any) -> Any:
        """Commit (after the batch is in the database): the batch's end."""
        result = self._consumer.commit(*args, **kwargs)
        self.marks["last"] = time.perf_counter()
        return result


def projector(p: dict[str, Any]) -> dict[str, Any]:
    """The product's Kafka projector (`wenzheng consume --transport kafka --once`)."""
    from kafka import KafkaAdminClient

    from consumers.kafkaio import make_consumer
    from consumers.projector import KafkaCaseProjection, KafkaProjector
    from projections.db import Database
    from wenzheng.home import Home

    topic, group = p["topic"], p["group"]
    settings = settings_for(p, topic)
    target = p["readmodels"]
    db = Database.postgres(target) if target.startswith("postgres") else Database.sqlite(target)
    calendar = Home.resolve().settings().deadline_policy().calendar
    admin = KafkaAdminClient(bootstrap_servers=settings.servers(), client_id="bench-projector")
    consumer = TimedConsumer(make_consumer(settings, group), p.get("messages"))

    def topic_id() -> str:
        found = admin.describe_topics([topic])
        return str(found[0].get("topic_id") or "") if found else ""

    try:
        projection = KafkaCaseProjection(db, calendar, group, topic)
        runner = KafkaProjector(projection, consumer, topic_id, PROJECTOR_BATCH)
        started = time.perf_counter()
        applied = runner.run(threading.Event(), once=True)
        wall = time.perf_counter() - started
    finally:
        consumer.close(autocommit=False)
        admin.close()
        db.close()
    consumer.progress.show(consumer.messages, final=True)
    seconds = consumer.marks.get("last", 0.0) - consumer.marks.get("assigned", 0.0)
    return {"events": consumer.messages, "applied": applied, "batch": PROJECTOR_BATCH,
            "seconds": seconds, "wall_seconds": wall,
            "rate": consumer.messages / seconds if seconds > 0 else None, "unit": "events/s"}


def raw_consume(p: dict[str, Any]) -> dict[str, Any]:
    """kafka-python reading the relay's topic and json-decoding every value."""
    expected = int(p["messages"])
    reader = assigned_reader(p["bootstrap"], p["topic"])
    progress = Progress("raw consume", expected)
    count = empty = 0
    try:
        started = last = time.perf_counter()
        while count < expected and empty < EMPTY_POLLS_TO_STOP:
            polled = reader.poll(timeout_ms=1000, max_records=PROJECTOR_BATCH)
            got = 0
            for messages in polled.values():
                for m in messages:
                    json.loads(m.value)
                got += len(messages)
            if got:
                count += got
                last = time.perf_counter()
                progress.show(count)
                empty = 0
            else:
                empty += 1
    finally:
        reader.close()
    progress.show(count, final=True)
    seconds = last - started
    return {"events": count, "batch": PROJECTOR_BATCH, "seconds": seconds,
            "rate": count / seconds if seconds > 0 else None, "unit": "events/s",
            "how": "assigned partitions, poll(max_records=500), json.loads each value"}

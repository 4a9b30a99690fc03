"""Thin kafka-python helpers: producer, topics, offsets and consumer lag."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from consumers.settings import KafkaSettings

CLIENT_ID = "wenzheng"
STATUS_BOOTSTRAP_TIMEOUT_MS = 5000
# Log of the Kafka helpers when no service passes its own (format set by wenzheng/logs.py).
LOG = logging.getLogger("wenzheng.kafka")


def make_producer(settings: KafkaSettings) -> KafkaProducer:
    """An idempotent producer that waits for all in-sync replicas (acks=all)."""
    return KafkaProducer(
        bootstrap_servers=settings.servers(), client_id=f"{CLIENT_ID}-producer",
        acks="all", enable_idempotence=True, max_in_flight_requests_per_connection=5,
        linger_ms=10, request_timeout_ms=30_000,
    )


def make_consumer(settings: KafkaSettings, group: str, *topics: str, **extra: Any
                  ) -> KafkaConsumer:
    """A consumer-group member with auto-commit off, reading from the earliest offset."""
    options: dict[str, Any] = {
        "bootstrap_servers": settings.servers(), "client_id": f"{CLIENT_ID}-{group}",
        "group_id": group, "enable_auto_commit": False, "auto_offset_reset": "earliest",
        "session_timeout_ms": settings.session_timeout_ms,
        "heartbeat_interval_ms": max(settings.session_timeout_ms // 3, 500),
        "max_poll_interval_ms": 300_000,
    }
    options.update(extra)
    return KafkaConsumer(*topics, **options)


def ensure_topics(settings: KafkaSettings, topics: Iterable[str]) -> list[str]:
    """Create the topics that do not exist yet (settings.partitions each); return the new ones."""
    admin = KafkaAdminClient(bootstrap_servers=settings.servers(), client_id=f"{CLIENT_ID}-admin")
    try:
        existing = set(admin.list_topics())
        wanted = [t for t in dict.fromkeys(topics) if t not in existing]
        created = []
        for topic in wanted:
            try:
                admin.create_topics([NewTopic(topic, num_partitions=settings.partitions,
                                              replication_factor=-1)])
                created.append(topic)
            except TopicAlreadyExistsError:
                pass
        return created
    finally:
        admin.close()


def end_offsets(settings: KafkaSettings, topic: str) -> dict[int, int] | None:
    """Each partition's end offset, or None when the topic does not exist."""
    consumer = KafkaConsumer(bootstrap_servers=settings.servers(),
                             client_id=f"{CLIENT_ID}-status", enable_auto_commit=False,
                             bootstrap_timeout_ms=STATUS_BOOTSTRAP_TIMEOUT_MS)
    try:
        partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            return None
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        return {tp.partition: int(off) for tp, off in consumer.end_offsets(tps).items()}
    finally:
        consumer.close()


def group_offsets(settings: KafkaSettings, group: str, topic: str) -> dict[int, int]:
    """The consumer group's committed offset per partition of the topic."""
    admin = KafkaAdminClient(bootstrap_servers=settings.servers(), client_id=f"{CLIENT_ID}-admin",
                             bootstrap_timeout_ms=STATUS_BOOTSTRAP_TIMEOUT_MS)
    try:
        committed = admin.list_group_offsets({group: None}).get(group, {})
    finally:
        admin.close()
    return {tp.partition: int(meta.offset) for tp, meta in committed.items()
            if tp.topic == topic and meta.offset is not None and meta.offset >= 0}


def consumer_lag(settings: KafkaSettings, group: str, topic: str) -> int | None:
    """Messages on the topic that the group has not committed yet (None: no topic)."""
    ends = end_offsets(settings, topic)
    if ends is None:
        return None
    done = group_offsets(settings, group, topic)
    return sum(max(end - done.get(p, 0), 0) for p, end in ends.items())


QUIET_POLLS_FOR_ONCE = 2
ASSIGNMENT_WAIT_POLLS = 60


def poll_until_stopped(
    consumer: KafkaConsumer, poll_once: Callable[[], Any], add: Callable[[Any], None],
    stop: threading.Event, once: bool, log: logging.Logger = LOG,
) -> None:
    """Call poll_once until stopped, or with once until the group has drained the topic."""
    quiet = waited = 0
    while not stop.is_set():
        result = poll_once()
        if result is not None:
            add(result)
            quiet = 0
            continue
        if not once:
            continue
        if not consumer.assignment():
            waited += 1
            if waited >= ASSIGNMENT_WAIT_POLLS:
                log.info("未分配到任何分区，退出", extra={"fields": {"polls": waited}})
                break
            continue
        quiet += 1
        if quiet >= QUIET_POLLS_FOR_ONCE and drained(consumer, log):
            break


def drained(consumer: KafkaConsumer, log: logging.Logger = LOG) -> bool:
    """Whether the group has reached the end of every partition of the subscribed topics.

    Quiet polls alone do not prove it: during a rebalance or a slow first fetch a poll returns
    nothing although messages wait, and a member killed a moment ago can still hold partitions
    until its session runs out. Assigned partitions count by this consumer's position, the
    others by the group's committed offset.
    """
    assigned = set(consumer.assignment())
    if not assigned:
        return False
    topics = consumer.subscription() or {tp.topic for tp in assigned}
    try:
        every = [TopicPartition(t, p) for t in sorted(topics)
                 for p in sorted(consumer.partitions_for_topic(t) or ())]
        ends = consumer.end_offsets(every)
        for tp in every:
            done = consumer.position(tp) if tp in assigned else consumer.committed(tp)
            if (done or 0) < int(ends[tp]):
                return False
        return True
    except KafkaError as exc:  # rebalancing or the broker moving: not known to be drained
        log.warning("查询分区末尾失败，继续消费：%s: %s", type(exc).__name__, exc)
        return False

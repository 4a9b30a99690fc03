"""The broker fixture gives a working Kafka-protocol broker."""

from __future__ import annotations

import time
import uuid

import pytest
from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic

from consumers.kafkaio import drained
from tests.fixtures.kafka import KAFKA_SESSION_TIMEOUT_MS

pytestmark = pytest.mark.kafka


def test_a_message_produced_to_the_broker_is_consumed_by_a_consumer_group(
    kafka_bootstrap: str,
) -> None:
    topic = f"wenzheng-test-{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    try:
        admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    finally:
        admin.close()
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap)
    try:
        producer.send(topic, key=b"case-1", value="登记".encode()).get(timeout=30)
    finally:
        producer.close()
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=kafka_bootstrap,
        group_id=f"group-{topic}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        session_timeout_ms=KAFKA_SESSION_TIMEOUT_MS,
        heartbeat_interval_ms=1000,
        consumer_timeout_ms=60_000,
    )
    try:
        message = next(iter(consumer))
        consumer.commit()
    finally:
        consumer.close()
    assert (message.key, message.value.decode()) == (b"case-1", "登记")


def _topic_with_messages(bootstrap: str, partitions: int, count: int) -> str:
    """A new topic with COUNT messages spread round-robin over its partitions."""
    topic = f"wenzheng-drain-{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)])
    finally:
        admin.close()
    producer = KafkaProducer(bootstrap_servers=bootstrap)
    try:
        for n in range(count):
            producer.send(topic, value=str(n).encode(), partition=n % partitions)
        producer.flush(timeout=30)
    finally:
        producer.close()
    return topic


def _member(bootstrap: str, topic: str) -> KafkaConsumer:
    """A consumer-group member of the topic's test group, auto-commit off."""
    return KafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=f"group-{topic}",
        auto_offset_reset="earliest", enable_auto_commit=False,
        session_timeout_ms=KAFKA_SESSION_TIMEOUT_MS, heartbeat_interval_ms=1000,
    )


def _poll(consumer: KafkaConsumer, seen: list[bytes], max_records: int = 500) -> None:
    """One short poll, collecting the values."""
    for records in consumer.poll(timeout_ms=300, max_records=max_records).values():
        seen += [r.value for r in records]


def test_a_consumer_is_drained_only_once_its_position_reaches_every_partitions_end(
    kafka_bootstrap: str,
) -> None:
    topic = _topic_with_messages(kafka_bootstrap, 2, 6)
    consumer = _member(kafka_bootstrap, topic)
    try:
        assert not drained(consumer)  # not even assigned yet
        seen: list[bytes] = []
        while not consumer.assignment():
            _poll(consumer, seen, max_records=1)
        assert len(seen) < 6 and not drained(consumer)
        while len(seen) < 6:
            _poll(consumer, seen)
        assert drained(consumer)
    finally:
        consumer.close()
    assert sorted(seen) == [str(n).encode() for n in range(6)]


def test_a_partition_held_by_another_member_counts_until_the_group_commits_it(
    kafka_bootstrap: str,
) -> None:
    topic = _topic_with_messages(kafka_bootstrap, 2, 6)
    first, second = _member(kafka_bootstrap, topic), _member(kafka_bootstrap, topic)
    try:
        deadline = time.monotonic() + 60
        while not (len(first.assignment()) == len(second.assignment()) == 1
                   and all(second.position(tp) == 3 for tp in second.assignment())):
            assert time.monotonic() < deadline, "the two members never split the partitions"
            _poll(first, [])  # stays in the group; what it reads now is read again below
            _poll(second, [])
        first.seek_to_beginning()
        assert not drained(second), "the other member's partition still has 3 messages"
        seen: list[bytes] = []
        while len(seen) < 3:
            _poll(first, seen)
        first.commit()
        assert drained(second)
    finally:
        first.close()
        second.close()

"""The broker fixture gives a working Kafka-protocol broker."""

from __future__ import annotations

import uuid

import pytest
from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic

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


def test_a_consumer_is_drained_only_once_its_position_reaches_every_partitions_end(
    kafka_bootstrap: str,
) -> None:
    from consumers.kafkaio import drained

    topic = f"wenzheng-drain-{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    try:
        admin.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1)])
    finally:
        admin.close()
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap)
    try:
        for n in range(6):
            producer.send(topic, value=str(n).encode(), partition=n % 2)
        producer.flush(timeout=30)
    finally:
        producer.close()
    consumer = KafkaConsumer(
        topic, bootstrap_servers=kafka_bootstrap, group_id=f"group-{topic}",
        auto_offset_reset="earliest", enable_auto_commit=False,
        session_timeout_ms=KAFKA_SESSION_TIMEOUT_MS, heartbeat_interval_ms=1000,
    )
    try:
        assert not drained(consumer)  # not even assigned yet
        seen: list[bytes] = []
        while not consumer.assignment():
            for records in consumer.poll(timeout_ms=500, max_records=1).values():
                seen += [r.value for r in records]
        if len(seen) < 6:
            assert not drained(consumer)
        while len(seen) < 6:
            for records in consumer.poll(timeout_ms=500).values():
                seen += [r.value for r in records]
        assert drained(consumer)
    finally:
        consumer.close()
    assert sorted(seen) == [str(n).encode() for n in range(6)]

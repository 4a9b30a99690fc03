"""Transport settings: flags over environment over wenzheng.toml over defaults."""

from __future__ import annotations

import pytest

from consumers.settings import KafkaSettings, TransportError, resolve_transport


def test_defaults_name_the_documented_topics() -> None:
    s = KafkaSettings.resolve({}, env={})
    assert s.events_topic == "wenzheng.case-events"
    assert s.intake_topic == "wenzheng.case-actions"
    assert s.dead_letter_topic == "wenzheng.case-actions.dead-letter"


def test_flags_win_over_environment_and_environment_over_the_toml_section() -> None:
    section = {"bootstrap": "toml:9092", "events_topic": "toml-topic", "partitions": 3}
    env = {"KAFKA_BOOTSTRAP_SERVERS": "env:9092", "WENZHENG_TOPIC_PARTITIONS": "12"}
    s = KafkaSettings.resolve(section, env=env, events_topic="flag-topic", bootstrap=None)
    assert (s.bootstrap, s.events_topic, s.partitions) == ("env:9092", "flag-topic", 12)


def test_bootstrap_lists_are_split_on_commas() -> None:
    assert KafkaSettings(bootstrap="a:1, b:2,").servers() == ["a:1", "b:2"]


def test_the_transport_defaults_to_following_the_store() -> None:
    assert resolve_transport(None, env={}) == "store"
    assert resolve_transport(None, env={"WENZHENG_TRANSPORT": "Kafka"}) == "kafka"
    assert resolve_transport("store", env={"WENZHENG_TRANSPORT": "kafka"}) == "store"


def test_an_unknown_transport_is_refused() -> None:
    with pytest.raises(TransportError):
        resolve_transport("carrier-pigeon", env={})

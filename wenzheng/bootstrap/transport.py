"""The transport's settings: Kafka's brokers, topics and groups for a home."""

from __future__ import annotations

from consumers.settings import KafkaSettings
from wenzheng.home import Home


def transport_settings(home: Home, *, bootstrap: str | None = None,
                       events_topic: str | None = None, intake_topic: str | None = None,
                       dead_letter_topic: str | None = None, projector_group: str | None = None,
                       intake_group: str | None = None) -> KafkaSettings:
    """Kafka settings: defaults, the home's `[kafka]`, the environment, then the flags given."""
    return KafkaSettings.resolve(
        home.settings().section("kafka"), bootstrap=bootstrap, events_topic=events_topic,
        intake_topic=intake_topic, dead_letter_topic=dead_letter_topic,
        projector_group=projector_group, intake_group=intake_group)

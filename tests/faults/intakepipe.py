"""An in-process intake on a fresh topic pair with a producer feeding it (one group join)."""

from __future__ import annotations

import itertools
import json
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from kafka import KafkaProducer

from consumers.intake import Intake, IntakeReport
from consumers.kafkaio import ensure_topics, make_consumer, make_producer
from consumers.settings import KafkaSettings
from wenzheng.bootstrap.service import open_service
from wenzheng.home import Home

DRAIN_S = 60.0
Message = tuple[bytes | None, bytes | None]


def as_message(action: dict[str, Any]) -> Message:
    """An action as the platforms send it: key = case number, value = JSON."""
    return action["case"].encode(), json.dumps(action, ensure_ascii=False).encode()


@dataclass
class Pipe:
    """An intake on a fresh topic pair, a producer feeding it, and what was sent."""

    home: Home
    intake: Intake
    producer: KafkaProducer
    topic: str
    dead: str
    good: set[str] = field(default_factory=set)
    poison: Counter[str] = field(default_factory=Counter)
    cases: Iterator[int] = field(default_factory=itertools.count)

    def feed(self, messages: list[Message]) -> IntakeReport:
        """Send the messages, then let the intake poll until it has received them all."""
        for key, value in messages:
            self.producer.send(self.topic, key=key, value=value)
        self.producer.flush(timeout=30)
        total = IntakeReport()
        deadline = time.monotonic() + DRAIN_S
        while total.received < len(messages) and time.monotonic() < deadline:
            report = self.intake.poll_once()
            if report is not None:
                total.add(report)
        assert total.received == len(messages), "the intake stalled"
        return total


@contextmanager
def open_pipe(home: Home, bootstrap: str) -> Iterator[Pipe]:
    """An intake on the home's store reading a fresh topic, dead letters to a fresh topic."""
    tag = uuid.uuid4().hex[:8]
    settings = KafkaSettings(bootstrap=bootstrap, intake_topic=f"pipe.{tag}",
                             dead_letter_topic=f"pipe.{tag}.dead-letter")
    ensure_topics(settings, [settings.intake_topic, settings.dead_letter_topic])
    service = open_service(home)
    consumer = make_consumer(settings, f"pipe-{tag}", settings.intake_topic)
    producer = make_producer(settings)
    feeder = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    try:
        yield Pipe(home, Intake(service, consumer, producer, settings.dead_letter_topic),
                   feeder, settings.intake_topic, settings.dead_letter_topic)
    finally:
        feeder.close()
        consumer.close(autocommit=False)
        producer.close(timeout=10)
        service.close()

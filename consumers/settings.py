"""Kafka settings: command-line flags over environment over `[kafka]` in wenzheng.toml."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

STORE, KAFKA = "store", "kafka"
TRANSPORTS = (STORE, KAFKA)
TRANSPORT_ENV = "WENZHENG_TRANSPORT"

# Environment variable for each setting (the toml key is the field name).
ENV_NAMES = {
    "bootstrap": "KAFKA_BOOTSTRAP_SERVERS",
    "events_topic": "WENZHENG_EVENTS_TOPIC",
    "intake_topic": "WENZHENG_INTAKE_TOPIC",
    "dead_letter_topic": "WENZHENG_DEAD_LETTER_TOPIC",
    "partitions": "WENZHENG_TOPIC_PARTITIONS",
    "projector_group": "WENZHENG_PROJECTOR_GROUP",
    "intake_group": "WENZHENG_INTAKE_GROUP",
    "session_timeout_ms": "WENZHENG_KAFKA_SESSION_TIMEOUT_MS",
}


class TransportError(ValueError):
    """An unknown transport name."""


@dataclass(frozen=True)
class KafkaSettings:
    """Where the broker is and which topics and consumer groups to use."""

    bootstrap: str = "127.0.0.1:9092"
    events_topic: str = "wenzheng.case-events"
    intake_topic: str = "wenzheng.case-actions"
    dead_letter_topic: str = "wenzheng.case-actions.dead-letter"
    partitions: int = 6
    projector_group: str = "wenzheng-projector"
    intake_group: str = "wenzheng-intake"
    session_timeout_ms: int = 6000

    @classmethod
    def resolve(
        cls, section: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None,
        **flags: Any,
    ) -> KafkaSettings:
        """Defaults, then the toml section, then the environment, then non-None flags."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw: Any = None
            if section and f.name in section:
                raw = section[f.name]
            if env.get(ENV_NAMES[f.name], "").strip():
                raw = env[ENV_NAMES[f.name]].strip()
            if flags.get(f.name) is not None:
                raw = flags[f.name]
            if raw is not None:
                values[f.name] = int(raw) if f.type in ("int", int) else str(raw)
        return cls(**values)

    def servers(self) -> list[str]:
        """The bootstrap list for kafka clients."""
        return [s.strip() for s in self.bootstrap.split(",") if s.strip()]


def resolve_transport(flag: str | None, env: Mapping[str, str] | None = None) -> str:
    """--transport, else WENZHENG_TRANSPORT, else follow-the-store."""
    env = os.environ if env is None else env
    name = (flag or env.get(TRANSPORT_ENV, "") or STORE).strip().lower()
    if name not in TRANSPORTS:
        raise TransportError(f"未知的传输方式 {name!r}，应为 {' | '.join(TRANSPORTS)}")
    return name

"""Positions along the pipeline: store head, relay, topic, consumer lag, projections."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from consumers.positions import open_positions
from consumers.projector import OFFSETS
from consumers.settings import KafkaSettings
from projections.tables import TRACKING, TRACKING_NAME


def store_part(service: Any, store_env: Mapping[str, str], topic: str) -> dict[str, Any]:
    """The store's last position and the relay's recorded position for the topic."""
    head = int(service.recorder.max_notification_id() or 0)
    positions = open_positions(store_env)
    try:
        relayed = positions.get(topic)
    finally:
        positions.close()
    return {"store_head": head, "relay_position": relayed, "relay_lag": max(head - relayed, 0)}


def projection_part(db: Any, settings: KafkaSettings) -> dict[str, Any]:
    """How far the read models are: store-follower tracking and Kafka projector offsets."""
    out: dict[str, Any] = {"projection_position_store": None, "projection_position_kafka": None}
    if db.table_exists(TRACKING):
        row = db.fetchone(f"SELECT pos FROM {TRACKING} WHERE name = ?", (TRACKING_NAME,))
        out["projection_position_store"] = int(row[0]) if row else 0
    if db.table_exists(OFFSETS):
        row = db.fetchone(f"SELECT MAX(max_position) FROM {OFFSETS} WHERE grp = ? AND topic = ?",
                          (settings.projector_group, settings.events_topic))
        out["projection_position_kafka"] = int(row[0]) if row and row[0] is not None else 0
    return out


def kafka_part(settings: KafkaSettings) -> dict[str, Any]:
    """Topic sizes and consumer-group lag, or the error when the broker cannot be reached."""
    from consumers.kafkaio import consumer_lag, end_offsets

    try:
        ends = end_offsets(settings, settings.events_topic)
        return {
            "kafka": "ok",
            "topic_messages": None if ends is None else sum(ends.values()),
            "projector_lag": consumer_lag(settings, settings.projector_group,
                                          settings.events_topic),
            "intake_lag": consumer_lag(settings, settings.intake_group, settings.intake_topic),
        }
    except Exception as exc:  # status must report an unreachable broker, not crash on it
        return {"kafka": f"不可达：{type(exc).__name__}: {exc}", "topic_messages": None,
                "projector_lag": None, "intake_lag": None}


def warnings(status: Mapping[str, Any]) -> list[str]:
    """Plain-language problems the figures show."""
    out = []
    if status.get("kafka") == "ok" and not status.get("topic_messages") and status.get(
            "relay_position"):
        out.append("事件主题为空或不存在，但中继位置不为 0：代理可能已被清空，"
                   "请运行 wenzheng relay --republish")
    if status.get("relay_lag"):
        out.append(f"中继落后事件库 {status['relay_lag']} 个事件")
    return out

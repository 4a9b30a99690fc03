"""The system status page's figures (reusing consumers/status.py, as `wenzheng status` does)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from consumers import status as pipeline
from consumers.settings import ENV_NAMES, KAFKA, KafkaSettings, resolve_transport
from projections.db import Database
from wenzheng.runout import CALENDAR_LABELS

LABELS = (("transport", "传输方式"), ("event_store", "事件库"), ("read_models", "读模型库"),
          ("store_head", "事件库位置（最新事件）"),
          ("relay_position", "中继位置（已发布到 Kafka）"),
          ("relay_lag", "中继落后"), ("projection_position_store", "投影位置（跟随事件库）"),
          ("projection_position_kafka", "投影位置（Kafka 投影器）"),
          ("projection_lag", "投影落后"), ("kafka", "Kafka"), ("events_topic", "事件主题"),
          ("topic_messages", "主题消息数"), ("projector_lag", "投影器消费组积压"),
          ("intake_lag", "受理消费组积压"))


def describe_store(env: Mapping[str, str]) -> str:
    """Which event store, without any password."""
    if env.get("PERSISTENCE_MODULE") == "eventsourcing.postgres":
        schema = env.get("POSTGRES_SCHEMA")
        return (f"PostgreSQL {env.get('POSTGRES_HOST')}:{env.get('POSTGRES_PORT')}/"
                f"{env.get('POSTGRES_DBNAME')}" + (f"（schema {schema}）" if schema else ""))
    return f"SQLite {env.get('SQLITE_DBNAME')}"


def kafka_wanted(transport: str, env: Mapping[str, str] | None = None) -> bool:
    """Ask the broker only when Kafka is the transport or a broker is named."""
    env = os.environ if env is None else env
    return transport == KAFKA or bool(env.get(ENV_NAMES["bootstrap"], "").strip())


def status(service: Any, store_env: Mapping[str, str], db: Database,
           settings: KafkaSettings) -> dict[str, Any]:
    """Store head, transport, relay and projection positions, lag, and warnings."""
    transport = resolve_transport(None)
    out: dict[str, Any] = {"transport": "Kafka" if transport == KAFKA else "跟随事件库",
                           "event_store": describe_store(store_env),
                           "read_models": "PostgreSQL" if db.dialect == "postgres" else "SQLite",
                           "events_topic": settings.events_topic}
    out.update(pipeline.store_part(service, store_env, settings.events_topic))
    out.update(pipeline.projection_part(db, settings))
    position = (out["projection_position_kafka"] if transport == KAFKA
                else out["projection_position_store"])
    out["projection_lag"] = None if position is None else max(out["store_head"] - position, 0)
    if kafka_wanted(transport):
        out.update(pipeline.kafka_part(settings))
        out["warnings"] = pipeline.warnings(out)
    else:
        out["kafka"] = "未使用（跟随事件库）"
        out["warnings"] = []
    if out["projection_lag"]:
        out["warnings"].append(f"读模型落后事件库 {out['projection_lag']} 个事件")
    return out


def status_rows(result: Mapping[str, Any]) -> list[dict[str, str]]:
    """项目/数值 rows in a fixed order."""
    return [{"项目": label, "数值": "—" if result.get(key) is None else str(result[key])}
            for key, label in LABELS + CALENDAR_LABELS if key in result]

"""Commands that move events and actions through Kafka: relay, intake, consume, status."""

from __future__ import annotations

import argparse
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from consumers.settings import TRANSPORTS, KafkaSettings
from domain.calendar import BUSINESS_TZ
from wenzheng import checklog
from wenzheng.bootstrap.service import open_service, store_env
from wenzheng.bootstrap.transport import transport_settings
from wenzheng.clock import latest_allowed
from wenzheng.home import Home
from wenzheng.logs import fields, service_logger
from wenzheng.runout import CALENDAR_LABELS, add_calendar_part


@contextmanager
def stop_on_signals(service: str = "wenzheng") -> Iterator[threading.Event]:
    """An event set by SIGINT or SIGTERM; the previous handlers come back afterwards."""
    stop = threading.Event()

    def handler(signum: int, _frame: Any) -> None:
        name = signal.Signals(signum).name
        service_logger(service).info("收到信号 %s，处理完当前批次后退出", name,
                                     extra=fields(signal=name))
        stop.set()

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def kafka_settings(args: argparse.Namespace, home: Home) -> KafkaSettings:
    """Kafka settings from flags, environment and the home's wenzheng.toml."""
    return transport_settings(
        home,
        bootstrap=getattr(args, "bootstrap", None),
        events_topic=getattr(args, "topic", None),
        intake_topic=getattr(args, "intake_topic", None),
        dead_letter_topic=getattr(args, "dead_letter_topic", None),
        projector_group=getattr(args, "group", None) if args.command == "consume" else None,
        intake_group=getattr(args, "group", None) if args.command == "intake" else None,
    )


def cmd_relay(args: argparse.Namespace, home: Home) -> int:
    """Publish the store's events to the Kafka topic (at least once, per-case order)."""
    from consumers.kafkaio import end_offsets, ensure_topics, make_producer
    from consumers.positions import open_positions
    from consumers.relay import PublicationFailed, Relay

    settings = kafka_settings(args, home)
    topic = settings.events_topic
    log = service_logger("relay")
    service = open_service(home)
    positions = open_positions(store_env(home))
    producer = None
    try:
        ensure_topics(settings, [topic])
        producer = make_producer(settings)
        relay = Relay(service, producer, positions, topic, batch_size=args.batch_size)
        if args.republish:
            relay.republish()
            log.info("重新发布：主题 %s 的位置已归零，将从头发布全部事件", topic,
                     extra=fields(topic=topic, position=0))
        elif relay.position > 0 and not any((end_offsets(settings, topic) or {}).values()):
            log.warning("警告：主题 %s 为空，但中继位置为 %s；代理可能已被清空，"
                        "请运行 wenzheng relay --republish", topic, relay.position,
                        extra=fields(topic=topic, position=relay.position))

        def progress(count: int, position: int) -> None:
            if not args.quiet:
                log.info("已发布 %s 条，位置 %s", count, position,
                         extra=fields(count=count, position=position))

        with stop_on_signals("relay") as stop:
            try:
                report = relay.run(stop, once=args.once, on_batch=progress)
            except PublicationFailed as exc:
                log.error("发布失败，中继停止（位置未前进，重启后从位置 %s 继续）：%s",
                          relay.position, exc, extra=fields(topic=topic, position=relay.position))
                return 3
        print(f"已发布 {report.published} 条事件到 {topic}；中继位置 {report.position}，"
              f"存储末尾 {relay.head()}")
    finally:
        if producer is not None:
            producer.close(timeout=10)
        positions.close()
        service.close()
    return 0


def cmd_intake(args: argparse.Namespace, home: Home) -> int:
    """Apply case actions arriving on the intake topic; dead-letter what cannot be applied."""
    from consumers.intake import Intake
    from consumers.kafkaio import ensure_topics, make_consumer, make_producer

    settings = kafka_settings(args, home)
    ensure_topics(settings, [settings.intake_topic, settings.dead_letter_topic])
    service = open_service(home)
    consumer = make_consumer(settings, settings.intake_group, settings.intake_topic)
    producer = make_producer(settings)
    try:
        config = home.settings()
        intake = Intake(service, consumer, producer, settings.dead_letter_topic,
                        not_after=lambda: latest_allowed(config))
        with stop_on_signals("intake") as stop:
            report = intake.run(stop, once=args.once)
    finally:
        consumer.close(autocommit=False)
        producer.close(timeout=10)
        service.close()
    print(f"收到 {report.received} 条操作：已应用 {report.applied}，重复 {report.duplicates}，"
          f"转入死信主题 {settings.dead_letter_topic} {report.dead_lettered}")
    return 0


def open_target(args: argparse.Namespace, home: Home) -> Any:
    """The read-model database: --readmodels (URL or SQLite path), else the home's default."""
    from projections.db import Database
    from wenzheng.bootstrap.readside import open_readmodels

    given = getattr(args, "readmodels", None)
    if not given:
        return open_readmodels(home)
    return Database.postgres(given) if given.startswith("postgres") else Database.sqlite(given)


def cmd_consume(args: argparse.Namespace, home: Home) -> int:
    """Feed the read models from Kafka (consumer group) or by following the store."""
    from consumers.settings import resolve_transport

    transport = resolve_transport(args.transport)
    db = open_target(args, home)
    calendar = home.settings().deadline_policy().calendar
    try:
        if transport == "store":
            return _consume_store(args, home, db, calendar)
        return _consume_kafka(args, home, db, calendar)
    finally:
        db.close()


def _consume_store(args: argparse.Namespace, home: Home, db: Any, calendar: Any) -> int:
    """The embedded path: follow the event store's notification log with tracking."""
    from projections.follower import StoreSource, catch_up, follow
    from projections.writer import CaseProjection

    app = open_service(home)
    try:
        projection = CaseProjection(db, calendar)
        with stop_on_signals("follow") as stop:
            if args.once:
                done = catch_up(StoreSource(app), projection, args.batch_size, stop=stop)
            else:
                done = follow(StoreSource(app), projection, stop, batch=args.batch_size)
        print(f"跟随事件库：应用 {done} 个事件，投影位置 {projection.position()}")
    finally:
        app.close()
    return 0


def _consume_kafka(args: argparse.Namespace, home: Home, db: Any, calendar: Any) -> int:
    """The Kafka path: a consumer-group member writing read models and offsets together."""
    from kafka import KafkaAdminClient

    from consumers.envelope import InvalidEnvelope
    from consumers.kafkaio import ensure_topics, make_consumer
    from consumers.projector import KafkaCaseProjection, KafkaProjector
    from projections.caserow import ProjectionGap

    settings = kafka_settings(args, home)
    topic, group = settings.events_topic, settings.projector_group
    log = service_logger("projector")
    ensure_topics(settings, [topic])
    admin = KafkaAdminClient(bootstrap_servers=settings.servers(), client_id="wenzheng-projector")
    consumer = make_consumer(settings, group)

    def topic_id() -> str:
        found = admin.describe_topics([topic])
        return str(found[0].get("topic_id") or "") if found else ""

    try:
        projection = KafkaCaseProjection(db, calendar, group, topic)
        projector = KafkaProjector(projection, consumer, topic_id, args.batch_size)
        with stop_on_signals("projector") as stop:
            done = projector.run(stop, once=args.once)
    except InvalidEnvelope as exc:
        log.error("事件主题 %s 上有无法识别的消息，投影停止：%s", topic, exc,
                  extra=fields(topic=topic, group=group))
        return 3
    except ProjectionGap as exc:
        log.error("事件主题 %s 上案件的版本不连续（%s）；投影停止，读模型未写入。请用 "
                  "wenzheng relay --republish 重新发布到新主题，或 wenzheng project --rebuild "
                  "从事件库重建", topic, exc, extra=fields(topic=topic, group=group))
        return 3
    finally:
        consumer.close(autocommit=False)
        admin.close()
    print(f"Kafka 投影（{topic}，消费组 {group}）：应用 {done} 个事件，"
          f"已投影的最高位置 {projection.max_position()}")
    return 0


STATUS_LABELS = (
    ("transport", "传输方式"), ("store_head", "事件库末尾位置"),
    ("relay_position", "中继位置"), ("relay_lag", "中继落后"),
    ("kafka", "Kafka"), ("topic_messages", "事件主题消息数"),
    ("projector_lag", "Kafka 投影消费滞后"), ("intake_lag", "接入消费滞后"),
    ("projection_position_store", "投影位置（跟随事件库）"),
    ("projection_position_kafka", "投影位置（Kafka，最高）"),
)



def cmd_status(args: argparse.Namespace, home: Home) -> int:
    """Where each stage of the pipeline stands, and the lag between them."""
    import json

    from consumers import status as st
    from consumers.settings import KAFKA, resolve_transport

    transport = resolve_transport(args.transport)
    settings = kafka_settings(args, home)
    service = open_service(home)
    db = open_target(args, home)
    try:
        result: dict[str, Any] = {"transport": transport, "events_topic": settings.events_topic}
        result.update(st.store_part(service, store_env(home), settings.events_topic))
        result.update(st.projection_part(db, settings))
    finally:
        db.close()
        service.close()
    if transport == KAFKA or args.bootstrap or not args.store_only:
        result.update(st.kafka_part(settings))
    result["warnings"] = st.warnings(result)
    checks = checklog.last(home.root)
    result["integrity"] = {"last": checks, "summary": checklog.describe(checks)}
    result["warnings"] += checklog.warnings(checks)
    add_calendar_part(result, home.settings().deadline_policy().calendar,
                      datetime.now(BUSINESS_TZ).date())
    if args.format == "json":
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    for key, label in STATUS_LABELS + CALENDAR_LABELS:
        if key in result:
            value = result[key]
            print(f"{label}：{'—' if value is None else value}")
    for line in result["integrity"]["summary"]:
        print(line)
    for warning in result["warnings"]:
        print(f"警告：{warning}")
    return 0


def _add_kafka_flags(p: argparse.ArgumentParser) -> None:
    """Flags every Kafka command takes."""
    p.add_argument("--bootstrap", help="Kafka bootstrap servers (default: $KAFKA_BOOTSTRAP_SERVERS,"
                   " [kafka] bootstrap in wenzheng.toml, or 127.0.0.1:9092)")
    p.add_argument("--once", action="store_true", help="catch up, then exit")
    p.add_argument("--quiet", action="store_true", help="no progress lines")


def register(sub: Any) -> None:
    """Add relay, intake, consume and status to the command line."""
    p = sub.add_parser("relay", help="publish the event store's events to Kafka")
    _add_kafka_flags(p)
    p.add_argument("--topic", help="event topic (default wenzheng.case-events)")
    p.add_argument("--republish", action="store_true",
                   help="publish the whole store again (after the topic was lost or wiped)")
    p.add_argument("--batch-size", type=int, default=500)
    p.set_defaults(run=cmd_relay)

    p = sub.add_parser("intake", help="apply case actions arriving on a Kafka topic")
    _add_kafka_flags(p)
    p.add_argument("--intake-topic",
                   help="topic of incoming actions (default wenzheng.case-actions)")
    p.add_argument("--dead-letter-topic",
                   help="topic for rejected messages (default wenzheng.case-actions.dead-letter)")
    p.add_argument("--group", help="consumer group (default wenzheng-intake)")
    p.set_defaults(run=cmd_intake)

    p = sub.add_parser("consume", help="feed the read models from Kafka or from the store")
    _add_kafka_flags(p)
    p.add_argument("--transport", choices=TRANSPORTS,
                   help="kafka or store (default: $WENZHENG_TRANSPORT, else store)")
    p.add_argument("--topic", help="event topic (default wenzheng.case-events)")
    p.add_argument("--group", help="consumer group (default wenzheng-projector)")
    p.add_argument("--readmodels", help="read-model database: postgresql://… or a SQLite file")
    p.add_argument("--batch-size", type=int, default=500)
    p.set_defaults(run=cmd_consume)

    p = sub.add_parser("status", help="store head, relay position, consumer lag, projections")
    p.add_argument("--bootstrap", help="Kafka bootstrap servers")
    p.add_argument("--transport", choices=TRANSPORTS, help="kafka or store")
    p.add_argument("--topic", help="event topic (default wenzheng.case-events)")
    p.add_argument("--readmodels", help="read-model database: postgresql://… or a SQLite file")
    p.add_argument("--store-only", action="store_true", help="do not ask the broker")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(run=cmd_status)

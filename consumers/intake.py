"""The intake: case actions arriving on a Kafka topic, applied through the validated service path.

Each message value is one action in the format of docs/actions.md (the same as a line of
`wenzheng apply`); producers key messages by case number so that a case's actions stay in
order. A message that does not parse, or that the case rules reject, goes to the dead-letter
topic with the original key and bytes and a `reason` header; the consumer never stops on it.
Offsets are committed only after the batch is applied and its dead letters are acknowledged;
a commit that fails (a rebalance, the broker restarting) is reported and the consumer goes on;
a redelivered action is recognised by its action id and changes nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kafka import TopicPartition
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata

from consumers.kafkaio import poll_until_stopped
from domain.actions import ActionBase, InvalidAction, check_not_after, parse_action
from domain.service import APPLIED, DUPLICATE, REJECTED

POLL_TIMEOUT_MS = 1000
MAX_RECORDS = 500
FLUSH_TIMEOUT_S = 60.0
# A dead letter must itself fit in one message (kafka-python's max_request_size and Apache
# Kafka's message.max.bytes are both about 1 MiB): an original close to the limit plus the
# headers would not, and a dead letter that cannot be sent would stop the intake on it for ever.
DEAD_LETTER_MAX_BYTES = 1_000_000
REASON_MAX_CHARS = 2_000
# The service's log (format and handler set by the command line: wenzheng/logs.py).
log = logging.getLogger("wenzheng.intake")


@dataclass
class IntakeReport:
    """Counts of what the intake did."""

    received: int = 0
    applied: int = 0
    duplicates: int = 0
    dead_lettered: int = 0

    def add(self, other: IntakeReport) -> None:
        """Accumulate another report."""
        self.received += other.received
        self.applied += other.applied
        self.duplicates += other.duplicates
        self.dead_lettered += other.dead_lettered


def dead_letter_headers(record: Any, reason: str, stage: str) -> list[tuple[str, bytes]]:
    """Headers of a dead letter: why, at which stage, and where the message came from."""
    return [
        ("reason", reason.encode("utf-8")),
        ("stage", stage.encode()),
        ("source-topic", str(record.topic).encode()),
        ("source-partition", str(record.partition).encode()),
        ("source-offset", str(record.offset).encode()),
    ]


def _key_text(key: bytes | None) -> str:
    """A message key (the case number) as log text, short and on one line."""
    text = key.decode("utf-8", errors="replace") if key else "-"
    return "".join(c if c.isprintable() else "?" for c in text)[:64]


def dead_letter(record: Any, reason: str, stage: str
                ) -> tuple[bytes | None, bytes | None, list[tuple[str, bytes]]]:
    """Key, value and headers of a record's dead letter, the value cut to fit one message.

    A cut value keeps its first bytes and says so in `truncated-from` (the original size); the
    whole original stays on the source topic at the offset the headers name.
    """
    value = b"" if record.key is None and record.value is None else record.value
    if len(reason) > REASON_MAX_CHARS:
        reason = reason[:REASON_MAX_CHARS] + "…"
    headers = dead_letter_headers(record, reason, stage)
    room = DEAD_LETTER_MAX_BYTES - len(record.key or b"") - sum(
        len(k) + len(v) for k, v in headers) - 64
    if value is not None and len(value) > room:
        headers.append(("truncated-from", str(len(value)).encode()))
        value = value[:room]
    return record.key, value, headers


def parse_record(value: bytes | None) -> ActionBase:
    """The action a message carries; InvalidAction when it carries none."""
    if value is None or not value.strip():
        raise InvalidAction("空消息")
    action: ActionBase = parse_action(value)
    return action


class Intake:
    """Consumes the intake topic, applies actions, dead-letters the rest, then commits."""

    def __init__(self, service: Any, consumer: Any, producer: Any, dead_letter_topic: str,
                 not_after: Callable[[], datetime] | None = None) -> None:
        self.service = service
        self.consumer = consumer
        self.producer = producer
        self.dead_letter_topic = dead_letter_topic
        self.not_after = not_after  # the clock plus the tolerance, read by the caller per batch

    def process(self, records: list[Any]) -> IntakeReport:
        """Apply the records' actions in order and dead-letter the invalid or rejected ones."""
        report = IntakeReport(received=len(records))
        valid: list[tuple[Any, ActionBase]] = []
        dead: list[tuple[Any, str, str]] = []
        limit = self.not_after() if self.not_after is not None else None
        for record in records:
            try:
                action = parse_record(record.value)
                if limit is not None:
                    check_not_after(action, limit)
                valid.append((record, action))
            except InvalidAction as exc:
                dead.append((record, str(exc), "parse"))
            except Exception as exc:  # poison input must never stop the intake
                dead.append((record, f"无法解析：{type(exc).__name__}: {exc}", "parse"))
        outcomes = self.service.apply_batch([a for _, a in valid]) if valid else []
        for (record, _action), outcome in zip(valid, outcomes, strict=True):
            if outcome.status == APPLIED:
                report.applied += 1
            elif outcome.status == DUPLICATE:
                report.duplicates += 1
            elif outcome.status == REJECTED:
                dead.append((record, outcome.reason, "rejected"))
        dead.sort(key=lambda d: (d[0].partition, d[0].offset))
        futures = []
        for record, reason, stage in dead:
            key, value, headers = dead_letter(record, reason, stage)
            log.warning("动作未应用，转入死信主题 %s", self.dead_letter_topic, extra={"fields": {
                "case": _key_text(record.key), "stage": stage, "partition": record.partition,
                "offset": record.offset}})
            futures.append(self.producer.send(self.dead_letter_topic, key=key, value=value,
                                              headers=headers))
        if futures:
            self.producer.flush(timeout=FLUSH_TIMEOUT_S)
            for future in futures:
                future.get(timeout=0)
        report.dead_lettered = len(dead)
        return report

    def poll_once(self) -> IntakeReport | None:
        """One poll: process what came and commit it; None when nothing came."""
        batch = self.consumer.poll(timeout_ms=POLL_TIMEOUT_MS, max_records=MAX_RECORDS)
        records = [r for tp in sorted(batch, key=lambda t: (t.topic, t.partition))
                   for r in batch[tp]]
        if not records:
            return None
        report = self.process(records)
        offsets = {TopicPartition(tp.topic, tp.partition):
                   OffsetAndMetadata(msgs[-1].offset + 1, "", -1)
                   for tp, msgs in batch.items() if msgs}
        try:
            self.consumer.commit(offsets)
        except KafkaError as exc:  # rebalancing, coordinator moved, broker restarting, …
            log.warning("提交位移失败（消息将被重投，已应用的按重复处理）：%s: %s",
                        type(exc).__name__, exc, extra={"fields": {"offsets": len(offsets)}})
        return report

    def run(self, stop: threading.Event, once: bool = False) -> IntakeReport:
        """Consume until stopped (or, with once, until the group has drained the topic)."""
        total = IntakeReport()
        poll_until_stopped(self.consumer, self.poll_once, total.add, stop, once, log)
        return total

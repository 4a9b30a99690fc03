"""The published form of a stored event: a versioned JSON envelope (see docs/events.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

import orjson

from consumers.schema import ENVELOPE_VERSION, SCHEMA
from projections.record import EventRecord


def _dumps(body: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON (orjson: the same document as json, several times faster)."""
    return orjson.dumps(body)

# Fields of every stored event that the envelope carries at its top level or drops.
_TOP_LEVEL = ("originator_id", "originator_version", "timestamp", "originator_topic", "at")
# Personal data: never leaves the event store. `content` is the citizen's own free text, which
# often holds names, addresses and phone numbers; the title is carried instead.
PERSONAL_FIELDS = ("citizen", "content")

HEADER_TYPE = "type"
HEADER_VERSION = "version"
HEADER_ENVELOPE_VERSION = "envelope_version"
HEADER_CONTENT_TYPE = "content-type"
CONTENT_TYPE = "application/json"


class InvalidEnvelope(ValueError):
    """A message that is not a valid envelope of a version this code understands."""


@dataclass(frozen=True)
class Message:
    """One Kafka record ready to send: key, value and headers as bytes."""

    key: bytes
    value: bytes
    headers: tuple[tuple[str, bytes], ...]


def event_type(event: Any) -> str:
    """The event's short type name, e.g. 'Registered'."""
    return type(event).__qualname__.split(".")[-1]


def event_id(case: UUID, version: int) -> UUID:
    """A stable id of the event: the same on every republication."""
    return uuid5(case, str(version))


def envelope(event: Any, position: int, case_number: str) -> dict[str, Any]:
    """The envelope of a stored domain event at a notification-log position, as a dict."""
    payload = {
        k: _plain(v) for k, v in event.__dict__.items()
        if k not in _TOP_LEVEL and k not in PERSONAL_FIELDS
    }
    return {
        "envelope_version": ENVELOPE_VERSION,
        "event_id": str(event_id(event.originator_id, event.originator_version)),
        "case_id": str(event.originator_id),
        "case_number": case_number,
        "version": event.originator_version,
        "type": event_type(event),
        "at": _plain(event.at),
        "recorded_at": _plain(event.timestamp),
        "position": position,
        "payload": payload,
    }


def record_envelope(record: EventRecord, case: UUID, case_number: str) -> dict[str, Any]:
    """The same envelope built from an EventRecord decoded straight from the store."""
    return {
        "envelope_version": ENVELOPE_VERSION,
        "event_id": str(event_id(case, record.version)),
        "case_id": record.case_id,
        "case_number": case_number,
        "version": record.version,
        "type": record.type,
        "at": record.at.isoformat(),
        "recorded_at": record.recorded_at.isoformat(),
        "position": record.position,
        "payload": record.fields,
    }


def encode(event: Any, position: int, case_number: str) -> Message:
    """The Kafka record of a stored event: key = case id, JSON value, type/version headers."""
    return message_of(envelope(event, position, case_number))


def encode_record(record: EventRecord, case: UUID, case_number: str) -> Message:
    """The Kafka record of an event decoded straight from the store (see StoredDecoder)."""
    return message_of(record_envelope(record, case, case_number))


def message_of(body: dict[str, Any]) -> Message:
    """Key = case id, compact JSON value, type/version headers."""
    value = _dumps(body)
    headers = (
        (HEADER_TYPE, body["type"].encode()),
        (HEADER_VERSION, str(body["version"]).encode()),
        (HEADER_ENVELOPE_VERSION, str(ENVELOPE_VERSION).encode()),
        (HEADER_CONTENT_TYPE, CONTENT_TYPE.encode()),
    )
    return Message(key=body["case_id"].encode(), value=value, headers=headers)


def decode(value: bytes | None) -> dict[str, Any]:
    """Parse and validate a message value against the envelope schema."""
    if value is None:
        raise InvalidEnvelope("空消息")
    try:
        body = json.loads(value)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidEnvelope(f"不是合法的 JSON：{exc}") from None
    problem = schema_problem(body)
    if problem:
        raise InvalidEnvelope(problem)
    return dict(body)


def schema_problem(body: Any) -> str:
    """The first way the body breaks the envelope schema, or '' when it fits."""
    error = next(iter(_validator().iter_errors(body)), None)
    if error is None:
        return ""
    where = "/".join(str(p) for p in error.absolute_path) or "(整体)"
    return f"信封不符合 schema（{where}）：{error.message}"


_VALIDATOR: Any = None


def _validator() -> Any:
    """The compiled JSON Schema validator (built once)."""
    global _VALIDATOR
    if _VALIDATOR is None:
        from jsonschema import Draft202012Validator, FormatChecker

        Draft202012Validator.check_schema(SCHEMA)
        _VALIDATOR = Draft202012Validator(SCHEMA, format_checker=FormatChecker())
    return _VALIDATOR


def _plain(value: Any) -> Any:
    """JSON-ready form: datetimes as ISO 8601 with offset, UUIDs as strings."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    return value

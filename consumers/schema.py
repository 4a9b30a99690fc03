"""The JSON Schema of the event envelope, version 1 (documented in docs/events.md)."""

from __future__ import annotations

from typing import Any

from domain.vocabulary import RATINGS, STATUSES, EventType

ENVELOPE_VERSION = 1

_STR = {"type": "string"}
_OPT_STR = {"type": ["string", "null"]}

# Fields each event type's payload must have, besides the ones every payload has.
_BY_TYPE: dict[EventType, dict[str, Any]] = {
    EventType.REGISTERED: {"number": _STR, "source": _STR, "title": _STR, "category": _STR,
                           "priority": {"enum": ["一般", "重要", "重大"]}, "region": _STR},
    EventType.ASSIGNED: {"department": _STR, "co_departments": {"type": "array", "items": _STR}},
    EventType.CLAIMED: {},
    EventType.DISPUTED: {"reason": _STR, "department": _OPT_STR},
    EventType.EXTENDED: {"working_days": {"type": "integer", "minimum": 1}, "reason": _STR},
    EventType.OPINION_GIVEN: {"text": _STR},
    EventType.REPLY_SUBMITTED: {"text": _STR, "department": _OPT_STR},
    EventType.REPLY_PUBLISHED: {"text": _STR},
    EventType.RETURNED: {"reason": _STR},
    EventType.SUPERVISED: {"level": _STR, "note": _STR, "department": _OPT_STR,
                           "response_due": _OPT_STR},
    EventType.RATED: {"rating": {"enum": [r.value for r in RATINGS]}, "channel": _STR,
                      "default": {"type": "boolean"}},
    EventType.CLOSED: {},
    EventType.ARCHIVED: {},
    EventType.REFERRED_FOR_ACCOUNTABILITY: {"department": _STR, "reason": _STR},
    EventType.PERSONAL_DATA_ERASED: {"reason": _STR},
    EventType.DEADLINES_REVISED: {"old": {"type": "object"}, "new": {"type": "object"},
                                  "calendar": _STR, "arrangements": {"type": "array"}},
}
PAYLOAD_FIELDS: dict[str, dict[str, Any]] = {k.value: v for k, v in _BY_TYPE.items()}
EVENT_TYPES = tuple(PAYLOAD_FIELDS)

COMMON_PAYLOAD: dict[str, Any] = {
    "by": _STR,
    "action_id": _STR,
    "holder": _STR,
    "status": {"enum": [s.value for s in STATUSES]},
    "deadlines": {"type": ["object", "null"]},
}


def _per_type(name: str, fields: dict[str, Any]) -> dict[str, Any]:
    """If the envelope has this type, its payload must have these fields."""
    return {
        "if": {"properties": {"type": {"const": name}}, "required": ["type"]},
        "then": {"properties": {"payload": {
            "required": sorted(fields), "properties": fields,
        }}},
    }


SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://wenzheng.example/schemas/case-event-envelope-v1.json",
    "title": "wenzheng case event envelope, version 1",
    "type": "object",
    "additionalProperties": False,
    "required": ["envelope_version", "event_id", "case_id", "case_number", "version", "type",
                 "at", "recorded_at", "position", "payload"],
    "properties": {
        "envelope_version": {"const": ENVELOPE_VERSION},
        "event_id": {"type": "string", "format": "uuid"},
        "case_id": {"type": "string", "format": "uuid"},
        "case_number": {"type": "string", "minLength": 1},
        "version": {"type": "integer", "minimum": 1},
        "type": {"enum": list(EVENT_TYPES)},
        "at": {"type": "string", "format": "date-time"},
        "recorded_at": {"type": "string", "format": "date-time"},
        "position": {"type": "integer", "minimum": 1},
        "payload": {
            "type": "object",
            "required": sorted(COMMON_PAYLOAD),
            "properties": {**COMMON_PAYLOAD, "citizen": False, "content": False},
        },
    },
    "allOf": [_per_type(name, fields) for name, fields in PAYLOAD_FIELDS.items() if fields],
}

"""Decoding the event topic's messages quickly: a check that vouches only for valid envelopes.

The full JSON Schema validation (consumers/envelope.py) costs far more than everything else
a projector does with a message. `surely_valid` checks the usual envelope directly, with
rules compiled from the same schema; whatever it is not sure of goes to the full validation,
which decides and words the error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import orjson

from consumers.envelope import decode
from consumers.schema import COMMON_PAYLOAD, PAYLOAD_FIELDS, SCHEMA
from projections.record import EventRecord


def record_from_envelope(body: dict[str, Any]) -> EventRecord:
    """The transport-independent EventRecord of a decoded envelope."""
    return EventRecord.from_dict({**body, "fields": body["payload"]})


_loads: Callable[[bytes], Any] = orjson.loads  # about three times as fast as json

Check = Callable[[Any], bool]
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _moment_text(value: Any) -> bool:
    """An ISO 8601 moment with its offset, as the relay writes them."""
    try:
        return type(value) is str and datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


def _rule(spec: Any) -> Check | None:
    """A check that passes only values the schema fragment accepts (None: not understood)."""
    kind, rest = spec.get("type"), {k: v for k, v in spec.items() if k != "type"}
    if kind == "string" and not rest:
        return lambda v: type(v) is str
    if kind == ["string", "null"] and not rest:
        return lambda v: v is None or type(v) is str
    if kind == "boolean" and not rest:
        return lambda v: type(v) is bool
    if kind == ["object", "null"] and not rest:
        return lambda v: v is None or type(v) is dict
    if kind == "object" and not rest:
        return lambda v: type(v) is dict
    if kind == "array" and not rest:
        return lambda v: type(v) is list
    if kind == "integer" and set(rest) == {"minimum"}:
        low = rest["minimum"]
        return lambda v: type(v) is int and v >= low
    if kind == "string" and rest == {"minLength": 1}:
        return lambda v: type(v) is str and v != ""
    if kind == "string" and rest == {"format": "uuid"}:
        return lambda v: type(v) is str and _UUID.fullmatch(v) is not None
    if kind == "string" and rest == {"format": "date-time"}:
        return _moment_text
    if kind == "array" and rest == {"items": {"type": "string"}}:
        return lambda v: type(v) is list and all(type(x) is str for x in v)
    if kind is None and set(rest) == {"enum"}:
        allowed = frozenset(rest["enum"])
        return lambda v: type(v) is str and v in allowed
    if kind is None and set(rest) == {"const"} and type(rest["const"]) is int:
        const = rest["const"]
        return lambda v: type(v) is int and v == const
    return None


def _rules(specs: Mapping[str, Any]) -> dict[str, Check] | None:
    """Checks for every field, or None when a fragment is not understood."""
    rules = {name: _rule(spec) for name, spec in specs.items()}
    return None if any(r is None for r in rules.values()) else rules  # type: ignore[return-value]


_TOP = _rules({k: v for k, v in SCHEMA["properties"].items() if k != "payload"})
_COMMON = _rules(COMMON_PAYLOAD)
_PER_TYPE = {kind: _rules(fields) for kind, fields in PAYLOAD_FIELDS.items()}
_KEYS = frozenset(SCHEMA["required"])


def surely_valid(body: Any) -> bool:
    """True only for envelopes the JSON Schema accepts (a quick check for the usual case).

    False means "not sure": the full schema validation decides (and words the error).
    """
    if _TOP is None or _COMMON is None or type(body) is not dict or body.keys() != _KEYS:
        return False
    payload = body["payload"]
    per_type = _PER_TYPE.get(body["type"])
    if per_type is None or type(payload) is not dict or "citizen" in payload \
            or "content" in payload:
        return False
    for rules, values in ((_TOP, body), (_COMMON, payload), (per_type, payload)):
        for name, check in rules.items():
            if name not in values or not check(values[name]):
                return False
    return True


def decode_message(value: bytes | None) -> dict[str, Any]:
    """An envelope's body: quickly when it is surely valid, else through the full schema."""
    if value is not None:
        try:
            body = _loads(value)
        except ValueError:
            body = None
        if surely_valid(body):
            return dict(body)
    return decode(value)


def record_of(value: bytes | None) -> EventRecord:
    """The EventRecord of a message (InvalidEnvelope when it is not a valid envelope)."""
    body = decode_message(value)
    payload = body["payload"]
    if "citizen" in payload or "content" in payload:  # never, in a valid envelope
        return record_from_envelope(body)
    return EventRecord(case_id=body["case_id"], version=body["version"], type=body["type"],
                       at=datetime.fromisoformat(body["at"]),
                       recorded_at=datetime.fromisoformat(body["recorded_at"]),
                       position=body["position"], fields=payload)

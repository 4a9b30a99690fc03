"""EventRecord: a stored case event as plain values, independent of the transport."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import DatetimeAsISO, JSONTranscoder
from eventsourcing.utils import resolve_topic

from projections.logread import notification

# orjson parses a stored event's JSON about three times as fast as json
_loads: Callable[[bytes], Any] = orjson.loads

# Fields never carried into read models: personal data and the free-text demand.
DROPPED = frozenset({"citizen", "content"})
ENVELOPE = frozenset({"originator_id", "originator_version", "timestamp", "originator_topic",
                      "at"})


@dataclass(frozen=True)
class EventRecord:
    """One case event: identity, order, times and its fields (no personal data)."""

    case_id: str
    version: int
    type: str
    at: datetime
    recorded_at: datetime
    position: int
    fields: dict[str, Any] = field(default_factory=dict, hash=False, compare=True)

    def get(self, name: str, default: Any = None) -> Any:
        """A field of the event, or the default."""
        return self.fields.get(name, default)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (times as ISO 8601)."""
        return {
            "case_id": self.case_id, "version": self.version, "type": self.type,
            "at": self.at.isoformat(), "recorded_at": self.recorded_at.isoformat(),
            "position": self.position, "fields": dict(self.fields),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EventRecord:
        """Read the JSON-ready form back (the Kafka projector's entry point)."""
        return cls(
            case_id=str(data["case_id"]), version=int(data["version"]), type=str(data["type"]),
            at=_moment(data["at"]), recorded_at=_moment(data["recorded_at"]),
            position=int(data["position"]),
            fields={k: v for k, v in dict(data.get("fields") or {}).items() if k not in DROPPED},
        )


def from_domain_event(event: Any, position: int) -> EventRecord:
    """Decode a stored domain event (eventsourcing) at a notification-log position."""
    raw = dict(event.__dict__)
    fields = {k: _plain(v) for k, v in raw.items() if k not in ENVELOPE and k not in DROPPED}
    return EventRecord(
        case_id=str(raw["originator_id"]),
        version=int(raw["originator_version"]),
        type=type(event).__qualname__.split(".")[-1],
        at=raw["at"],
        recorded_at=raw["timestamp"],
        position=position,
        fields=fields,
    )


class StoredDecoder:
    """Decodes stored notifications into EventRecords straight from their JSON state.

    Gives exactly what `from_domain_event(mapper.to_domain_event(n), n.id)` gives, without
    building domain events: datetimes stay the ISO text they were stored as. Events that
    need more (a cipher or compressor, upcasting, a custom type other than a datetime) go
    through the mapper.
    """

    def __init__(self, mapper: Any) -> None:
        self.mapper = mapper
        transcoder = getattr(mapper, "transcoder", None)
        self.direct = (getattr(mapper, "cipher", None) is None
                       and getattr(mapper, "compressor", None) is None
                       and isinstance(transcoder, JSONTranscoder)
                       and type(transcoder.names.get("datetime_iso")) is DatetimeAsISO)
        self.kinds: dict[str, str | None] = {}

    def decode(self, note: Any) -> EventRecord:
        """One eventsourcing Notification as an EventRecord."""
        return self.decode_row((note.id, note.originator_id, note.originator_version,
                                note.topic, note.state))

    def decode_row(self, row: tuple[int, Any, int, str, bytes]) -> EventRecord:
        """One log row (position, case id, version, topic, state) as an EventRecord."""
        record = self.direct_row(row)
        if record is not None:
            return record
        return from_domain_event(self.mapper.to_domain_event(notification(row)), row[0])

    def direct_row(self, row: tuple[int, Any, int, str, bytes]) -> EventRecord | None:
        """The row decoded straight from its JSON state, or None when it needs the mapper."""
        kind = self._kind(row[3]) if self.direct else None
        if kind is None:
            return None
        state = _loads(row[4])
        return _direct(state, kind, row) if "class_version" not in state else None

    def _kind(self, topic: str) -> str | None:
        """The event's short type name, or None when its class upcasts old versions."""
        if topic not in self.kinds:
            cls = resolve_topic(topic)
            self.kinds[topic] = (cls.__qualname__.split(".")[-1]
                                 if getattr(cls, "class_version", 1) == 1 else None)
        return self.kinds[topic]


_FOREIGN = object()  # a custom-typed value other than a datetime
_ISO = DatetimeAsISO.name
_DROP = tuple((ENVELOPE | DROPPED) - {"at", "timestamp"})
_CASE_IDS: dict[Any, str] = {}
_CASE_IDS_KEPT = 100_000


def _direct(state: dict[str, Any], kind: str, row: tuple[int, Any, int, str, bytes]
            ) -> EventRecord | None:
    """The EventRecord of a decoded state (taken apart), or None when it is not plain JSON."""
    at: Any = state.pop("at", None)
    stamp: Any = state.pop("timestamp", None)
    try:
        if at["_type_"] != _ISO or stamp["_type_"] != _ISO or len(at) != 2 or len(stamp) != 2:
            return None
        moment = datetime.fromisoformat(at["_data_"])
        recorded = datetime.fromisoformat(stamp["_data_"])
    except (KeyError, TypeError, ValueError):
        return None
    for key in _DROP:
        state.pop(key, None)
    if row[4].count(b'"_type_"') != 2:  # more custom-typed values than at and timestamp
        for key, value in state.items():
            if type(value) is dict or type(value) is list:
                state[key] = value = _json_value(value)
                if value is _FOREIGN:
                    return None
    return EventRecord(
        case_id=_case_id(row[1]), version=row[2], type=kind, at=moment, recorded_at=recorded,
        position=row[0], fields=state)


def _case_id(oid: Any) -> str:
    """The case id as text (remembered: a case has several events)."""
    text = _CASE_IDS.get(oid)
    if text is None:
        if len(_CASE_IDS) >= _CASE_IDS_KEPT:
            _CASE_IDS.clear()
        text = _CASE_IDS[oid] = str(oid if isinstance(oid, UUID) else UUID(str(oid)))
    return text


def _json_value(value: Any) -> Any:
    """A stored JSON value as from_domain_event sees it: a datetime as its ISO text."""
    if type(value) is dict:
        if len(value) == 2 and "_type_" in value and "_data_" in value:
            return value["_data_"] if value["_type_"] == _ISO else _FOREIGN
        out = {}
        for k, v in value.items():
            v = _json_value(v)
            if v is _FOREIGN:
                return _FOREIGN
            out[k] = v
        return out
    if type(value) is list:
        items = [_json_value(v) for v in value]
        return _FOREIGN if any(v is _FOREIGN for v in items) else items
    return value


def _plain(value: Any) -> Any:
    """Datetimes as ISO text so fields are JSON values whatever the transport."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _moment(value: Any) -> datetime:
    """A datetime from ISO text (or passed through)."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))

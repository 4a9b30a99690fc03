"""EventRecord: a stored case event as plain values, independent of the transport."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

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

"""The relay's records decoded straight from stored JSON equal the domain-event path's."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from eventsourcing.application import Application

from consumers.envelope import Message, encode
from consumers.relay import Relay
from tests.unit.test_envelope import lifecycle_events
from tests.unit.test_stored_decoder import stored_events


def as_plain(message: Message) -> tuple[bytes, Any, tuple[tuple[str, bytes], ...]]:
    """Key, parsed value and headers of a record."""
    return message.key, json.loads(message.value), message.headers


def both_ways(app: Application[UUID], number: str) -> list[tuple[Any, Any]]:
    """Each stored event's record from the relay and from the mapper + encode path."""
    relay = Relay(app, None, None, "t")  # type: ignore[arg-type]
    notes = app.recorder.select_notifications(1, 100)
    return [(as_plain(relay.message(n)),
             as_plain(encode(app.mapper.to_domain_event(n), n.id, number))) for n in notes]


def test_every_lifecycle_event_gives_the_same_record_either_way() -> None:
    app: Application[UUID] = Application(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    events = lifecycle_events()
    app.recorder.insert_events([app.mapper.to_stored_event(e) for e in events])
    pairs = both_ways(app, "T-1")
    assert len(pairs) == len(events) > 10
    for fast, slow in pairs:
        assert fast == slow
    assert all(fast[1]["case_number"] == "T-1" for fast, _ in pairs)
    assert all("citizen" not in fast[1]["payload"] for fast, _ in pairs)


def test_events_with_other_custom_types_fall_back_to_the_mapper() -> None:
    app, _notes = stored_events()
    pairs = both_ways(app, "N-1")
    assert [fast[1]["type"] for fast, _ in pairs] == ["Registered", "Assigned", "Linked", "Noted"]
    for fast, slow in pairs:
        assert fast == slow

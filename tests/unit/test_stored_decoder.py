"""Stored events decoded straight from JSON equal the domain-event path, custom types included."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from domain.calendar import BUSINESS_TZ
from projections.record import EventRecord, StoredDecoder, from_domain_event

T0 = datetime(2025, 3, 3, 9, 30, 15, 123456, tzinfo=BUSINESS_TZ)


class Thing(Aggregate):
    """A stand-in aggregate whose events carry plain and custom-typed values."""

    @event("Registered")
    def __init__(self, number: str, at: datetime, citizen: dict[str, str], content: str) -> None:
        self.number = number

    @event("Assigned")
    def assign(self, department: str, co_departments: list[str], at: datetime,
               deadlines: dict[str, Any]) -> None:
        self.department = department

    @event("Linked")
    def link(self, other: UUID, at: datetime) -> None:
        self.other = other

    @event("Noted")
    def note(self, when: dict[str, datetime], at: datetime) -> None:
        self.when = when


def stored_events() -> tuple[Application[UUID], list[Any]]:
    """An in-memory application holding one Thing with every kind of event."""
    app: Application[UUID] = Application(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    thing = Thing(number="N-1", at=T0, citizen={"name": "张三", "phone": "139"},
                  content="我的诉求")
    thing.assign(department="CGJ", co_departments=["HBJ"], at=T0 + timedelta(hours=1),
                 deadlines={"reply": "2025-03-12T23:59:59.999999+08:00", "claim": None})
    thing.link(other=uuid4(), at=T0 + timedelta(hours=2))
    thing.note(when={"seen": T0 + timedelta(hours=3)}, at=T0 + timedelta(hours=3))
    app.save(thing)
    return app, list(app.recorder.select_notifications(1, 10))


def test_every_event_decodes_as_through_the_mapper_whatever_its_values() -> None:
    app, notes = stored_events()
    decoder = StoredDecoder(app.mapper)
    fast = [decoder.decode(n) for n in notes]
    slow = [from_domain_event(app.mapper.to_domain_event(n), n.id) for n in notes]
    assert [r.type for r in fast] == ["Registered", "Assigned", "Linked", "Noted"]
    assert fast == slow
    assert [r.at.isoformat() for r in fast] == [r.at.isoformat() for r in slow]


def test_personal_data_and_the_envelope_never_reach_the_fields() -> None:
    app, notes = stored_events()
    registered = StoredDecoder(app.mapper).decode(notes[0])
    assert isinstance(registered, EventRecord)
    assert set(registered.fields) == {"number"}
    assert registered.at == T0 and registered.version == 1


def test_a_nested_datetime_becomes_its_iso_text_and_a_uuid_stays_a_uuid() -> None:
    app, notes = stored_events()
    decoder = StoredDecoder(app.mapper)
    linked, noted = decoder.decode(notes[2]), decoder.decode(notes[3])
    assert isinstance(linked.fields["other"], UUID)
    assert noted.fields["when"] == {"seen": (T0 + timedelta(hours=3)).isoformat()}

"""The in-memory store's recorder (eventsourcing.popo): the domain's interface, with no chain."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.popo import POPOApplicationRecorder

from domain.ports import ChainedRecorder


class MemoryRecorder(POPOApplicationRecorder, ChainedRecorder):
    """eventsourcing's memory recorder; it keeps no hash chain, so its head is (0, b'')."""

    def select_events_of(self, originator_ids: Sequence[UUID]) -> list[StoredEvent]:
        """Every stored event of these aggregates, by aggregate and version."""
        return [stored for oid in dict.fromkeys(originator_ids)
                for stored in self.select_events(oid)]

    def chain_head(self) -> tuple[int, bytes]:
        """No chain: position 0 and no hash."""
        return 0, b""

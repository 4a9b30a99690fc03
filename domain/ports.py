"""What the domain needs from its stores: a chained event recorder and a key vault."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from typing_extensions import get_protocol_members


class ChainedRecorder(Protocol):
    """The event recorder's methods the case service calls beyond eventsourcing's own."""

    def select_events_of(self, originator_ids: Sequence[UUID]) -> list[StoredEvent]:
        """Every stored event of these aggregates, by aggregate and version."""
        ...

    def chain_head(self) -> tuple[int, bytes]:
        """The global hash chain's last position and hash (no hash without a chain)."""
        ...


class KeyVault(Protocol):
    """Where case keys live: apart from the events, wrapped by a key-encryption key."""

    def store_keys(self, keys: Mapping[UUID, bytes]) -> None:
        """Keep new cases' keys (before their events are saved)."""
        ...

    def case_keys(self, originator_id: UUID) -> list[bytes]:
        """Every key kept for the case; none once erased."""
        ...

    def destroy(self, originator_id: UUID, at: str, reason: str) -> None:
        """Destroy the case's keys for good."""
        ...

    def close(self) -> None:
        """Release the vault's connections."""
        ...


class PortNotSatisfied(TypeError):
    """A store handed to the domain lacks methods of the interface it must implement."""


def missing_methods(obj: Any, port: Any) -> list[str]:
    """The interface's methods the object does not have, in name order."""
    return sorted(name for name in get_protocol_members(port)
                  if not callable(getattr(obj, name, None)))


def _check(obj: Any, port: Any, role: str) -> None:
    """Raise PortNotSatisfied naming the object and the methods it lacks, if any."""
    missing = missing_methods(obj, port)
    if missing:
        raise PortNotSatisfied(f"{role} {type(obj).__module__}.{type(obj).__qualname__} "
                               f"未实现 {port.__name__}：缺少 {', '.join(missing)}")


def chained_recorder(recorder: Any) -> ChainedRecorder:
    """The recorder typed as ChainedRecorder, once checked."""
    _check(recorder, ChainedRecorder, "事件记录器")
    typed: ChainedRecorder = recorder
    return typed


def key_vault(vault: Any) -> KeyVault:
    """The vault typed as KeyVault, once checked."""
    _check(vault, KeyVault, "密钥库")
    typed: KeyVault = vault
    return typed

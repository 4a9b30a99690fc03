"""The case service takes only a recorder and a key vault that implement domain/ports.py."""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

import pytest
from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.popo import POPOApplicationRecorder
from eventsourcing.utils import get_topic, resolve_topic

from domain.memory import MemoryRecorder
from domain.ports import ChainedRecorder, KeyVault, PortNotSatisfied, missing_methods
from domain.service import KEY_VAULT_TOPIC, CaseService
from tests.unit.conftest import DEPARTMENTS, POLICY, new_service
from wenzheng.store import env as store_env
from wenzheng.store.keys import PostgresKeyVault, SQLiteKeyVault
from wenzheng.store.postgres import ChainedPostgresRecorder
from wenzheng.store.sqlite import ChainedSQLiteRecorder

POPO = {"PERSISTENCE_MODULE": "eventsourcing.popo"}


class UnchainedService(CaseService):
    """A case service handed eventsourcing's plain memory recorder (no chain methods)."""

    def construct_recorder(self) -> ApplicationRecorder:
        return POPOApplicationRecorder()


class VaultWithoutClose:
    """A key vault that cannot be closed."""

    def store_keys(self, keys: Mapping[UUID, bytes]) -> None:
        """Keep nothing."""

    def case_keys(self, originator_id: UUID) -> list[bytes]:
        """No keys."""
        return []

    def destroy(self, originator_id: UUID, at: str, reason: str) -> None:
        """Nothing to destroy."""


def test_a_recorder_without_the_chain_methods_is_refused_at_construction() -> None:
    with pytest.raises(PortNotSatisfied) as refused:
        UnchainedService(POLICY, DEPARTMENTS, env=POPO)
    message = str(refused.value)
    assert "事件记录器" in message and "POPOApplicationRecorder" in message
    assert "ChainedRecorder" in message
    assert "缺少 chain_head, select_events_of" in message


def test_a_vault_without_close_is_refused_at_construction() -> None:
    with pytest.raises(PortNotSatisfied, match=r"密钥库 .*VaultWithoutClose.*缺少 close"):
        CaseService(POLICY, DEPARTMENTS, env=POPO, vault=VaultWithoutClose())  # type: ignore[arg-type]


def test_the_memory_store_answers_the_interface_without_a_chain() -> None:
    service = new_service()
    assert isinstance(service.recorder, MemoryRecorder)
    assert service.chain_head() == (0, "")
    service.close()


def test_every_implementation_has_every_method_of_its_interface() -> None:
    for recorder in (MemoryRecorder, ChainedSQLiteRecorder, ChainedPostgresRecorder):
        assert missing_methods(recorder, ChainedRecorder) == [], recorder
    for vault in (SQLiteKeyVault, PostgresKeyVault):
        assert missing_methods(vault, KeyVault) == [], vault


def test_the_persistence_package_names_its_implementations_for_the_case_service_only() -> None:
    assert CaseService.name.upper() + "_" == store_env.SERVICE_PREFIX
    assert store_env.SERVICE_PREFIX + KEY_VAULT_TOPIC == store_env.VAULT_KEY
    assert {m: resolve_topic(t) for m, t in store_env.CHAINED_RECORDERS.items()} == {
        store_env.SQLITE: ChainedSQLiteRecorder, store_env.POSTGRES: ChainedPostgresRecorder}
    assert {m: resolve_topic(t) for m, t in store_env.KEY_VAULTS.items()} == {
        store_env.SQLITE: SQLiteKeyVault, store_env.POSTGRES: PostgresKeyVault}
    env = store_env.postgres_env("postgresql://u@h/db?schema=s")
    assert env[store_env.RECORDER_KEY] == get_topic(ChainedPostgresRecorder)
    assert "APPLICATION_RECORDER_TOPIC" not in env  # other applications keep eventsourcing's

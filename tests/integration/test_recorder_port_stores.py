"""On SQLite and PostgreSQL the case service gets the chained recorder and the key vault from the
persistence package's environment, and refuses eventsourcing's plain recorder at construction."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.calendar import WorkingCalendar
from domain.policy import DeadlinePolicy, TimeLimits
from domain.ports import PortNotSatisfied
from domain.service import CaseService
from wenzheng.store.env import RECORDER_KEY, VAULT_KEY, postgres_env, sqlite_env
from wenzheng.store.keys import PostgresKeyVault, SQLiteKeyVault
from wenzheng.store.postgres import ChainedPostgresRecorder
from wenzheng.store.sqlite import ChainedSQLiteRecorder

POLICY = DeadlinePolicy(TimeLimits(), WorkingCalendar())


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def chained_env(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """The persistence package's environment for a fresh store."""
    if request.param == "sqlite":
        return sqlite_env(tmp_path / "events.sqlite")
    return postgres_env(request.getfixturevalue("postgres_schema_url"))


def test_the_service_gets_the_chained_recorder_and_vault_the_environment_names(
    chained_env: dict[str, str],
) -> None:
    service = CaseService(POLICY, ["CGJ"], env=chained_env)
    try:
        pg = chained_env["PERSISTENCE_MODULE"] == "eventsourcing.postgres"
        wanted = (ChainedPostgresRecorder, PostgresKeyVault) if pg else \
            (ChainedSQLiteRecorder, SQLiteKeyVault)
        assert (type(service.recorder), type(service.vault)) == wanted
        assert service.chained is service.recorder
        assert service.chain_head() == (0, bytes(32).hex())
    finally:
        service.close()


def test_eventsourcings_plain_recorder_is_refused_at_construction(
    chained_env: dict[str, str],
) -> None:
    plain = {k: v for k, v in chained_env.items() if k not in (RECORDER_KEY, VAULT_KEY)}
    with pytest.raises(PortNotSatisfied, match="缺少 chain_head, select_events_of"):
        CaseService(POLICY, ["CGJ"], env=plain)

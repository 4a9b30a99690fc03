"""eventsourcing's environment for the case service's store: which chained recorder, which vault.

The persistence package picks the implementation of domain/ports.py's interfaces here, by
eventsourcing's own mechanism: the recorder's topic (APPLICATION_RECORDER_TOPIC) and the key
vault's topic, prefixed with the service's name so only the case service reads them.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

SQLITE, POSTGRES = "eventsourcing.sqlite", "eventsourcing.postgres"
SERVICE_PREFIX = "WENZHENG_"  # CaseService.name: eventsourcing reads NAME_KEY before KEY
RECORDER_KEY = SERVICE_PREFIX + "APPLICATION_RECORDER_TOPIC"
VAULT_KEY = SERVICE_PREFIX + "KEY_VAULT_TOPIC"
# The hash-chained recorders and the key vaults, by eventsourcing persistence module.
CHAINED_RECORDERS = {
    SQLITE: "wenzheng.store.sqlite:ChainedSQLiteRecorder",
    POSTGRES: "wenzheng.store.postgres:ChainedPostgresRecorder",
}
KEY_VAULTS = {
    SQLITE: "wenzheng.store.keys:SQLiteKeyVault",
    POSTGRES: "wenzheng.store.keys:PostgresKeyVault",
}


def chained(env: dict[str, str]) -> dict[str, str]:
    """The environment with the chained recorder and key vault of its persistence module."""
    module = env["PERSISTENCE_MODULE"]
    return {**env, RECORDER_KEY: CHAINED_RECORDERS[module], VAULT_KEY: KEY_VAULTS[module]}


def sqlite_env(events_db: Path) -> dict[str, str]:
    """The embedded SQLite store in this file."""
    return chained({"PERSISTENCE_MODULE": SQLITE, "SQLITE_DBNAME": str(events_db)})


def postgres_env(url: str) -> dict[str, str]:
    """Translate postgresql://user:pw@host:port/db?schema=s into eventsourcing's variables."""
    parts = urlparse(url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise ValueError("WENZHENG_DATABASE_URL 必须以 postgresql:// 开头")
    query = parse_qs(parts.query)
    env = {
        "PERSISTENCE_MODULE": POSTGRES,
        "POSTGRES_DBNAME": unquote(parts.path.lstrip("/")) or "postgres",
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
    }
    if "schema" in query:
        env["POSTGRES_SCHEMA"] = query["schema"][0]
    return chained(env)

"""Move case keys kept beside the events (before keys moved apart) into the key vault, once."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from typing import Any
from uuid import UUID

from psycopg import sql

from wenzheng.store.sqlite import KEYS_TABLE

LegacyRow = tuple[UUID, bytes | None, str | None, str | None]
Connect = Callable[..., Any]  # env, autocommit= → a psycopg connection (the caller's own)


def migrate_legacy_keys(env: Mapping[str, str], vault: Any, connect: Connect) -> int:
    """Wrap and move the old table's keys into the vault, then drop it; the keys moved."""
    if env.get("PERSISTENCE_MODULE") == "eventsourcing.postgres":
        return _migrate_postgres(env, vault, connect)
    if env.get("PERSISTENCE_MODULE") == "eventsourcing.sqlite":
        return _migrate_sqlite(env, vault)
    return 0


def _move(rows: list[LegacyRow], vault: Any) -> int:
    """Store the live keys and note the erasures."""
    vault.store_keys({oid: key for oid, key, _, _ in rows if key is not None})
    for oid, key, at, reason in rows:
        if key is None and at is not None:
            vault.record_erased(oid, at, reason or "")
    return sum(1 for r in rows if r[1] is not None)


def _migrate_sqlite(env: Mapping[str, str], vault: Any) -> int:
    """SQLite: move, drop, and rewrite the file so the old keys' bytes are gone."""
    name = env.get("SQLITE_DBNAME", "")
    if not name or ":memory:" in name or "mode=memory" in name:
        return 0
    conn = sqlite3.connect(name, timeout=30, isolation_level=None)
    try:
        found = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?",
                             (KEYS_TABLE,)).fetchone()
        if found is None:
            return 0
        rows = [(UUID(r[0]), bytes(r[1]) if r[1] is not None else None, r[2], r[3])
                for r in conn.execute(f"SELECT originator_id, key, erased_at, reason "
                                      f"FROM {KEYS_TABLE}")]
        moved = _move(rows, vault)
        conn.execute("PRAGMA secure_delete=ON")
        conn.execute(f"DROP TABLE {KEYS_TABLE}")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("VACUUM")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return moved


def _migrate_postgres(env: Mapping[str, str], vault: Any, connect: Connect) -> int:
    """PostgreSQL: move and drop the old table (its files go with it)."""
    schema = env.get("POSTGRES_SCHEMA") or "public"
    table = sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(KEYS_TABLE))
    with connect(dict(env), autocommit=True) as conn:
        if conn.execute("SELECT to_regclass(%s)", (f'"{schema}"."{KEYS_TABLE}"',)
                        ).fetchone()[0] is None:
            return 0
        rows = [(UUID(str(r[0])), bytes(r[1]) if r[1] is not None else None, r[2], r[3])
                for r in conn.execute(sql.SQL("SELECT originator_id, key, erased_at, reason "
                                              "FROM {}").format(table))]
        moved = _move(rows, vault)
        conn.execute(sql.SQL("DROP TABLE {}").format(table))
    return moved

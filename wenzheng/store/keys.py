"""Case keys stored apart from the events (own SQLite file / own PostgreSQL schema), KEK-wrapped.

Erasing deletes every key row of the case and leaves no copy in the key store's files or pages:
SQLite runs with `secure_delete` and a rollback journal (the commit writes the zeroed page into
the file itself; no WAL frame keeps the old page), PostgreSQL rewrites the key table
(TRUNCATE and copy back the other cases' keys) so no dead tuple is kept.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

from psycopg import sql

from domain.ports import KeyVault
from wenzheng.store.kek import load_kek, unwrap, wrap
from wenzheng.store.pgconnect import connect_postgres

KEYS_DB_ENV = "WENZHENG_KEYS_DBNAME"
KEYS_FILE = "keys.sqlite"
KEY_TABLE, ERASURE_TABLE = "case_keys", "erasures"


def keys_schema(env: Mapping[str, str]) -> str:
    """The schema holding the keys: `<events schema>_keys` (`wenzheng_keys` for public)."""
    schema = env.get("POSTGRES_SCHEMA") or "public"
    return "wenzheng_keys" if schema == "public" else f"{schema}_keys"


def keys_path(env: Mapping[str, str]) -> str:
    """The SQLite key file: WENZHENG_KEYS_DBNAME, else keys.sqlite beside the events file."""
    given = env.get(KEYS_DB_ENV, "").strip()
    if given:
        return given
    events = env.get("SQLITE_DBNAME", ":memory:")
    if ":memory:" in events or "mode=memory" in events:
        return ":memory:"
    return str(Path(events).with_name(KEYS_FILE))


class _Wrapping:
    """KEK handling shared by both vaults (the KEK is read only when a key is sealed or opened)."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = dict(env)
        self._kek: bytes | None = None

    def kek(self) -> bytes:
        """The KEK, read once."""
        if self._kek is None:
            self._kek = load_kek({**os.environ, **self.env})
        return self._kek

    def _wrapped(self, keys: Mapping[UUID, bytes]) -> list[tuple[UUID, bytes]]:
        kek = self.kek()
        return [(oid, wrap(kek, oid, key)) for oid, key in keys.items()]

    def _unwrapped(self, oid: UUID, blobs: list[bytes]) -> list[bytes]:
        return [unwrap(self.kek(), oid, blob) for blob in blobs] if blobs else []


class SQLiteKeyVault(_Wrapping, KeyVault):
    """Case keys in their own SQLite file (owner-only, secure_delete, rollback journal)."""

    def __init__(self, env: Mapping[str, str]) -> None:
        super().__init__(env)
        self.path = keys_path(self.env)
        self.lock = threading.Lock()
        self.conn = self._connect()

    def _connect(self) -> sqlite3.Connection:
        if self.path != ":memory:":
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            os.close(fd)
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                               check_same_thread=False)
        conn.execute("PRAGMA secure_delete=ON")
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute(f"CREATE TABLE IF NOT EXISTS {KEY_TABLE} (originator_id TEXT NOT NULL, "
                     "wrapped BLOB NOT NULL)")
        conn.execute(f"CREATE INDEX IF NOT EXISTS {KEY_TABLE}_case ON {KEY_TABLE} (originator_id)")
        conn.execute(f"CREATE TABLE IF NOT EXISTS {ERASURE_TABLE} (originator_id TEXT PRIMARY "
                     "KEY, erased_at TEXT NOT NULL, reason TEXT NOT NULL)")
        return conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def store_keys(self, keys: Mapping[UUID, bytes]) -> None:
        """Keep new cases' keys (committed before their events are saved)."""
        if not keys:
            return
        rows = [(oid.hex, blob) for oid, blob in self._wrapped(keys)]
        with self._write() as c:
            c.executemany(f"INSERT INTO {KEY_TABLE} VALUES (?, ?)", rows)

    def case_keys(self, originator_id: UUID) -> list[bytes]:
        """Every key stored for the case (none once erased)."""
        with self.lock:
            rows = self.conn.execute(f"SELECT wrapped FROM {KEY_TABLE} WHERE originator_id=?",
                                     (originator_id.hex,)).fetchall()
        return self._unwrapped(originator_id, [bytes(r[0]) for r in rows])

    def destroy(self, originator_id: UUID, at: str, reason: str) -> None:
        """Delete the case's keys so that no byte of them stays in the file; note the erasure."""
        with self._write() as c:
            c.execute(f"DELETE FROM {KEY_TABLE} WHERE originator_id=?", (originator_id.hex,))
            c.execute(f"INSERT OR REPLACE INTO {ERASURE_TABLE} VALUES (?, ?, ?)",
                      (originator_id.hex, at, reason))
        with self.lock:  # a file switched to WAL by someone else: leave nothing in the log
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def record_erased(self, originator_id: UUID, at: str, reason: str) -> None:
        """Note an erasure done before the keys moved here (migration)."""
        with self._write() as c:
            c.execute(f"INSERT OR REPLACE INTO {ERASURE_TABLE} VALUES (?, ?, ?)",
                      (originator_id.hex, at, reason))

    def close(self) -> None:
        """Close the key file."""
        self.conn.close()


class PostgresKeyVault(_Wrapping, KeyVault):
    """Case keys in their own PostgreSQL schema; erasure rewrites the key table."""

    def __init__(self, env: Mapping[str, str]) -> None:
        super().__init__(env)
        schema = sql.Identifier(keys_schema(self.env))
        self.table = sql.SQL("{}.{}").format(schema, sql.Identifier(KEY_TABLE))
        self.erasures = sql.SQL("{}.{}").format(schema, sql.Identifier(ERASURE_TABLE))
        with self._connect() as conn:
            conn.execute("SELECT pg_advisory_lock(hashtext('wenzheng_keys'))")
            conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(schema))
            conn.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {} (originator_id uuid NOT NULL, "
                                 "wrapped bytea NOT NULL)").format(self.table))
            conn.execute(sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} (originator_id)").format(
                sql.Identifier(f"{KEY_TABLE}_case"), self.table))
            conn.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {} (originator_id uuid PRIMARY KEY, "
                                 "erased_at text NOT NULL, reason text NOT NULL)"
                                 ).format(self.erasures))
            conn.execute("SELECT pg_advisory_unlock(hashtext('wenzheng_keys'))")

    def _connect(self) -> Any:
        return connect_postgres(self.env, autocommit=True)

    def store_keys(self, keys: Mapping[UUID, bytes]) -> None:
        """Keep new cases' keys (committed before their events are saved)."""
        if not keys:
            return
        rows = self._wrapped(keys)
        with self._connect() as conn, conn.cursor() as c:
            c.executemany(sql.SQL("INSERT INTO {} VALUES (%s, %s)").format(self.table), rows)

    def case_keys(self, originator_id: UUID) -> list[bytes]:
        """Every key stored for the case (none once erased)."""
        with self._connect() as conn:
            rows = conn.execute(sql.SQL("SELECT wrapped FROM {} WHERE originator_id=%s"
                                        ).format(self.table), (originator_id,)).fetchall()
        return self._unwrapped(originator_id, [bytes(r[0]) for r in rows])

    def destroy(self, originator_id: UUID, at: str, reason: str) -> None:
        """Rewrite the key table without the case's keys, so no page keeps them.

        A DELETE (even followed by VACUUM FULL) leaves the tuple in place while any snapshot
        on the server may still see it; TRUNCATE gives the table a new, empty file at once,
        and the other cases' keys are copied back in the same locked transaction.
        """
        with self._connect() as conn, conn.transaction():
            conn.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(self.table))
            conn.execute(sql.SQL("CREATE TEMP TABLE wz_keep ON COMMIT DROP AS SELECT * FROM {} "
                                 "WHERE originator_id <> %s").format(self.table), (originator_id,))
            conn.execute(sql.SQL("TRUNCATE {}").format(self.table))
            conn.execute(sql.SQL("INSERT INTO {} SELECT * FROM wz_keep").format(self.table))
            self._note(conn, originator_id, at, reason)

    def record_erased(self, originator_id: UUID, at: str, reason: str) -> None:
        """Note an erasure done before the keys moved here (migration)."""
        with self._connect() as conn:
            self._note(conn, originator_id, at, reason)

    def _note(self, conn: Any, originator_id: UUID, at: str, reason: str) -> None:
        conn.execute(sql.SQL("INSERT INTO {} VALUES (%s, %s, %s) ON CONFLICT (originator_id) DO "
                             "UPDATE SET erased_at=excluded.erased_at, reason=excluded.reason"
                             ).format(self.erasures), (originator_id, at, reason))

    def close(self) -> None:
        """Nothing held open (one connection per call)."""

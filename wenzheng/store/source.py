"""Raw, ordered reads of the event and chain tables for verification, on SQLite or PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any
from uuid import UUID

from wenzheng.store.pgconnect import connect_postgres
from wenzheng.store.sqlite import CHAIN_TABLE, KEYS_TABLE

EventRow = tuple[UUID, int, str, bytes, int]  # case id, version, topic, state, notification id
LinkRow = tuple[UUID, int, bytes, bytes, int]  # case id, version, content, event hash, position
BATCH = 5000


class Source(AbstractContextManager["Source"]):
    """One read-only connection to the store's tables."""

    def __init__(self, env: dict[str, str]) -> None:
        self.postgres = env.get("PERSISTENCE_MODULE") == "eventsourcing.postgres"
        self.cursors = 0
        if self.postgres:
            self.conn: Any = connect_postgres(env)
            schema = env.get("POSTGRES_SCHEMA") or "public"
            self.events = f'"{schema}"."wenzheng_events"'
            self.chain, self.keys = f'"{schema}"."{CHAIN_TABLE}"', f'"{schema}"."{KEYS_TABLE}"'
            self.rowid, self.mark = "notification_id", "%s"
        else:
            self.conn = sqlite3.connect(f"file:{env['SQLITE_DBNAME']}?mode=ro", uri=True)
            self.events, self.chain, self.keys = "stored_events", CHAIN_TABLE, KEYS_TABLE
            self.rowid, self.mark = "rowid", "?"

    def __exit__(self, *exc: object) -> None:
        self.conn.close()

    def _id(self, oid: UUID) -> Any:
        """A case id as the store keeps it."""
        return oid if self.postgres else oid.hex

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
        """Stream a query's rows in batches (a server-side cursor on PostgreSQL)."""
        self.cursors += 1
        cur = (self.conn.cursor(name=f"wz_verify_{self.cursors}") if self.postgres
               else self.conn.cursor())
        cur.execute(sql, params)
        while rows := cur.fetchmany(BATCH):
            yield from rows
        cur.close()

    def _where(self, oid: UUID | None) -> tuple[str, tuple[Any, ...]]:
        """A filter on one case, or none."""
        if oid is None:
            return "", ()
        return f" WHERE originator_id = {self.mark}", (self._id(oid),)

    def events_by_case(self, oid: UUID | None = None) -> Iterator[EventRow]:
        """Stored events ordered by case and version."""
        where, params = self._where(oid)
        sql = (f"SELECT originator_id, originator_version, topic, state, {self.rowid} FROM "
               f"{self.events}{where} ORDER BY originator_id, originator_version")
        for r in self._rows(sql, params):
            yield UUID(str(r[0])), int(r[1]), str(r[2]), bytes(r[3]), int(r[4])

    def links_by_case(self, oid: UUID | None = None) -> Iterator[LinkRow]:
        """Chain rows ordered by case and version."""
        where, params = self._where(oid)
        sql = (f"SELECT originator_id, originator_version, content_hash, event_hash, "
               f"notification_id FROM {self.chain}{where} "
               "ORDER BY originator_id, originator_version")
        for r in self._rows(sql, params):
            yield UUID(str(r[0])), int(r[1]), bytes(r[2]), bytes(r[3]), int(r[4])

    def links_by_position(self) -> Iterator[tuple[int, UUID, int, bytes, bytes]]:
        """Chain rows in notification order: position, case, version, event hash, chain hash."""
        sql = (f"SELECT notification_id, originator_id, originator_version, event_hash, "
               f"chain_hash FROM {self.chain} ORDER BY notification_id")
        for r in self._rows(sql):
            yield int(r[0]), UUID(str(r[1])), int(r[2]), bytes(r[3]), bytes(r[4])

    def chain_at(self, position: int) -> bytes | None:
        """The global chain hash recorded at a position."""
        cur = self.conn.cursor()
        cur.execute(f"SELECT chain_hash FROM {self.chain} WHERE notification_id = {self.mark}",
                    (position,))
        row = cur.fetchone()
        return bytes(row[0]) if row else None

    def head_at(self, position: int) -> tuple[int, bytes] | None:
        """The last chain row at or before a position."""
        cur = self.conn.cursor()
        cur.execute(f"SELECT notification_id, chain_hash FROM {self.chain} WHERE notification_id "
                    f"<= {self.mark} ORDER BY notification_id DESC LIMIT 1", (position,))
        row = cur.fetchone()
        return (int(row[0]), bytes(row[1])) if row else None

    def first_state(self, oid: UUID) -> bytes | None:
        """The state of the case's first stored event (to name the case)."""
        cur = self.conn.cursor()
        cur.execute(f"SELECT state FROM {self.events} WHERE originator_id = {self.mark} "
                    "ORDER BY originator_version LIMIT 1", (self._id(oid),))
        row = cur.fetchone()
        return bytes(row[0]) if row else None

    def first_states(self) -> Iterator[tuple[UUID, bytes]]:
        """Every case's first stored event's state (to name cases in a checkpoint)."""
        sql = f"SELECT originator_id, state FROM {self.events} WHERE originator_version = 1"
        for r in self._rows(sql):
            yield UUID(str(r[0])), bytes(r[1])

    def count_upto(self, position: int) -> int:
        """How many chain rows lie at or before a position."""
        cur = self.conn.cursor()
        cur.execute(f"SELECT COUNT(*) FROM {self.chain} WHERE notification_id <= {self.mark}",
                    (position,))
        return int(cur.fetchone()[0])

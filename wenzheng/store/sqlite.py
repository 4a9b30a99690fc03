"""eventsourcing's SQLite application recorder, writing the hash chain with the events."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from domain.ports import ChainedRecorder
from wenzheng.store.chain import GENESIS, first_versions, link_batch

CHAIN_TABLE = "wenzheng_chain"
KEYS_TABLE = "wenzheng_case_keys"  # before keys moved apart (wenzheng/store/keys.py)
CHUNK = 500


class ChainedSQLiteRecorder(SQLiteApplicationRecorder, ChainedRecorder):
    """Stores each batch's chain links in the events' own transaction (domain/ports.py)."""

    def construct_create_table_statements(self) -> list[str]:
        """The events table plus the chain table."""
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {CHAIN_TABLE} ("
            "notification_id INTEGER PRIMARY KEY, originator_id TEXT NOT NULL, "
            "originator_version INTEGER NOT NULL, content_hash BLOB NOT NULL, "
            "event_hash BLOB NOT NULL, chain_hash BLOB NOT NULL, "
            "UNIQUE (originator_id, originator_version))",
        ]

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        assert ids is not None
        self._insert_links(c, stored_events, ids)
        return ids

    def _insert_links(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], ids: Sequence[int]
    ) -> None:
        """Link the batch to each case's previous event and to the global head."""
        firsts = first_versions([(UUID(str(s.originator_id)), s.originator_version)
                                 for s in stored_events])
        heads: dict[UUID, bytes] = {}
        for oid, version in firsts.items():
            if version > 1:
                c.execute(f"SELECT event_hash FROM {CHAIN_TABLE} WHERE originator_id=? "
                          "AND originator_version=?", (oid.hex, version - 1))
                row = c.fetchone()
                if row is not None:
                    heads[oid] = bytes(row[0])
        c.execute(f"SELECT chain_hash FROM {CHAIN_TABLE} ORDER BY notification_id DESC LIMIT 1")
        row = c.fetchone()
        head = bytes(row[0]) if row is not None else GENESIS
        batch = [(nid, UUID(str(s.originator_id)), s.originator_version, s.topic, s.state)
                 for nid, s in zip(ids, stored_events, strict=True)]
        c.executemany(
            f"INSERT INTO {CHAIN_TABLE} VALUES (?, ?, ?, ?, ?, ?)",
            [(k.notification_id, k.originator_id.hex, k.version, k.content, k.event, k.chain)
             for k in link_batch(batch, heads, head)],
        )

    def select_events_of(self, originator_ids: Sequence[UUID]) -> list[StoredEvent]:
        """Every stored event of these aggregates, by aggregate and version (one query a chunk)."""
        found: list[StoredEvent] = []
        with self.datastore.transaction(commit=False) as c:
            for start in range(0, len(originator_ids), CHUNK):
                chunk = [oid.hex for oid in originator_ids[start:start + CHUNK]]
                c.execute(f"SELECT originator_id, originator_version, topic, state FROM "
                          f"{self.events_table_name} WHERE originator_id IN "
                          f"({','.join('?' * len(chunk))}) ORDER BY originator_id, "
                          "originator_version", chunk)
                found += [StoredEvent(originator_id=UUID(r[0]), originator_version=r[1],
                                      topic=r[2], state=r[3]) for r in c.fetchall()]
        return found

    def chain_head(self) -> tuple[int, bytes]:
        """The global chain's last position and hash (0 and the genesis hash when empty)."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT notification_id, chain_hash FROM {CHAIN_TABLE} "
                      "ORDER BY notification_id DESC LIMIT 1")
            row = c.fetchone()
        return (row[0], bytes(row[1])) if row is not None else (0, GENESIS)

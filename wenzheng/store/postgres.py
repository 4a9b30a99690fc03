"""eventsourcing's PostgreSQL application recorder, writing the hash chain with the events."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from domain.ports import ChainedRecorder
from wenzheng.store.chain import GENESIS, first_versions, link_batch

CHAIN_TABLE = "wenzheng_chain"
KEYS_TABLE = "wenzheng_case_keys"  # before keys moved apart (wenzheng/store/keys.py)


class ChainedPostgresRecorder(PostgresApplicationRecorder, ChainedRecorder):
    """Stores each batch's chain links in the events' own locked transaction (domain/ports.py)."""

    def __init__(self, datastore: PostgresDatastore, *,
                 events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        schema = Identifier(datastore.schema)
        self.chain = SQL("{}.{}").format(schema, Identifier(CHAIN_TABLE))
        self.sql_create_statements.append(SQL(
            "CREATE TABLE IF NOT EXISTS {} (notification_id bigint PRIMARY KEY, "
            "originator_id uuid NOT NULL, originator_version bigint NOT NULL, "
            "content_hash bytea NOT NULL, event_hash bytea NOT NULL, chain_hash bytea NOT NULL, "
            "UNIQUE (originator_id, originator_version))").format(self.chain))

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        assert ids is not None
        with curs.connection.cursor() as c:
            self._insert_links(c, stored_events, ids)
        return ids

    def _insert_links(self, c: Cursor[Any], stored_events: Sequence[StoredEvent],
                      ids: Sequence[int]) -> None:
        """Link the batch to each case's previous event and to the global head (table locked)."""
        firsts = first_versions([(UUID(str(s.originator_id)), s.originator_version)
                                 for s in stored_events])
        wanted = [(oid, v - 1) for oid, v in firsts.items() if v > 1]
        heads: dict[UUID, bytes] = {}
        if wanted:
            c.execute(SQL("SELECT originator_id, event_hash FROM {} WHERE (originator_id, "
                          "originator_version) IN (SELECT * FROM unnest(%s::uuid[], %s::bigint[]))"
                          ).format(self.chain), ([w[0] for w in wanted], [w[1] for w in wanted]))
            heads = {_row(r, 0, "originator_id"): bytes(_row(r, 1, "event_hash"))
                     for r in c.fetchall()}
        c.execute(SQL("SELECT chain_hash FROM {} ORDER BY notification_id DESC LIMIT 1"
                      ).format(self.chain))
        row = c.fetchone()
        head = bytes(_row(row, 0, "chain_hash")) if row is not None else GENESIS
        batch = [(nid, UUID(str(s.originator_id)), s.originator_version, s.topic, s.state)
                 for nid, s in zip(ids, stored_events, strict=True)]
        c.executemany(SQL("INSERT INTO {} VALUES (%s, %s, %s, %s, %s, %s)").format(self.chain),
                      [(k.notification_id, k.originator_id, k.version, k.content, k.event, k.chain)
                       for k in link_batch(batch, heads, head)])

    def select_events_of(self, originator_ids: Sequence[UUID]) -> list[StoredEvent]:
        """Every stored event of these aggregates, by aggregate and version (one query).

        The plan must not depend on the table's statistics: a table never analysed (autovacuum
        off, or not yet run after a bulk load) gives `originator_id = ANY($1)` under a prepared
        statement's generic plan an estimate that grows with the table, and a parallel bitmap
        scan plus a JIT compile per call (70 ms at 100,000 cases; seconds behind at 1,000,000).
        One index probe per case (LATERAL) and no JIT keep it a few milliseconds at any size.
        """
        if not originator_ids:
            return []
        table = SQL("{}.{}").format(Identifier(self.datastore.schema),
                                    Identifier(self.events_table_name))
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as c:
            c.execute("SET LOCAL jit = off")
            c.execute(SQL("SELECT e.originator_id, e.originator_version, e.topic, e.state FROM "
                          "unnest(%s::uuid[]) WITH ORDINALITY AS w(id, n) CROSS JOIN LATERAL "
                          "(SELECT * FROM {} WHERE originator_id = w.id "
                          "ORDER BY originator_version) AS e ORDER BY w.n, e.originator_version"
                          ).format(table), (list(dict.fromkeys(originator_ids)),))
            return [StoredEvent(originator_id=_row(r, 0, "originator_id"),
                                originator_version=_row(r, 1, "originator_version"),
                                topic=_row(r, 2, "topic"), state=bytes(_row(r, 3, "state")))
                    for r in c.fetchall()]

    def chain_head(self) -> tuple[int, bytes]:
        """The global chain's last position and hash (0 and the genesis hash when empty)."""
        with self.datastore.get_connection() as conn, conn.cursor() as c:
            c.execute(SQL("SELECT notification_id, chain_hash FROM {} "
                          "ORDER BY notification_id DESC LIMIT 1").format(self.chain))
            row = c.fetchone()
        if row is None:
            return 0, GENESIS
        return int(_row(row, 0, "notification_id")), bytes(_row(row, 1, "chain_hash"))


def _row(row: Any, index: int, name: str) -> Any:
    """A column of a tuple row or a dict row."""
    return row[name] if isinstance(row, dict) else row[index]

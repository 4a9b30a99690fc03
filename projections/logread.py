"""Pages of the store's notification log as plain rows, read straight from the events table.

eventsourcing's `select_notifications` builds a Notification object and a UUID for every row;
a rebuild reads millions, so the SQLite and PostgreSQL recorders are read with one plain
query instead. Any other recorder (the in-memory one of the tests) goes through the API.
"""

from __future__ import annotations

from typing import Any, Protocol

from eventsourcing.persistence import Notification
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder

# position, case id (UUID, or its text), version, topic, stored state
LogRow = tuple[int, Any, int, str, bytes]


class LogReader(Protocol):
    """Reads the notification log in pages."""

    def page(self, after: int, limit: int) -> list[LogRow]:
        """Up to `limit` rows after position `after`, in order."""
        ...


def log_reader(recorder: Any) -> LogReader:
    """The fastest reader this recorder allows."""
    if isinstance(recorder, SQLiteApplicationRecorder):
        return SQLiteLog(recorder)
    if isinstance(recorder, PostgresApplicationRecorder):
        return PostgresLog(recorder)
    return ApiLog(recorder)


class SQLiteLog:
    """The SQLite recorder's events table, read through its own connection pool."""

    def __init__(self, recorder: Any) -> None:
        self.datastore = recorder.datastore
        self.query = (f"SELECT rowid, originator_id, originator_version, topic, state "
                      f"FROM {recorder.events_table_name} WHERE rowid > ? ORDER BY rowid LIMIT ?")

    def page(self, after: int, limit: int) -> list[LogRow]:
        """Up to `limit` rows after position `after`, in order."""
        with self.datastore.transaction(commit=False) as cursor, cursor as plain:
            plain.row_factory = None  # tuples, not sqlite3.Row
            plain.execute(self.query, (after, limit))
            return plain.fetchall()


class PostgresLog:
    """The PostgreSQL recorder's events table, read through its own connection pool."""

    def __init__(self, recorder: Any) -> None:
        from psycopg.sql import SQL, Identifier

        self.datastore = recorder.datastore
        self.query = SQL(
            "SELECT notification_id, originator_id, originator_version, topic, state "
            "FROM {}.{} WHERE notification_id > %s ORDER BY notification_id LIMIT %s").format(
            Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name))

    def page(self, after: int, limit: int) -> list[LogRow]:
        """Up to `limit` rows after position `after`, in order."""
        from psycopg.rows import tuple_row

        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as cur:
            cur.execute(self.query, (after, limit), prepare=True)
            return [(p, o, v, t, bytes(s)) for p, o, v, t, s in cur.fetchall()]


class ApiLog:
    """Any recorder, through eventsourcing's select_notifications."""

    def __init__(self, recorder: Any) -> None:
        self.recorder = recorder

    def page(self, after: int, limit: int) -> list[LogRow]:
        """Up to `limit` rows after position `after`, in order."""
        return [(n.id, n.originator_id, n.originator_version, n.topic, n.state)
                for n in self.recorder.select_notifications(after + 1, limit)]


def notification(row: LogRow) -> Notification:
    """The eventsourcing Notification of a row (for the mapper)."""
    return Notification(id=row[0], originator_id=row[1], originator_version=row[2],
                        topic=row[3], state=row[4])

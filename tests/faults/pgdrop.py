"""Holding a PostgreSQL writer inside its transaction and terminating its connection.

A statement trigger on the table under test waits for a shared advisory lock that the test
holds exclusively, so the writer stops *after* its rows are written and *before* it commits.
The test then sees the writer's backend waiting, checks that nothing of it is visible, and
calls pg_terminate_backend on it: the same as a database restart or a network cut mid-write.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlparse, urlunparse

import psycopg
from psycopg import sql

WAIT_S = 60.0


def split_url(url: str) -> tuple[str, str]:
    """(connection URL without the query, schema named by ?schema=)."""
    parts = urlparse(url)
    schema = parse_qs(parts.query).get("schema", ["public"])[0]
    return urlunparse(parts._replace(query="")), schema


class Holder:
    """A trigger that parks writers of one table, and the lock that releases them."""

    def __init__(self, url: str, table: str) -> None:
        conninfo, self.schema = split_url(url)
        self.table = table
        self.key = random.randrange(1, 2**31)
        self.conn: Any = psycopg.connect(conninfo, autocommit=True)
        self.function = sql.Identifier(self.schema, f"hold_{self.key}")
        self.trigger = sql.Identifier(f"hold_{self.key}")
        self.target = sql.Identifier(self.schema, table)

    def install(self) -> None:
        """Create the trigger and take the lock: the next write of the table will wait."""
        self.conn.execute(sql.SQL(
            "CREATE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "PERFORM pg_advisory_xact_lock_shared({}); RETURN NULL; END $$").format(
                self.function, sql.Literal(self.key)))
        self.conn.execute(sql.SQL(
            "CREATE TRIGGER {} AFTER INSERT OR UPDATE ON {} FOR EACH STATEMENT "
            "EXECUTE FUNCTION {}()").format(self.trigger, self.target, self.function))
        self.conn.execute("SELECT pg_advisory_lock(%s)", (self.key,))

    def waiting_writer(self, alive: Callable[[], bool] = lambda: True) -> int:
        """The pid of the backend parked on the lock (waits up to a minute for one)."""
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline and alive():
            row = self.conn.execute(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
                "AND objid = %s LIMIT 1", (self.key,)).fetchone()
            if row:
                return int(row[0])
            time.sleep(0.01)
        raise AssertionError(f"no writer of {self.table} reached the trigger")

    def terminate(self, pid: int) -> None:
        """pg_terminate_backend: the writer's connection drops mid-transaction."""
        assert self.conn.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]

    def count(self, table: str | None = None) -> int:
        """Committed rows of the table (what other sessions can see)."""
        target = sql.Identifier(self.schema, table) if table else self.target
        return int(self.conn.execute(sql.SQL("SELECT count(*) FROM {}").format(target))
                   .fetchone()[0])

    def release(self) -> None:
        """Let waiting writers go, then drop the trigger (in that order: a parked writer holds
        the table lock that DROP TRIGGER needs, and waits for the advisory lock)."""
        self.conn.execute("SELECT pg_advisory_unlock_all()")
        self.conn.execute(sql.SQL("DROP TRIGGER IF EXISTS {} ON {}").format(
            self.trigger, self.target))

    def close(self) -> None:
        """Release everything and close the connection."""
        try:
            self.release()
            self.conn.execute(sql.SQL("DROP FUNCTION IF EXISTS {}()").format(self.function))
        finally:
            self.conn.close()


@contextmanager
def holding(url: str, table: str) -> Iterator[Holder]:
    """A Holder installed on the table for the duration of the block."""
    holder = Holder(url, table)
    holder.install()
    try:
        yield holder
    finally:
        holder.close()

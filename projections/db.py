"""The read-model database: SQLite (embedded) or PostgreSQL, with the dialect differences."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse, urlunparse

SQLITE, POSTGRES = "sqlite", "postgres"


class Database:
    """One connection to the read models; SQL is written with `?` placeholders."""

    def __init__(self, conn: Any, dialect: str, schema: str | None = None) -> None:
        self.conn, self.dialect, self.schema = conn, dialect, schema

    @classmethod
    def sqlite(cls, path: Path | str) -> Database:
        """The embedded read models in a SQLite file (WAL, so reads go on during writes)."""
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=60,
                               check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        return cls(conn, SQLITE)

    @classmethod
    def postgres(cls, url: str) -> Database:
        """The read models in PostgreSQL; `?schema=s` selects (and creates) the schema."""
        import psycopg

        parts = urlparse(url)
        schema = parse_qs(parts.query).get("schema", [None])[0]
        conninfo = urlunparse(parts._replace(query=""))
        conn = psycopg.connect(conninfo, autocommit=True)
        if schema:
            from psycopg import sql

            conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
            conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
        return cls(conn, POSTGRES, schema)

    def sql(self, text: str) -> str:
        """The statement in this dialect's placeholder style."""
        return text.replace("?", "%s") if self.dialect == POSTGRES else text

    def execute(self, text: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement; returns the cursor."""
        return self.conn.execute(self.sql(text), tuple(params))

    def executemany(self, text: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement for many parameter rows."""
        if not rows:
            return
        if self.dialect == POSTGRES:
            with self.conn.cursor() as cur:
                cur.executemany(self.sql(text), rows)
        else:
            self.conn.executemany(text, rows)

    def copy_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
                  ) -> None:
        """Append many rows to a table (PostgreSQL: COPY; SQLite: one prepared INSERT)."""
        if not rows:
            return
        names = ", ".join(columns)
        if self.dialect == POSTGRES:
            with self.conn.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as cp:
                for row in rows:
                    cp.write_row(row)
            return
        marks = ", ".join("?" for _ in columns)
        self.conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)

    def fetchall(self, text: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """All rows of a query."""
        return [tuple(r) for r in self.execute(text, params).fetchall()]

    def fetchone(self, text: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        """The first row of a query, or None."""
        row = self.execute(text, params).fetchone()
        return tuple(row) if row is not None else None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction (SQLite: BEGIN IMMEDIATE, so writers queue up)."""
        if self.dialect == POSTGRES:
            with self.conn.transaction():
                yield
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    @contextmanager
    def consistent_read(self) -> Iterator[None]:
        """A read transaction: every query inside sees the same committed state."""
        if self.dialect == POSTGRES:
            with self.conn.transaction():
                self.conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                yield
            return
        self.conn.execute("BEGIN")
        try:
            yield
        finally:
            self.conn.execute("COMMIT")

    def table_exists(self, name: str) -> bool:
        """Whether a table of this name exists (in the schema in use)."""
        if self.dialect == POSTGRES:
            row = self.fetchone("SELECT to_regclass(?) IS NOT NULL", (name,))
            return bool(row and row[0])
        row = self.fetchone("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,))
        return row is not None

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()


def open_database(url: str | None, sqlite_path: Path) -> Database:
    """PostgreSQL when a URL is given, else the embedded SQLite file."""
    if url:
        return Database.postgres(url)
    sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    return Database.sqlite(sqlite_path)

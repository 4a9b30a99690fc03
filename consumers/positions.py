"""The relay's position per topic, kept in a small table of the event store's own database.

The table `wenzheng_relay_position (topic, position, updated_at)` sits beside the events
(SQLite file or PostgreSQL schema), so the position always describes *that* store; a new
topic name starts at 0, and `reset` (used by `--republish`) sets a topic back to 0.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

TABLE = "wenzheng_relay_position"


class RelayPositions(Protocol):
    """Last notification id the relay has published to each topic (0 when none)."""

    def get(self, topic: str) -> int:
        """The recorded position for the topic."""

    def advance(self, topic: str, position: int) -> None:
        """Record a higher position (never moves back)."""

    def reset(self, topic: str) -> None:
        """Set the topic's position back to 0."""

    def close(self) -> None:
        """Release the connection."""


def open_positions(store_env: Mapping[str, str]) -> RelayPositions:
    """The position table of the event store that `store_env` describes."""
    module = store_env.get("PERSISTENCE_MODULE", "")
    if module == "eventsourcing.sqlite":
        return SQLitePositions(store_env["SQLITE_DBNAME"])
    if module == "eventsourcing.postgres":
        return PostgresPositions(store_env)
    raise ValueError(f"中继位置表不支持此事件存储：{module!r}")


def _now() -> str:
    """Wall-clock time for the updated_at column (infrastructure, not domain)."""
    return datetime.now(UTC).isoformat()


class SQLitePositions:
    """Positions in the embedded SQLite event store file."""

    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, timeout=30, isolation_level=None)
        self.conn.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (topic TEXT PRIMARY KEY, "
                          "position INTEGER NOT NULL, updated_at TEXT NOT NULL)")

    def get(self, topic: str) -> int:
        """The recorded position for the topic."""
        row = self.conn.execute(f"SELECT position FROM {TABLE} WHERE topic = ?",
                                (topic,)).fetchone()
        return int(row[0]) if row else 0

    def advance(self, topic: str, position: int) -> None:
        """Record a higher position (never moves back)."""
        self.conn.execute(
            f"INSERT INTO {TABLE} (topic, position, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (topic) DO UPDATE SET position = MAX(position, excluded.position), "
            "updated_at = excluded.updated_at", (topic, position, _now()))

    def reset(self, topic: str) -> None:
        """Set the topic's position back to 0."""
        self.conn.execute(
            f"INSERT INTO {TABLE} (topic, position, updated_at) VALUES (?, 0, ?) "
            "ON CONFLICT (topic) DO UPDATE SET position = 0, updated_at = excluded.updated_at",
            (topic, _now()))

    def close(self) -> None:
        """Release the connection."""
        self.conn.close()


class PostgresPositions:
    """Positions in the PostgreSQL event store's schema."""

    def __init__(self, env: Mapping[str, str]) -> None:
        import psycopg
        from psycopg import sql

        self.conn: Any = psycopg.connect(
            host=env.get("POSTGRES_HOST", "127.0.0.1"), port=env.get("POSTGRES_PORT", "5432"),
            dbname=env.get("POSTGRES_DBNAME", "postgres"),
            user=env.get("POSTGRES_USER", "postgres"),
            password=env.get("POSTGRES_PASSWORD", ""), autocommit=True, connect_timeout=10,
        )
        schema = env.get("POSTGRES_SCHEMA", "").strip()
        self.table = sql.Identifier(schema, TABLE) if schema else sql.Identifier(TABLE)
        if schema:
            self.conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                sql.Identifier(schema)))
        self.conn.execute(sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} (topic TEXT PRIMARY KEY, position BIGINT NOT NULL, "
            "updated_at TIMESTAMPTZ NOT NULL DEFAULT now())").format(self.table))
        self.sql = sql

    def get(self, topic: str) -> int:
        """The recorded position for the topic."""
        row = self.conn.execute(self.sql.SQL("SELECT position FROM {} WHERE topic = %s").format(
            self.table), (topic,)).fetchone()
        return int(row[0]) if row else 0

    def advance(self, topic: str, position: int) -> None:
        """Record a higher position (never moves back)."""
        self.conn.execute(self.sql.SQL(
            "INSERT INTO {0} (topic, position) VALUES (%s, %s) ON CONFLICT (topic) DO UPDATE "
            "SET position = GREATEST({0}.position, excluded.position), updated_at = now()"
        ).format(self.table), (topic, position))

    def reset(self, topic: str) -> None:
        """Set the topic's position back to 0."""
        self.conn.execute(self.sql.SQL(
            "INSERT INTO {} (topic, position) VALUES (%s, 0) ON CONFLICT (topic) DO UPDATE "
            "SET position = 0, updated_at = now()").format(self.table), (topic,))

    def close(self) -> None:
        """Release the connection."""
        self.conn.close()

"""Connecting to the PostgreSQL store: connections, a one-line reason when it fails, schemas."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def connect_postgres(env: dict[str, str], autocommit: bool = False,
                     timeout: int | None = None) -> Any:
    """A psycopg connection to the database described by eventsourcing's variables."""
    import psycopg

    return psycopg.connect(
        host=env["POSTGRES_HOST"], port=int(env["POSTGRES_PORT"]), user=env["POSTGRES_USER"],
        password=env.get("POSTGRES_PASSWORD") or None, dbname=env["POSTGRES_DBNAME"],
        autocommit=autocommit, connect_timeout=timeout)


class StoreUnavailable(RuntimeError):
    """The configured PostgreSQL server cannot be used; the message never holds the password."""


_PG_REASONS = (("password authentication failed", "用户名或密码不对"),
               ("does not exist", "数据库或用户不存在"),
               ("no password supplied", "服务器要求密码，但 URL 中没有"),
               ("Connection refused", "服务器未在该地址监听（连接被拒绝）"),
               ("timeout", "连接超时"),
               ("could not translate host name", "主机名无法解析"))


def check_postgres(env: dict[str, str]) -> None:
    """Fail fast, in one Chinese line, when the PostgreSQL server cannot be reached or entered."""
    import psycopg

    try:
        with connect_postgres(env, autocommit=True, timeout=5):
            pass
    except psycopg.Error as exc:
        text = str(exc)
        reason = next((zh for en, zh in _PG_REASONS if en in text), "连接失败")
        where = (f"{env['POSTGRES_USER']}@{env['POSTGRES_HOST']}:{env['POSTGRES_PORT']}/"
                 f"{env['POSTGRES_DBNAME']}")
        raise StoreUnavailable(f"无法连接 PostgreSQL（{where}）：{reason}") from None


SCHEMA_LOCK_KEY = 0x77656E7A  # "wenz": one advisory lock for creating schemas and tables


@contextmanager
def schema_lock(env: dict[str, str]) -> Iterator[None]:
    """Hold a PostgreSQL advisory lock while schemas and tables are created."""

    with connect_postgres(env, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK_KEY,))
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK_KEY,))


def ensure_schema(env: dict[str, str]) -> None:
    """Create the PostgreSQL schema named in the URL if it does not exist yet."""
    from psycopg import sql

    with connect_postgres(env, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
            sql.Identifier(env["POSTGRES_SCHEMA"])))

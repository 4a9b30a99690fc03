"""Read-model tables: columns derived from CaseRow, conversions, DDL and the rebuild swap."""

from __future__ import annotations

import json
import uuid
from dataclasses import fields
from datetime import datetime
from typing import Any

from domain.calendar import micros, moment_at
from projections.db import Database
from projections.row import CaseRow
from projections.tables import CASE_TABLES, CASES, HISTORY, TRACKING, TRACKING_NAME

# CaseRow fields kept only in rm_cases (text that never changes, or not needed as of a moment).
STATIC = ("number", "title", "category", "source", "region", "co_departments", "reply_summary")


def _sql_type(annotation: str) -> str:
    """The SQL type for a CaseRow field's annotation."""
    base = annotation.replace(" | None", "")
    return {"datetime": "BIGINT", "bool": "INTEGER", "int": "INTEGER", "float": "DOUBLE PRECISION",
            "str": "TEXT"}.get(base, "TEXT")


ROW_FIELDS: tuple[tuple[str, str], ...] = tuple((f.name, str(f.type)) for f in fields(CaseRow))
CASE_COLUMNS = tuple(name for name, _ in ROW_FIELDS)
# A case's state after an event: what rm_history keeps per event (and rm_cases has too).
STATE_COLUMNS = tuple(name for name in CASE_COLUMNS if name not in STATIC)
EVENT_COLUMNS = ("pos", "event_type", "by_op", "recorded_at", "next_at", "detail")
HISTORY_COLUMNS = STATE_COLUMNS + EVENT_COLUMNS
_TYPES = dict(ROW_FIELDS)


__all__ = ["from_micros", "micros", "to_micros"]  # micros: domain.calendar's, re-exported


def to_micros(value: datetime | None) -> int | None:
    """A moment as stored: integer microseconds since the epoch (portable, comparable)."""
    return None if value is None else micros(value)


def from_micros(value: int | None) -> datetime | None:
    """A stored moment back as a datetime (UTC)."""
    return None if value is None else moment_at(int(value))


def to_sql(name: str, value: Any) -> Any:
    """A CaseRow value as stored."""
    kind = _TYPES[name]
    if value is None:
        return None
    if kind.startswith("datetime"):
        return to_micros(value)
    if kind.startswith("bool"):
        return int(bool(value))
    if name == "co_departments":
        return json.dumps(list(value), ensure_ascii=False)
    return value


def from_sql(name: str, value: Any) -> Any:
    """A stored value back as the CaseRow field's type."""
    kind = _TYPES[name]
    if value is None:
        return () if name == "co_departments" else None
    if kind.startswith("datetime"):
        return from_micros(value)
    if kind.startswith("bool"):
        return bool(value)
    if name == "co_departments":
        return tuple(json.loads(value))
    return value


def row_values(row: CaseRow, columns: tuple[str, ...] = CASE_COLUMNS) -> list[Any]:
    """The row's values in column order."""
    return [to_sql(c, getattr(row, c)) for c in columns]


def row_from_values(values: tuple[Any, ...]) -> CaseRow:
    """A CaseRow from a full case-table row in CASE_COLUMNS order."""
    return CaseRow(**{c: from_sql(c, v) for c, v in zip(CASE_COLUMNS, values, strict=True)})


def table_ddl(suffix: str = "") -> list[str]:
    """CREATE statements for the tables alone (a bulk load adds the indexes afterwards)."""
    cases, history, tracking = (t + suffix for t in CASE_TABLES)
    case_cols = ", ".join(f"{n} {_sql_type(t)}" for n, t in ROW_FIELDS if n != "case_id")
    state_cols = ", ".join(f"{n} {_sql_type(_TYPES[n])}" for n in STATE_COLUMNS
                          if n not in ("case_id", "version"))
    return [
        f"CREATE TABLE {cases} (case_id TEXT PRIMARY KEY, {case_cols})",
        f"CREATE TABLE {history} (case_id TEXT NOT NULL, version INTEGER NOT NULL, {state_cols}, "
        "pos BIGINT NOT NULL, event_type TEXT NOT NULL, by_op TEXT, recorded_at BIGINT, "
        "next_at BIGINT, detail TEXT)",
        f"CREATE TABLE {tracking} (name TEXT PRIMARY KEY, pos BIGINT NOT NULL)",
        f"INSERT INTO {tracking} (name, pos) VALUES ('{TRACKING_NAME}', 0)",
    ]


def index_ddl(suffix: str = "", token: str = "") -> list[str]:
    """CREATE INDEX statements: (case, version) is unique in the history."""
    tag = token or uuid.uuid4().hex[:8]
    cases, history = CASES + suffix, HISTORY + suffix
    return [
        f"CREATE UNIQUE INDEX ix_{tag}_history_key ON {history} (case_id, version)",
        f"CREATE INDEX ix_{tag}_history_next ON {history} (next_at)",
        f"CREATE INDEX ix_{tag}_cases_day ON {cases} (first_assigned_day, lead)",
        f"CREATE INDEX ix_{tag}_cases_number ON {cases} (number)",
    ]


def ddl(suffix: str = "", token: str = "") -> list[str]:
    """CREATE statements for the tables and their indexes with a name suffix."""
    return table_ddl(suffix) + index_ddl(suffix, token)


class ReadModelsOutdated(RuntimeError):
    """The read-model tables were made by an older version: they lack columns of CaseRow."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(f"读模型由旧版本建立，缺少列 {'、'.join(missing)}；"
                         "请先运行 wenzheng project --rebuild 从事件库重建（事件不受影响）")


def missing_columns(db: Database, suffix: str = "") -> list[str]:
    """CaseRow columns the existing case table lacks (empty when it is current)."""
    cursor = db.execute(f"SELECT * FROM {CASES}{suffix} WHERE 1 = 0")
    have = {str(d[0]).lower() for d in cursor.description or ()}
    return [c for c in CASE_COLUMNS if c not in have]


def ensure_tables(db: Database, suffix: str = "") -> None:
    """Create the tables unless they exist; refuse tables an older version made."""
    if db.table_exists(TRACKING + suffix):
        missing = missing_columns(db, suffix) if db.table_exists(CASES + suffix) else []
        if missing:
            raise ReadModelsOutdated(missing)
        return
    with db.transaction():
        if db.table_exists(TRACKING + suffix):
            return
        for statement in ddl(suffix):
            db.execute(statement)


def check_columns(db: Database, suffix: str = "") -> None:
    """Refuse to write into a case table that lacks columns of CaseRow (rebuild it instead)."""
    missing = missing_columns(db, suffix)
    if missing:
        raise ReadModelsOutdated(missing)


def drop_tables(db: Database, suffix: str) -> None:
    """Drop a set of tables (used for leftovers of an interrupted rebuild)."""
    with db.transaction():
        for table in CASE_TABLES:
            db.execute(f"DROP TABLE IF EXISTS {table}{suffix}")


def swap_in(db: Database, suffix: str) -> None:
    """Replace the live tables by the suffixed ones in one transaction."""
    with db.transaction():
        for table in CASE_TABLES:
            db.execute(f"DROP TABLE IF EXISTS {table}_old")
            if db.table_exists(table):
                db.execute(f"ALTER TABLE {table} RENAME TO {table}_old")
            db.execute(f"ALTER TABLE {table}{suffix} RENAME TO {table}")
        for table in CASE_TABLES:
            db.execute(f"DROP TABLE IF EXISTS {table}_old")

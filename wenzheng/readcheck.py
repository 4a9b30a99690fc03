"""`verify --read-models`: every read model compared with a fresh fold of the log."""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from projections.db import POSTGRES, Database
from projections.follower import StoreSource, catch_up, rebuild
from projections.schema import CASE_COLUMNS, HISTORY_COLUMNS, from_sql
from projections.tables import CASES, HISTORY, TRACKING
from scorecards import snapshot
from scorecards.assess import score_period
from wenzheng.bootstrap.scorer import context, rules_for
from wenzheng.bootstrap.service import open_service
from wenzheng.home import Home

LIMIT = 20  # differences named per table; the rest are counted
BATCH = 5000
NAMES = {CASES: f"案件现状表（{CASES}）", HISTORY: f"案件历史表（{HISTORY}）",
         TRACKING: f"投影位置表（{TRACKING}）"}


def _stream(db: Database, table: str, columns: tuple[str, ...], key: int
            ) -> Iterator[tuple[tuple[Any, ...], tuple[Any, ...]]]:
    """A table's (key, values) in key order, streamed; values in the CaseRow types."""
    if not db.table_exists(table):
        return
    collate = ' COLLATE "C"' if db.dialect == POSTGRES else ""
    order = ", ".join(c + (collate if c in ("case_id", "name") else "") for c in columns[:key])
    sql = f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}"
    if db.dialect == POSTGRES:
        with db.conn.transaction():
            cur = db.conn.cursor(name=f"wz_readcheck_{table}")
            yield from _fetched(cur, sql, columns, key)
    else:
        yield from _fetched(db.conn.cursor(), sql, columns, key)


def _fetched(cur: Any, sql: str, columns: tuple[str, ...], key: int
             ) -> Iterator[tuple[tuple[Any, ...], tuple[Any, ...]]]:
    """Rows of a query in batches, converted."""
    cur.execute(sql)
    while rows := cur.fetchmany(BATCH):
        for row in rows:
            values = tuple(from_sql(c, v) if c in CASE_COLUMNS else v
                           for c, v in zip(columns, row, strict=True))
            yield values[:key], values
    cur.close()


def _merged(have: Iterator[tuple[tuple[Any, ...], tuple[Any, ...]]],
            want: Iterator[tuple[tuple[Any, ...], tuple[Any, ...]]]
            ) -> Iterator[tuple[tuple[Any, ...] | None, tuple[Any, ...] | None]]:
    """Both key-ordered streams joined: (live values or None, folded values or None)."""
    h, w = next(have, None), next(want, None)
    while h is not None or w is not None:
        if w is None or (h is not None and h[0] < w[0]):
            assert h is not None
            yield h[1], None
            h = next(have, None)
        elif h is None or w[0] < h[0]:
            yield None, w[1]
            w = next(want, None)
        else:
            yield h[1], w[1]
            h, w = next(have, None), next(want, None)


def _case_label(values: tuple[Any, ...]) -> str:
    """A case row named by number and lead department."""
    row = dict(zip(CASE_COLUMNS, values, strict=True))
    return f"案件 {row['number']}（主办 {row['lead'] or '—'}）"


def _lead(values: tuple[Any, ...]) -> str:
    """The lead department of a case row."""
    return str(dict(zip(CASE_COLUMNS, values, strict=True))["lead"] or "—")


def _diff_table(live: Database, fresh: Database, table: str, columns: tuple[str, ...],
                key: int, name: Any) -> Iterator[str]:
    """Rows missing from, added to or different in the live table (streamed, merged by key)."""
    label = NAMES[table]
    found: list[str] = []
    count = 0
    missing: Counter[str] = Counter()
    extra: Counter[str] = Counter()
    for have, want in _merged(_stream(live, table, columns, key),
                              _stream(fresh, table, columns, key)):
        if have == want:
            continue
        count += 1
        if have is None:
            assert want is not None
            missing[_lead(want) if table == CASES else ""] += 1
            line = f"{label}：{name(want[:key], want)} 的行缺失（日志中有）"
        elif want is None:
            extra[_lead(have) if table == CASES else ""] += 1
            line = f"{label}：{name(have[:key], have)} 的行是多出来的（日志中没有）"
        else:
            changed = [c for c, a, b in zip(columns, have, want, strict=True) if a != b]
            line = f"{label}：{name(want[:key], want)} 的 {'、'.join(changed)} 与日志不符"
        if len(found) < LIMIT:
            found.append(line)
    if table == CASES:
        yield from _by_department(label, missing, "缺失（日志中有）")
        yield from _by_department(label, extra, "多出来（日志中没有）")
    yield from found
    if count > LIMIT:
        yield f"{label}：另有 {count - LIMIT} 处不符"


def _by_department(label: str, counts: Counter[str], what: str) -> Iterator[str]:
    """How many case rows of each lead department are missing or extra."""
    for lead, n in sorted(counts.items()):
        yield f"{label}：主办单位 {lead} 的 {n} 件案件{what}"


def _snapshot_drift(home: Home, live: Database, fresh: Database) -> Iterator[str]:
    """Each stored assessment at the current position, recomputed from the fold."""
    if not live.table_exists(snapshot.SNAPSHOTS):
        return
    position = snapshot.read_position(fresh)
    ctx = context(home)
    for (key,) in live.fetchall(f"SELECT skey FROM {snapshot.SNAPSHOTS} ORDER BY skey"):
        snap = snapshot.load(live, str(key))
        if snap is None or snap.position.split("+")[0] != position:
            continue
        sheet = snap.summary
        rules = rules_for(home, int(sheet.as_of[:4]), sheet.rules_version)
        year = int(str(key).split(":")[0])
        want, _ = score_period(fresh, ctx, rules, date(year, 1, 1), date(year, 12, 31),
                               snap.as_of_moment(), rules.min_volume_year)
        label = f"考核快照（{snapshot.SNAPSHOTS}，{year} 年，截至 {sheet.as_of[:10]}）"
        summary = {c.code: c for c in sheet.cards}
        for c in want.cards:
            stored = snapshot.card(live, snap.snapshot_id, c.code)
            if c.code not in summary or stored is None:
                yield f"{label}：部门 {c.code}（{c.name}）的考核卡缺失"
            elif stored != c or summary[c.code] != snapshot.without_lists(c):
                yield f"{label}：部门 {c.code}（{c.name}）的考核数值与日志不符"
        for code in sorted(set(summary) - {c.code for c in want.cards}):
            yield f"{label}：部门 {code} 的考核卡是多出来的"


def read_model_drift(home: Home, live: Database) -> list[str]:
    """Every difference between the live read models and a fresh fold of the log."""
    calendar = home.settings().deadline_policy().calendar
    app = open_service(home)
    try:
        from projections.writer import CaseProjection

        catch_up(StoreSource(app), CaseProjection(live, calendar))
        with tempfile.TemporaryDirectory(prefix="wz-fold-") as tmp:
            fresh = Database.sqlite(Path(tmp) / "fold.sqlite")
            try:
                rebuild(StoreSource(app), fresh, calendar)
                found = list(_diff_table(live, fresh, CASES, CASE_COLUMNS, 1,
                                         lambda _k, v: _case_label(v)))
                numbers = dict(fresh.fetchall(f"SELECT case_id, number FROM {CASES}"))
                found += _diff_table(live, fresh, HISTORY, HISTORY_COLUMNS, 2,
                                     lambda k, _v: f"案件 {numbers.get(k[0], k[0])} "
                                                   f"第 {k[1]} 个事件")
                found += _diff_table(live, fresh, TRACKING, ("name", "pos"), 1,
                                     lambda k, _v: f"位置记录 {k[0]}")
                found += _snapshot_drift(home, live, fresh)
            finally:
                fresh.close()
    finally:
        app.close()
    return found

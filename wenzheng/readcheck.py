"""`verify --read-models`: every read model compared with a fresh fold of the log."""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from projections.db import Database
from projections.follower import StoreSource, catch_up, rebuild
from projections.schema import CASE_COLUMNS, CASES, HISTORY, HISTORY_COLUMNS, TRACKING, from_sql
from scorecards import snapshot
from scorecards.assess import score_period
from wenzheng.home import Home

LIMIT = 20  # differences named per table; the rest are counted
NAMES = {CASES: "案件现状表（rm_cases）", HISTORY: "案件历史表（rm_history）",
         TRACKING: "投影位置表（rm_tracking）"}


def _rows(db: Database, table: str, columns: tuple[str, ...], key: int
          ) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """A table's rows by key (the first `key` columns), values in the CaseRow types."""
    if not db.table_exists(table):
        return {}
    found = {}
    for row in db.fetchall(f"SELECT {', '.join(columns)} FROM {table}"):
        values = tuple(from_sql(c, v) if c in CASE_COLUMNS else v
                       for c, v in zip(columns, row, strict=True))
        found[values[:key]] = values
    return found


def _case_label(values: tuple[Any, ...]) -> str:
    """A case row named by number and lead department."""
    row = dict(zip(CASE_COLUMNS, values, strict=True))
    return f"案件 {row['number']}（主办 {row['lead'] or '—'}）"


def _diff_table(live: Database, fresh: Database, table: str, columns: tuple[str, ...],
                key: int, name: Any) -> Iterator[str]:
    """Rows missing from, added to or different in the live table."""
    have, want = _rows(live, table, columns, key), _rows(fresh, table, columns, key)
    label = NAMES[table]
    missing, extra = sorted(set(want) - set(have), key=str), sorted(set(have) - set(want), key=str)
    if table == CASES:
        yield from _by_department(label, [want[k] for k in missing], "缺失（日志中有）")
        yield from _by_department(label, [have[k] for k in extra], "多出来（日志中没有）")
    found = [f"{label}：{name(k, want[k])} 的行缺失（日志中有）" for k in missing]
    found += [f"{label}：{name(k, have[k])} 的行是多出来的（日志中没有）" for k in extra]
    for k in sorted(set(have) & set(want), key=str):
        if have[k] != want[k]:
            changed = [c for c, a, b in zip(columns, have[k], want[k], strict=True) if a != b]
            found.append(f"{label}：{name(k, want[k])} 的 {'、'.join(changed)} 与日志不符")
    yield from found[:LIMIT]
    if len(found) > LIMIT:
        yield f"{label}：另有 {len(found) - LIMIT} 处不符"


def _by_department(label: str, rows: list[tuple[Any, ...]], what: str) -> Iterator[str]:
    """How many case rows of each lead department are missing or extra."""
    counts = Counter(dict(zip(CASE_COLUMNS, r, strict=True))["lead"] or "—" for r in rows)
    for lead, n in sorted(counts.items()):
        yield f"{label}：主办单位 {lead} 的 {n} 件案件{what}"


def _snapshot_drift(home: Home, live: Database, fresh: Database) -> Iterator[str]:
    """Each stored assessment at the current position, recomputed from the fold."""
    from wenzheng.commands.scoring import context, rules_for

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
    app = home.open_service()
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

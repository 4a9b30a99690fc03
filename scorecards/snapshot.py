"""The stored assessment: a year's ScoreSheet kept in the read-model database as a read model.

One snapshot per (year, as-of day, rules, min volume, units and peer groups, exposure rules):
the sheet's figures in one small row (every card without its case lists) and each card in
full in a row of its own, loaded when a department is opened. Each snapshot records the read
models' position it was computed at and when it was computed.
"""

from __future__ import annotations

import hashlib
import json
import uuid
import zlib
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from domain.calendar import BUSINESS_TZ, end_of_day
from projections.db import POSTGRES, Database
from projections.tables import SCORECARD_CARDS as CARDS
from projections.tables import SCORECARD_SNAPSHOTS as SNAPSHOTS
from projections.tables import TRACKING, TRACKING_NAME
from scorecards.assess import Context, score_period_with_facts
from scorecards.rules import Rules
from scorecards.scoring import Deduction, RateTrace, Scorecard, ScoreSheet
from scorecards.trend import MonthPoint, monthly

KAFKA_OFFSETS = "wenzheng_kafka_offsets"  # consumers/projector.py OFFSETS (Kafka transport)
KEEP = 30  # snapshots kept; the oldest computed are dropped when a new one is stored


@dataclass(frozen=True)
class Snapshot:
    """A stored assessment: its figures, and where (position) and when it was computed."""

    snapshot_id: str
    key: str
    summary: ScoreSheet  # every card's figures; rate misses and deduction items left empty
    position: str
    computed_at: str
    trend: tuple[MonthPoint, ...] = ()  # month by month, for the page's trend chart

    def as_of_moment(self) -> datetime:
        """The moment the figures are taken at."""
        return datetime.fromisoformat(self.summary.as_of)


def snapshot_key(ctx: Context, rules: Rules, year: int, day: date, min_volume: int) -> str:
    """What the assessment depends on besides the data, hashed."""
    basis = {"year": year, "day": day.isoformat(), "min_volume": min_volume,
             "rules": rules.model_dump(mode="json"),
             "units": [[u.code, u.name, u.group] for u in ctx.units],
             "office": ctx.office_name, "exposure": ctx.exposure_rules.model_dump(mode="json")}
    text = json.dumps(basis, ensure_ascii=False, sort_keys=True)
    return f"{year}:{day.isoformat()}:{rules.version}:" + \
        hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def read_position(db: Database) -> str:
    """Where the read models are: the tracked log position, and the Kafka offsets if any."""
    row = db.fetchone(f"SELECT pos FROM {TRACKING} WHERE name = ?", (TRACKING_NAME,))
    position = str(int(row[0]) if row else 0)
    if db.table_exists(KAFKA_OFFSETS):
        offsets = db.fetchone(f"SELECT COALESCE(SUM(next_offset), 0) FROM {KAFKA_OFFSETS}")
        position += f"+k{int(offsets[0]) if offsets else 0}"
    return position


def ensure_snapshot_tables(db: Database) -> None:
    """Create the snapshot tables unless they exist."""
    if db.table_exists(SNAPSHOTS) and db.table_exists(CARDS):
        return
    blob = "BYTEA" if db.dialect == POSTGRES else "BLOB"
    with db.transaction():
        db.execute(f"CREATE TABLE IF NOT EXISTS {SNAPSHOTS} (skey TEXT PRIMARY KEY, "
                   "snapshot_id TEXT NOT NULL, year INTEGER NOT NULL, as_of_day TEXT NOT NULL, "
                   "rules_version TEXT NOT NULL, position TEXT NOT NULL, as_of TEXT NOT NULL, "
                   f"computed_at TEXT NOT NULL, summary {blob} NOT NULL)")
        db.execute(f"CREATE TABLE IF NOT EXISTS {CARDS} (snapshot_id TEXT NOT NULL, "
                   f"code TEXT NOT NULL, card {blob} NOT NULL, PRIMARY KEY (snapshot_id, code))")


def _pack(value: Any) -> bytes:
    """JSON, zlib-compressed."""
    return zlib.compress(json.dumps(value, ensure_ascii=False, separators=(",", ":"))
                         .encode("utf-8"), 6)


def _unpack(data: Any) -> Any:
    """The value of a packed payload."""
    return json.loads(zlib.decompress(bytes(data)).decode("utf-8"))


def card_from(data: dict[str, Any]) -> Scorecard:
    """A Scorecard from its asdict() form."""
    rates = tuple(RateTrace(**{**r, "misses": tuple(r["misses"])}) for r in data["rates"])
    cuts = tuple(Deduction(**{**d, "items": tuple(d["items"]),
                              "merged": tuple(d.get("merged", ()))}) for d in data["deductions"])
    return Scorecard(**{**data, "rates": rates, "deductions": cuts})


def sheet_from(data: dict[str, Any], cards: list[Scorecard]) -> ScoreSheet:
    """A ScoreSheet from its asdict() form without cards, and the cards."""
    return ScoreSheet(**{**{k: v for k, v in data.items() if k != "cards"}, "cards": tuple(cards)})


def without_lists(card: Scorecard) -> Scorecard:
    """The card's figures without the case lists (what the ranking and charts need)."""
    return replace(card, rates=tuple(replace(r, misses=()) for r in card.rates),
                   deductions=tuple(replace(d, items=(), merged=()) for d in card.deductions))


def store(db: Database, key: str, year: int, sheet: ScoreSheet, position: str,
          computed_at: datetime, trend: tuple[MonthPoint, ...] = ()) -> Snapshot:
    """Store a computed sheet as the snapshot of `key`, replacing the previous one."""
    ensure_snapshot_tables(db)
    snapshot_id = uuid.uuid4().hex
    summary = replace(sheet, cards=tuple(without_lists(c) for c in sheet.cards))
    head = {**asdict(summary), "trend": [asdict(p) for p in trend]}
    day = datetime.fromisoformat(sheet.as_of).date().isoformat()
    when = computed_at.astimezone(BUSINESS_TZ).isoformat()
    rows = [(snapshot_id, c.code, _pack(asdict(c))) for c in sheet.cards]
    with db.transaction():
        db.executemany(f"INSERT INTO {CARDS} (snapshot_id, code, card) VALUES (?, ?, ?)", rows)
        db.execute(
            f"INSERT INTO {SNAPSHOTS} (skey, snapshot_id, year, as_of_day, rules_version, "
            "position, as_of, computed_at, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (skey) DO UPDATE SET snapshot_id = excluded.snapshot_id, "
            "position = excluded.position, as_of = excluded.as_of, "
            "computed_at = excluded.computed_at, summary = excluded.summary",
            (key, snapshot_id, year, day, sheet.rules_version, position, sheet.as_of, when,
             _pack(head)))
        old = db.fetchall(f"SELECT skey FROM {SNAPSHOTS} ORDER BY computed_at DESC, skey")[KEEP:]
        db.executemany(f"DELETE FROM {SNAPSHOTS} WHERE skey = ?", [(k,) for (k,) in old])
        db.execute(f"DELETE FROM {CARDS} WHERE snapshot_id NOT IN "
                   f"(SELECT snapshot_id FROM {SNAPSHOTS})")
    return Snapshot(snapshot_id, key, summary, position, when, trend)


def load(db: Database, key: str) -> Snapshot | None:
    """The stored snapshot of `key` (figures only), or None."""
    if not db.table_exists(SNAPSHOTS):
        return None
    row = db.fetchone(f"SELECT snapshot_id, position, computed_at, summary FROM {SNAPSHOTS} "
                      "WHERE skey = ?", (key,))
    if row is None:
        return None
    head = _unpack(row[3])
    trend = tuple(MonthPoint(**p) for p in head.pop("trend", []))
    summary = sheet_from(head, [card_from(c) for c in head["cards"]])
    return Snapshot(str(row[0]), key, summary, str(row[1]), str(row[2]), trend)


def card(db: Database, snapshot_id: str, code: str) -> Scorecard | None:
    """One department's full card (with its case lists), or None when the snapshot is gone."""
    if not db.table_exists(CARDS):
        return None
    row = db.fetchone(f"SELECT card FROM {CARDS} WHERE snapshot_id = ? AND code = ?",
                      (snapshot_id, code))
    return None if row is None else card_from(_unpack(row[0]))


def full_sheet(db: Database, snap: Snapshot) -> ScoreSheet | None:
    """The whole sheet with every case list, or None when the snapshot is gone."""
    cards = [card(db, snap.snapshot_id, c.code) for c in snap.summary.cards]
    if any(c is None for c in cards):
        return None
    return replace(snap.summary, cards=tuple(c for c in cards if c is not None))


def is_fresh(snap: Snapshot, position: str, as_of: datetime, now: datetime,
             max_age: timedelta | None = None) -> bool:
    """Usable: computed at the current position (for a past day, at its end), or young enough.

    The key holds the day: today's snapshot is used while the read models stay where it was
    computed, with its own "as of" moment; a past day's must be as of the end of that day.
    """
    if max_age is not None and now - datetime.fromisoformat(snap.computed_at) <= max_age:
        return True
    if snap.position != position:
        return False
    return snap.as_of_moment() == as_of or as_of != end_of_day(as_of.astimezone(BUSINESS_TZ).date())


def compute(db: Database, ctx: Context, rules: Rules, year: int, as_of: datetime,
            now: datetime) -> Snapshot:
    """Compute the year's assessment as of a moment and store it (precomputing for the app)."""
    day = as_of.astimezone(BUSINESS_TZ).date()
    key = snapshot_key(ctx, rules, year, day, rules.min_volume_year)
    position = read_position(db)  # before computing: a later event only makes it look older
    sheet, entries, facts = score_period_with_facts(
        db, ctx, rules, date(year, 1, 1), date(year, 12, 31), as_of, rules.min_volume_year)
    trend = monthly(ctx.units, facts, entries, rules, sheet.as_of)
    return store(db, key, year, sheet, position, now, trend)


def assessment(db: Database, ctx: Context, rules: Rules, year: int, as_of: datetime,
               now: datetime, max_age: timedelta | None = None) -> tuple[Snapshot, bool]:
    """The stored snapshot when fresh, else computed and stored; and whether it was computed."""
    day = as_of.astimezone(BUSINESS_TZ).date()
    key = snapshot_key(ctx, rules, year, day, rules.min_volume_year)
    found = load(db, key)
    if found is not None and is_fresh(found, read_position(db), as_of, now, max_age):
        return found, False
    return compute(db, ctx, rules, year, as_of, now), True


def precompute(db: Database, ctx: Context, rules_of: Callable[[int], Rules],
               years: Iterable[int], now: datetime) -> list[Snapshot]:
    """Compute and store each year's assessment as of now (the page's default day is today,
    whose snapshot the page uses while the read models stay where it was computed)."""
    return [compute(db, ctx, rules_of(year), year, now, now) for year in years]

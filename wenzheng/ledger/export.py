"""Cases' actions → ledger rows (what a 台账 can express), written as .xlsx or .csv."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from domain.calendar import BUSINESS_TZ
from scorecards.inert import csv_cell, sheet_text
from wenzheng.ledger.mapping import DEFAULT_COLUMNS

EXPORT_FIELDS = (
    "number", "source", "title", "content", "category", "priority", "region", "registered_at",
    "assigned_at", "department", "claimed_at", "opinion_at", "opinion_text", "submitted_at",
    "replied_at", "reply_text", "rating", "rated_at", "rating_channel", "closed_at", "resolved",
)
HEADERS = [DEFAULT_COLUMNS[f] for f in EXPORT_FIELDS]
RESOLVED_WORDS = {True: "是", False: "否"}


def ledger_subset(actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The actions of one case a ledger row can express, in order.

    Register; the last assignment and the first claim after it; the last submitted result
    (with the handling opinion before it) and its publication; the last rating after that
    publication; the close.
    """
    kinds = [a["action"] for a in actions]
    if not kinds or kinds[0] != "register":
        return []
    chosen = [0]
    assign = _last(kinds, "assign")
    if assign is None:
        return [actions[0]]
    chosen.append(assign)
    claim = _first(kinds, "claim", assign)
    if claim is None:
        return [actions[i] for i in chosen]
    chosen.append(claim)
    submit = _last(kinds, "submit_reply", claim)
    if submit is not None and _last(kinds, "return", submit) is not None:
        submit = None  # the result was sent back and not yet reported again
    if submit is not None:
        opinion = _last(kinds[:submit], "opinion", claim)
        chosen += [i for i in (opinion, submit) if i is not None]
        publish = _first(kinds, "publish_reply", submit)
        if publish is not None and _last(kinds, "publish_reply") == publish:
            chosen.append(publish)
            rate = _last(kinds, "rate", publish)
            close = _first(kinds, "close", publish)
            chosen += sorted(i for i in (rate, close) if i is not None)
    return [actions[i] for i in chosen]


def _first(kinds: list[str], kind: str, after: int = -1) -> int | None:
    """Index of the first action of a kind after `after`."""
    return next((i for i in range(after + 1, len(kinds)) if kinds[i] == kind), None)


def _last(kinds: list[str], kind: str, after: int = -1) -> int | None:
    """Index of the last action of a kind after `after`."""
    return next((i for i in range(len(kinds) - 1, after, -1) if kinds[i] == kind), None)


def ledger_row(subset: list[dict[str, Any]], names: dict[str, str]) -> dict[str, Any]:
    """One row (our field names → values; times as naive Beijing datetimes)."""
    row: dict[str, Any] = dict.fromkeys(EXPORT_FIELDS)
    for a in subset:
        at = _beijing(a["at"])
        kind = a["action"]
        if kind == "register":
            row.update(number=a["case"], source=a["source"], title=a["title"],
                       content=a["content"], category=a["category"], priority=a["priority"],
                       region=a.get("region", ""), registered_at=at)
        elif kind == "assign":
            row.update(assigned_at=at, department=names.get(a["department"], a["department"]))
        elif kind == "claim":
            row["claimed_at"] = at
        elif kind == "opinion":
            row.update(opinion_at=at, opinion_text=a["text"])
        elif kind == "submit_reply":
            row["submitted_at"] = at
        elif kind == "publish_reply":
            row.update(replied_at=at, reply_text=a["text"])
        elif kind == "rate":
            default = a.get("default", False)
            row.update(rating="默认满意" if default else a["rating"], rated_at=at,
                       rating_channel=None if default else a.get("channel"),
                       resolved=RESOLVED_WORDS.get(bool(a["resolved"]))
                       if a.get("resolved") is not None else None)
        elif kind == "close":
            row["closed_at"] = at
    return row


def _beijing(iso: str) -> datetime:
    """An ISO time as a naive Beijing wall-clock time (ledgers carry no offset)."""
    return datetime.fromisoformat(iso).astimezone(BUSINESS_TZ).replace(tzinfo=None)


def ledger_rows(actions: Iterable[dict[str, Any]], names: dict[str, str]) -> list[dict[str, Any]]:
    """A row per case (in order of registration) from any order of actions."""
    by_case: dict[str, list[dict[str, Any]]] = {}
    for a in actions:
        by_case.setdefault(a["case"], []).append(a)
    return [ledger_row(ledger_subset(acts), names) for acts in by_case.values()
            if acts[0]["action"] == "register"]


def write_ledger(actions: Iterable[dict[str, Any]], path: Path, names: dict[str, str]) -> int:
    """Write the cases as a ledger (.xlsx or .csv with the default headers); rows written.

    Text that a spreadsheet would take as a formula gets a leading quote (OWASP); the
    importer takes it off again (`rows.cell_text`).
    """
    rows = ledger_rows(actions, names)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADERS)
            for row in rows:
                writer.writerow([_text(row[f]) for f in EXPORT_FIELDS])
        return len(rows)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("台账")
    sheet.append(HEADERS)
    for row in rows:
        sheet.append([sheet_text(v) if isinstance(v, str) else v
                      for v in (row[f] for f in EXPORT_FIELDS)])
    book.save(path)
    return len(rows)


def _text(value: Any) -> str:
    """A cell as CSV text (times as 'YYYY-MM-DD HH:MM:SS'; text neutralised, see inert.py)."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return csv_cell(value)

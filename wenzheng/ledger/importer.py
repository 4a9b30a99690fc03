"""Apply a ledger's rows: each row's actions all-or-nothing, rejected rows reported by number."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from domain.actions import InvalidAction, check_not_after, parse_action
from domain.labels import LEDGER_STEP_ZH
from domain.service import APPLIED, DUPLICATE, REJECTED, CaseService, Outcome
from domain.vocabulary import OFFICE
from scorecards.inert import csv_cell
from wenzheng.ledger.rows import RowConverter, RowProblem
from wenzheng.redact import HIDDEN, scrub

CHUNK_ROWS = 500


@dataclass
class RejectedRow:
    """A row that was not imported: its spreadsheet row number, case number and reason."""

    row: int
    number: str
    reason: str
    values: dict[str, Any]


@dataclass
class ImportReport:
    """What became of a ledger's rows."""

    rows: int = 0
    new: int = 0  # rows whose actions were all applied now
    updated: int = 0  # rows of which some actions were applied before (re-import, later steps)
    unchanged: int = 0  # rows whose actions were all applied before
    actions: int = 0  # actions applied
    rejected: list[RejectedRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No row was rejected."""
        return not self.rejected

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "rows": self.rows, "new": self.new, "updated": self.updated,
            "unchanged": self.unchanged, "actions_applied": self.actions,
            "rejected": len(self.rejected),
            "rejections": [{"row": r.row, "number": r.number, "reason": r.reason}
                           for r in self.rejected],
        }


def department_resolver(codes_to_names: dict[str, str]) -> Callable[[str], str | None]:
    """Match a ledger's 承办单位 by code or by name (the office itself is not a department)."""
    by_name = {name: code for code, name in codes_to_names.items() if code != OFFICE}
    codes = set(by_name.values())

    def resolve(given: str) -> str | None:
        value = given.strip()
        return value if value in codes else by_name.get(value)

    return resolve


def import_rows(
    service: CaseService,
    rows: Iterable[tuple[int, dict[str, Any]]],
    converter: RowConverter,
    progress: Callable[[int], None] | None = None,
    chunk_rows: int = CHUNK_ROWS,
    not_after: datetime | None = None,
) -> ImportReport:
    """Convert and apply every row; one store transaction per chunk of rows.

    A row with a time after `not_after` (the clock plus the tolerance) is rejected.
    """
    report = ImportReport()
    seen: dict[str, int] = {}
    chunk: list[tuple[int, dict[str, Any], list[dict[str, Any]]]] = []
    for row_no, values in rows:
        report.rows += 1
        number = str(converter.fields(values).get("number") or "").strip()
        try:
            actions = converter.actions(values)
        except RowProblem as exc:
            report.rejected.append(RejectedRow(row_no, number, str(exc), values))
            continue
        number = actions[0]["case"]
        late = _later_than(actions, not_after)
        if late:
            report.rejected.append(RejectedRow(row_no, number, late, values))
            continue
        if number in seen:
            report.rejected.append(RejectedRow(
                row_no, number, f"编号 {number} 与第 {seen[number]} 行重复", values))
            continue
        seen[number] = row_no
        chunk.append((row_no, values, actions))
        if len(chunk) >= chunk_rows:
            _flush(service, chunk, report)
            if progress:
                progress(report.rows)
    _flush(service, chunk, report)
    if progress:
        progress(report.rows)
    report.rejected.sort(key=lambda r: r.row)
    return report


def _later_than(actions: list[dict[str, Any]], not_after: datetime | None) -> str:
    """Why a row dated after the allowed moment is refused ('' when it is not)."""
    if not_after is None:
        return ""
    for action in actions:
        try:
            check_not_after(parse_action(action), not_after)
        except InvalidAction as exc:
            return str(exc)
    return ""


def _flush(service: CaseService, chunk: list[tuple[int, dict[str, Any], list[dict[str, Any]]]],
           report: ImportReport) -> None:
    """Apply a chunk of rows, each as one all-or-nothing group."""
    if not chunk:
        return
    groups = [[parse_action(a) for a in actions] for _, _, actions in chunk]
    results = service.apply_groups(groups)
    for (row_no, values, actions), outcomes in zip(chunk, results, strict=True):
        statuses = [o.status for o in outcomes]
        if REJECTED in statuses:
            reason = _reason(actions, outcomes)
            report.rejected.append(RejectedRow(row_no, actions[0]["case"], reason, values))
        elif all(s == DUPLICATE for s in statuses):
            report.unchanged += 1
        else:
            applied = statuses.count(APPLIED)
            report.actions += applied
            if applied == len(statuses):
                report.new += 1
            else:
                report.updated += 1
    chunk.clear()


def _reason(actions: list[dict[str, Any]], outcomes: list[Outcome]) -> str:
    """The reason of the step that failed (not the 'rolled back with it' of the others)."""
    failed = [(a, o) for a, o in zip(actions, outcomes, strict=True)
              if o.status == REJECTED and not o.reason.startswith("同组")]
    action, outcome = (failed or list(zip(actions, outcomes, strict=True)))[0]
    step = action["id"].rsplit(":", 1)[-1]
    return f"{LEDGER_STEP_ZH.get(action['action'], step)}被拒绝：{outcome.reason}"


def write_rejected(report: ImportReport, headers: list[str], source: Path, folder: Path,
                   stamp: str, personal: frozenset[str] = frozenset()) -> Path | None:
    """The rejected rows with their numbers and reasons, as a CSV Excel opens (UTF-8 BOM).

    Columns holding personal data (`personal`: the citizen, the message) are blanked and phone
    or ID numbers in the other cells hidden: the source ledger still has them.
    """
    if not report.rejected:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{source.stem}-{stamp}-rejected.csv"
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["行号", "原因", *headers])
        for r in report.rejected:
            writer.writerow([r.row, scrub(r.reason), *(
                HIDDEN if h in personal and r.values.get(h) else scrub(_cell(r.values.get(h)))
                for h in headers)])
    return target


def _cell(value: Any) -> str:
    """A value as CSV text, neutralised where a spreadsheet would take it as a formula."""
    return csv_cell(value)


"""`wenzheng apply`: read a JSON Lines file of actions, apply in batches, report per line."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from domain.actions import ActionBase, InvalidAction, check_not_after, parse_action
from domain.service import APPLIED, DUPLICATE, REJECTED, CaseService
from wenzheng.redact import redact_line, scrub

BATCH_SIZE = 2000


@dataclass
class Rejection:
    """A rejected line: its number, the reason and the original text."""

    line: int
    reason: str
    text: str


@dataclass
class ApplySummary:
    """Counts of applied, duplicate and rejected lines."""

    applied: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every line was applied or was a duplicate."""
        return not self.rejected

    def as_dict(self) -> dict[str, object]:
        """JSON form."""
        return {
            "applied": self.applied,
            "duplicates": self.duplicates,
            "rejected": len(self.rejected),
            "rejections": [{"line": r.line, "reason": r.reason} for r in self.rejected],
        }


@dataclass(frozen=True)
class Line:
    """One non-blank line of the file: its number, its text, and why it cannot be read (or '')."""

    number: int
    text: str
    problem: str = ""


BOM = "\ufeff"


def read_lines(path: Path) -> Iterator[Line]:
    """Each non-blank line; a UTF-8 byte-order mark on line 1 is dropped, bad bytes are named."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                shown = raw.decode("utf-8", "backslashreplace").strip()
                yield Line(number, shown, f"文件编码错误：第 {exc.start + 1} 字节不是合法的 UTF-8")
                continue
            if number == 1:
                text = text.removeprefix(BOM)
            text = text.strip()
            if text:
                yield Line(number, text)


def apply_file(
    service: CaseService,
    path: Path,
    progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
    not_after: datetime | None = None,
) -> ApplySummary:
    """Validate and apply each line; one store transaction per batch of lines.

    Lines dated after `not_after` (the clock plus the tolerance) are rejected.
    """
    summary = ApplySummary()
    batch: list[tuple[int, str, ActionBase]] = []
    seen = 0
    for line in read_lines(path):
        seen += 1
        if line.problem:
            summary.rejected.append(Rejection(line.number, line.problem, line.text))
            continue
        try:
            action = parse_action(line.text)
            if not_after is not None:
                check_not_after(action, not_after)
            batch.append((line.number, line.text, action))
        except InvalidAction as exc:
            summary.rejected.append(Rejection(line.number, str(exc), line.text))
        if len(batch) >= batch_size:
            _flush(service, batch, summary)
            if progress:
                progress(seen)
    _flush(service, batch, summary)
    if progress:
        progress(seen)
    summary.rejected.sort(key=lambda r: r.line)
    return summary


def _flush(service: CaseService, batch: list[tuple[int, str, ActionBase]],
           summary: ApplySummary) -> None:
    """Apply a batch and count its outcomes."""
    if not batch:
        return
    outcomes = service.apply_batch([a for _, _, a in batch])
    for (number, text, _), outcome in zip(batch, outcomes, strict=True):
        if outcome.status == APPLIED:
            summary.applied += 1
        elif outcome.status == DUPLICATE:
            summary.duplicates += 1
        elif outcome.status == REJECTED:
            summary.rejected.append(Rejection(number, outcome.reason, text))
    batch.clear()


def write_dead_letter(summary: ApplySummary, source: Path, folder: Path, stamp: str) -> Path | None:
    """Keep rejected lines with their reasons beside the store; returns the file written."""
    if not summary.rejected:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{source.stem}-{stamp}.jsonl"
    n = 1
    while target.exists():  # a second run in the same second keeps the first one's file
        n += 1
        target = folder / f"{source.stem}-{stamp}-{n}.jsonl"
    with target.open("x", encoding="utf-8", errors="backslashreplace") as out:
        for r in summary.rejected:
            record = {"source": str(source), "line": r.line, "reason": scrub(r.reason),
                      "text": redact_line(r.text)}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return target

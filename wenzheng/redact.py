"""What rejected input may keep: the fields that name the action, never the citizen's data."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from pathlib import Path
from typing import Any

from scorecards.masking import hide_contacts

HIDDEN = "（已隐去）"
# Fields of an action line that carry no personal data (docs/actions.md); others are hidden.
KEPT = frozenset({"id", "action", "case", "at", "by", "source", "category", "priority",
                  "region", "department", "co_departments", "working_days", "level",
                  "rating", "channel", "resolved"})


def scrub(text: str) -> str:
    """Text with phone and ID numbers and e-mail addresses hidden (scorecards/masking.py)."""
    return hide_contacts(text, HIDDEN)


def redact_line(text: str) -> str:
    """A rejected action line reduced to its non-personal fields.

    A line that is not a JSON object is not kept at all: only its length and a digest remain
    (the source file and the line number in the dead letter find it).
    """
    try:
        data: Any = json.loads(text)
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        return f"（无法读取的行已隐去：{len(text)} 个字符，SHA-256 {digest}）"
    kept = {k: (_kept(v) if k in KEPT else HIDDEN) for k, v in data.items()}
    return json.dumps(kept, ensure_ascii=False)


def _kept(value: Any) -> Any:
    """A kept field's value, with any contact number in its text hidden."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [_kept(v) for v in value]
    if isinstance(value, dict):
        return HIDDEN
    return value


UNREADABLE = "（无法读取的行已隐去"
PERSONAL_HEADERS = frozenset({"姓名", "联系电话", "内容"})


def scrub_dead_letters(folder: Path) -> int:
    """Redact every kept rejection again (files written before redaction too); files rewritten."""
    if not folder.is_dir():
        return 0
    changed = 0
    for path in sorted(folder.iterdir()):
        if path.suffix == ".jsonl":
            new = "".join(_scrub_record(line) for line in
                          path.read_text(encoding="utf-8", errors="backslashreplace")
                          .splitlines(keepends=True))
        elif path.suffix == ".csv":
            new = _scrub_csv(path.read_text(encoding="utf-8-sig", errors="backslashreplace"))
        else:
            continue
        if new != path.read_text(encoding="utf-8-sig" if path.suffix == ".csv" else "utf-8",
                                 errors="backslashreplace"):
            spare = path.with_name(path.name + ".tmp")
            spare.write_text(new, encoding="utf-8-sig" if path.suffix == ".csv" else "utf-8")
            os.replace(spare, path)
            changed += 1
    return changed


def _scrub_record(line: str) -> str:
    """One dead-letter record with its text redacted."""
    try:
        record = json.loads(line)
    except ValueError:
        return redact_line(line.strip()) + "\n"
    if not isinstance(record, dict):
        return redact_line(line.strip()) + "\n"
    text = record.get("text")
    if isinstance(text, str) and not text.startswith(UNREADABLE):
        record["text"] = redact_line(text)
    if isinstance(record.get("reason"), str):
        record["reason"] = scrub(record["reason"])
    return json.dumps(record, ensure_ascii=False) + "\n"


def _scrub_csv(text: str) -> str:
    """A rejected-rows CSV with the personal columns blanked and numbers hidden."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return text
    personal = {i for i, h in enumerate(rows[0]) if h in PERSONAL_HEADERS}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(rows[0])
    for row in rows[1:]:
        writer.writerow([HIDDEN if i in personal and cell else scrub(cell)
                         for i, cell in enumerate(row)])
    return out.getvalue()

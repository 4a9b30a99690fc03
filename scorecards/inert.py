"""Typed text made inert for Markdown, spreadsheets and CSV (pure; no rendering library)."""

from __future__ import annotations

import numbers
import re
from typing import Any

# Every mark that can open Markdown syntax (emphasis, code, links, images, HTML, entities,
# tables, headings, maths, Streamlit's :directives:, literal autolinks http\: www\. a\@b) is
# backslash-escaped, which CommonMark allows for any ASCII punctuation; "-" and "+" only where
# they could start a list. Hyphens inside text ("SF2025-000013") stay readable.
MD_SPECIAL = "\\`*_{}[]()#!|<>~$:&@."
_MD_SPECIAL = re.compile("([" + re.escape(MD_SPECIAL) + "])")
# OWASP CSV injection: a cell starting with these is taken as a formula by spreadsheet programs.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?%?")


def md_escape(text: str) -> str:
    """Text as literal Markdown: punctuation backslash-escaped, line breaks as spaces."""
    flat = " ".join(str(text).splitlines())
    escaped = _MD_SPECIAL.sub(r"\\\1", flat)
    return "\\" + escaped if escaped.startswith(("-", "+", "=")) else escaped


def md_literal_block(lines: list[str]) -> list[str]:
    """Lines inside a fenced code block longer than any backtick run in them (shown verbatim)."""
    longest = max((len(run) for line in lines for run in re.findall("`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + "text", *(" ".join(line.splitlines()) for line in lines), fence]


def sheet_text(text: str) -> str:
    """A text cell neutralised as OWASP recommends: a leading quote before = + - @ tab CR.

    A plain number written as text (e.g. '-1.5') is left alone: it is not a formula.
    """
    if text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_cell(value: Any) -> str:
    """A value as CSV text: None as '', text neutralised (numbers and booleans as they are)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return sheet_text(value)
    return str(value)


def write_cell(sheet: Any, row: int, col: int, value: Any, fmt: Any = None) -> None:
    """Write one XlsxWriter cell by type: text always as a string, never as a formula."""
    if value is None:
        sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, bool) or type(value).__name__ == "bool_":  # numpy's too
        sheet.write_boolean(row, col, bool(value), fmt)
    elif isinstance(value, numbers.Real):  # int, float and numpy's numbers
        sheet.write_number(row, col, float(value), fmt)
    else:
        sheet.write_string(row, col, sheet_text(str(value)), fmt)


def write_cells(sheet: Any, row: int, col: int, values: Any, fmt: Any = None) -> None:
    """write_cell for each value along a row."""
    for j, value in enumerate(values):
        write_cell(sheet, row, col + j, value, fmt)

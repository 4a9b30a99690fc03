"""Reading a ledger file: rows as {header: value} with the spreadsheet's row numbers."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

# Row numbers are the spreadsheet's: the header is row 1, the first case is row 2.
FIRST_DATA_ROW = 2


class LedgerUnreadable(ValueError):
    """The file is not a ledger this importer can read."""


Rows = Iterator[tuple[int, dict[str, Any]]]


def read_rows(path: Path, sheet: str | None = None) -> tuple[list[str], Rows]:
    """The headers and an iterator of (row number, {header: cell value}) for non-empty rows."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx(path, sheet)
    if suffix in (".csv", ".txt"):
        return _csv(path)
    raise LedgerUnreadable(f"不支持的台账格式 {suffix or '（无扩展名）'}：请使用 .xlsx 或 .csv")


def _xlsx(path: Path, sheet: str | None) -> tuple[list[str], Rows]:
    """An Excel workbook, read in streaming mode."""
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a bad file
        raise LedgerUnreadable(f"无法读取 Excel 文件 {path}：{exc}") from None
    if sheet is not None and sheet not in book.sheetnames:
        raise LedgerUnreadable(f"工作表 {sheet!r} 不存在（有：{'、'.join(book.sheetnames)}）")
    ws = book[sheet] if sheet is not None else book.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header_row = next(rows, None)
    if header_row is None:
        raise LedgerUnreadable(f"{path} 是空表")
    headers = [_header(h) for h in header_row]

    def body() -> Iterator[tuple[int, dict[str, Any]]]:
        for number, values in enumerate(rows, start=FIRST_DATA_ROW):
            row = {h: v for h, v in zip(headers, values, strict=False) if h}
            if any(_present(v) for v in row.values()):
                yield number, row
        book.close()

    return headers, body()


def _csv(path: Path) -> tuple[list[str], Rows]:
    """A CSV file in UTF-8 (with or without BOM) or GB18030, as Chinese Excel saves it."""
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise LedgerUnreadable(f"{path} 既不是 UTF-8 也不是 GB18030 编码")
    records = csv.reader(text.splitlines(keepends=True))
    header_row = next(records, None)
    if header_row is None:
        raise LedgerUnreadable(f"{path} 是空文件")
    headers = [_header(h) for h in header_row]

    def body() -> Iterator[tuple[int, dict[str, Any]]]:
        for number, values in enumerate(records, start=FIRST_DATA_ROW):
            row = {h: v for h, v in zip(headers, values, strict=False) if h}
            if any(_present(v) for v in row.values()):
                yield number, row

    return headers, body()


def _header(value: Any) -> str:
    """A header cell as text."""
    return "" if value is None else str(value).strip()


def _present(value: Any) -> bool:
    """Whether a cell holds something."""
    return value is not None and str(value).strip() != ""

"""Hostile titles in the files officials open: .md, .docx, .xlsx, .csv and the exposure CLI."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from tests.app.test_inert_outputs import (
    FORMULA,
    HTML,
    LINK,
    PHONE,
    RAW,
    TITLES,
    build_payload_home,
    neglected,
)
from tests.integration.test_cli_contract import run_cli
from wenzheng.ledger.export import write_ledger
from wenzheng.ledger.rows import cell_text

MASKED_PHONE = "我的电话138****5678请尽快回电"


@pytest.fixture(scope="module")
def payload_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with hostile titles and November's bulletin issued."""
    return build_payload_home(tmp_path_factory.mktemp("payload-files"))


@pytest.fixture(scope="module")
def folder(payload_home: Path) -> Path:
    """The November bulletin's files."""
    return payload_home / "bulletins"


def test_the_markdown_bulletin_has_no_live_link_image_or_tag_and_no_raw_number(
        folder: Path) -> None:
    text = (folder / "bulletin-2025-11.md").read_text(encoding="utf-8")
    assert "](" not in text and "![" not in text and "http://" not in text
    assert not re.search(r"(?<!\\)[<>]", text)  # no raw tag: every < and > is escaped
    assert "\\[点此登录\\]\\(http\\://x\\.example/phish\\)" in text
    for raw in RAW:
        assert raw not in text
    assert MASKED_PHONE.replace("*", "\\*") in text


def test_the_word_bulletin_carries_the_titles_as_plain_runs_with_numbers_masked(
        folder: Path) -> None:
    doc = Document(str(folder / "bulletin-2025-11.docx"))
    cells = {c.text for t in doc.tables for row in t.rows for c in row.cells}
    assert {LINK, HTML, FORMULA, MASKED_PHONE} <= cells
    assert not any(raw in c for c in cells for raw in RAW)
    assert not doc.part.rels or all("x.example" not in str(r.target_ref)
                                    for r in doc.part.rels.values())  # no hyperlink made


def test_the_excel_bulletin_holds_a_formula_title_as_a_neutralised_string(folder: Path) -> None:
    book = openpyxl.load_workbook(folder / "bulletin-2025-11.xlsx")
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in cells)  # no formula anywhere in the workbook
    titles = {c.value for c in cells if c.column == 3 and c.parent.title == "超期督办"}
    assert "'" + FORMULA in titles and MASKED_PHONE in titles
    assert not any(raw in str(c.value) for c in cells for raw in RAW)


def test_the_bulletin_content_file_is_masked_too(folder: Path) -> None:
    content = (folder / "bulletin-2025-11.json").read_text(encoding="utf-8")
    titles = {line["title"] for line in json.loads(content)["content"]["overdue"]}
    assert MASKED_PHONE in titles
    for raw in RAW:
        assert raw not in content


def test_the_exposure_command_masks_numbers_in_text_and_json(payload_home: Path) -> None:
    for args in (("--format", "json"), ()):
        done = run_cli(payload_home, "exposure", "--as-of", "2025-12-31T12:00:00+08:00", *args)
        assert done.returncode == 0, done.stderr
        assert MASKED_PHONE in done.stdout
        for raw in RAW:
            assert raw not in done.stdout
    entries = json.loads(run_cli(payload_home, "exposure", "--as-of",
                                 "2025-12-31T12:00:00+08:00", "--format", "json").stdout)
    assert {e["demand"] for e in entries["entries"]} >= {LINK, HTML, FORMULA, MASKED_PHONE}


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_ledger_export_writes_formula_like_text_as_a_quoted_string_and_reads_it_back(
        tmp_path: Path, suffix: str) -> None:
    actions = [a for case, title in TITLES.items() for a in neglected(case, title)]
    path = tmp_path / f"ledger{suffix}"
    assert write_ledger(actions, path, {"GAJ": "=市公安局"}) == len(TITLES)
    if suffix == ".xlsx":
        sheet = openpyxl.load_workbook(path).active
        assert sheet is not None
        cells = [c for row in sheet.iter_rows(min_row=2) for c in row if c.value is not None]
        assert all(c.data_type == "s" for c in cells if isinstance(c.value, str))
        values = [c.value for c in cells]
    else:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            values = [v for row in list(csv.reader(handle))[1:] for v in row]
    assert "'" + FORMULA in values and "'=市公安局" in values
    assert not any(str(v).startswith(("=", "+", "-", "@")) for v in values)
    assert cell_text("'" + FORMULA) == FORMULA and cell_text(PHONE) == PHONE  # import undoes it

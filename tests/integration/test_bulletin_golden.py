"""Bulletin and scorecard through the command line on the embedded store: golden checks."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from docx import Document

from domain.calendar import BUSINESS_TZ
from scorecards.inert import md_escape
from scorecards.render_md import fmt
from tests.integration.test_projection_sqlite import write_jsonl
from wenzheng.cli import main

NOV = datetime(2025, 11, 3, 9, 0, tzinfo=BUSINESS_TZ)  # a Monday
OCT = datetime(2025, 10, 13, 9, 0, tzinfo=BUSINESS_TZ)  # a Monday
SCORING = """
[scoring]
[[scoring.rules]]
version = "2025-试行"
year = 2025
min_volume_month = 2
min_volume_year = 2
"""
SECTIONS = ["一、总体情况", "二、各单位排名", "三、表扬名单", "四、批评名单",
            "五、须作出说明的单位", "六、超期和督办案件", "七、曝光台新增条目",
            "八、本月主要问题类别"]


def act(t0: datetime, case: str, action: str, hours: float, **fields: object) -> dict[str, Any]:
    """One action `hours` after t0."""
    return {"case": case, "action": action, "by": "op",
            "at": (t0 + timedelta(hours=hours)).isoformat(), **fields}


def handled(t0: datetime, case: str, dept: str, rating: str = "满意",
            category: str = "投诉") -> list[dict[str, Any]]:
    """A case handled on time, rated and closed."""
    return [act(t0, case, "register", 0, source="12345", title=f"{case} 的诉求", content="内容",
                category=category, citizen={"name": "张三", "phone": "13812345678"}),
            act(t0, case, "assign", 1, department=dept), act(t0, case, "claim", 2),
            act(t0, case, "submit_reply", 3, text="结果"),
            act(t0, case, "publish_reply", 4, text="已处理"),
            act(t0, case, "rate", 5, rating=rating, channel="电话回访"), act(t0, case, "close", 6)]


def neglected(t0: datetime, case: str, dept: str) -> list[dict[str, Any]]:
    """A case assigned, never claimed, supervised."""
    return [act(t0, case, "register", 0, source="12345", title=f"{case} 的诉求", content="内容",
                category="求助", citizen={"name": "李四", "phone": "13912345678"}),
            act(t0, case, "assign", 1, department=dept),
            act(t0, case, "supervise", 30, level="督办", note="请尽快办理")]


def month_actions() -> list[dict[str, Any]]:
    """October: CGJ 2 good, GAJ 2 good. November: CGJ 3 good, GAJ 1 good + 1 neglected, QHQ 1."""
    return [*handled(OCT, "10-C1", "CGJ"), *handled(OCT, "10-C2", "CGJ"),
            *handled(OCT, "10-G1", "GAJ"), *handled(OCT, "10-G2", "GAJ", "基本满意"),
            *handled(NOV, "11-C1", "CGJ"), *handled(NOV, "11-C2", "CGJ", category="咨询"),
            *handled(NOV, "11-C3", "CGJ"), *handled(NOV, "11-G1", "GAJ", "基本满意"),
            *neglected(NOV, "11-G2", "GAJ"), *handled(NOV, "11-Q1", "QHQ")]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home with two months of cases and a 2025 rules table."""
    monkeypatch.delenv("WENZHENG_DATABASE_URL", raising=False)
    root = tmp_path / "home"
    assert main(["--home", str(root), "init"]) == 0
    with (root / "wenzheng.toml").open("a", encoding="utf-8") as f:
        f.write(SCORING)
    assert main(["--home", str(root), "apply",
                 str(write_jsonl(tmp_path / "a.jsonl", month_actions()))]) == 0
    return root


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    """Run a command with --format json and parse its output."""
    capsys.readouterr()
    assert main(list(argv)) == 0
    result: dict[str, Any] = json.loads(capsys.readouterr().out)
    return result


def issue(home: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """Run `wenzheng bulletin --month 2025-11` and return the content hash it prints."""
    capsys.readouterr()
    assert main(["--home", str(home), "bulletin", "--month", "2025-11", "--out", str(out)]) == 0
    return capsys.readouterr().out.strip().split()[-1]


def test_the_word_and_excel_bulletins_carry_the_sections_and_the_metrics(
        home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    issue(home, tmp_path / "out", capsys)
    total = run_json(capsys, "--home", str(home), "metrics", "--from", "2025-11-01", "--to",
                     "2025-11-30", "--as-of", "2025-12-05", "--format", "json")["total"]
    doc = Document(str(tmp_path / "out" / "bulletin-2025-11.docx"))
    headings = [p.text for p in doc.paragraphs
                if p.style is not None and p.style.name == "Heading 1"]
    assert headings == SECTIONS
    assert doc.paragraphs[0].text == "示范市网络问政工作2025年11月通报"
    fonts = doc.paragraphs[0].runs[0]._element.xpath("./w:rPr/w:rFonts")[0]
    assert fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") \
        == "方正小标宋简体"
    overall = {row.cells[0].text: row.cells[1].text for row in doc.tables[0].rows[1:]}
    assert overall["受理件数"] == fmt("received", total["received"]) == "6"
    assert overall["回复率"] == fmt("reply_rate", total["reply_rate"])
    assert overall["满意率"] == fmt("satisfaction_rate", total["satisfaction_rate"])
    assert len(doc.inline_shapes) == 1  # the chart
    ranking = [[c.text for c in row.cells] for row in doc.tables[1].rows[1:]]
    assert ranking[0][:3] == ["市直部门", "1", "市城市管理和综合执法局"]
    assert ranking[-1][:3] == ["县市区", "", "清河区"]  # one case: shown, not ranked

    book = openpyxl.load_workbook(tmp_path / "out" / "bulletin-2025-11.xlsx")
    figures = {row[1]: row[2] for row in book["总体情况"].iter_rows(min_row=2, values_only=True)}
    for key in ("received", "replied", "reply_rate", "completion_rate", "satisfaction_rate",
                "overdue_open"):
        assert figures[key] == total[key], key
    rows = list(book["单位排名"].iter_rows(min_row=2, values_only=True))
    assert [r[2] for r in rows] == ["CGJ", "GAJ", "QHQ"]
    explain = {r[1] for r in book["超期督办"].iter_rows(min_row=2, values_only=True)}
    assert explain == {"市公安局"}
    markdown = (tmp_path / "out" / "bulletin-2025-11.md").read_text(encoding="utf-8")
    assert md_escape("11-G2") in markdown  # typed text is escaped in the Markdown file
    assert "13912345678" not in markdown and "李四" not in markdown


def test_the_scorecard_explains_the_deductions_with_case_numbers(
        home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = run_json(capsys, "--home", str(home), "scorecard", "--year", "2025", "--as-of",
                      "2025-12-31", "--format", "json")
    assert result["rules_version"] == "2025-试行"
    gaj = next(c for c in result["cards"] if c["code"] == "GAJ")
    assert gaj["received"] == 4 and gaj["rank"] == 2
    assert any(line.startswith("扣分·超期") and "11-G2" in line for line in gaj["explanation"])
    assert any(line.startswith("扣分·被督办") and "11-G2" in line for line in gaj["explanation"])
    other = run_json(capsys, "--home", str(home), "scorecard", "--year", "2025", "--as-of",
                     "2025-12-31", "--rules", "默认-1", "--format", "json")
    assert other["rules_version"] == "默认-1"
    assert all(c["rank"] is None for c in other["cards"])  # default minimum volume 60


def test_reissuing_gives_the_same_hash_and_a_late_event_shows_as_a_difference(
        home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = issue(home, tmp_path / "one", capsys)
    assert issue(home, tmp_path / "two", capsys) == first
    assert (tmp_path / "one" / "bulletin-2025-11.md").read_bytes() == \
        (tmp_path / "two" / "bulletin-2025-11.md").read_bytes()
    late = handled(NOV, "11-Q2", "QHQ", "不满意")
    assert main(["--home", str(home), "apply", str(write_jsonl(tmp_path / "late.jsonl",
                                                                late))]) == 0
    assert issue(home, tmp_path / "one", capsys) != first
    changes = (tmp_path / "one" / "bulletin-2025-11.changes.md").read_text(encoding="utf-8")
    assert first in changes
    assert "overall.received.this: 6 → 7" in changes

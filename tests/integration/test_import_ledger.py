"""Ledger import through the command line: round trip, bad rows by number, idempotence."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from domain.actions import parse_action
from domain.calendar import WorkingCalendar
from domain.policy import DeadlinePolicy, TimeLimits
from wenzheng.bootstrap.service import open_service
from wenzheng.cli import main
from wenzheng.democity import DEPARTMENTS
from wenzheng.demogen import DemoSpec, generate
from wenzheng.home import Home
from wenzheng.ledger.export import ledger_subset, write_ledger

AS_OF = "2026-01-31T23:59:59+08:00"


def run(capsys: pytest.CaptureFixture[str], home: Path, *args: str) -> tuple[int, str]:
    """Run the command line against a home; exit code and stdout (stderr kept in LAST_ERR)."""
    code = main(["--home", str(home), *args])
    captured = capsys.readouterr()
    LAST_ERR[:] = [captured.err]
    return code, captured.out


LAST_ERR: list[str] = [""]
POLICY = DeadlinePolicy(TimeLimits(), WorkingCalendar())


def demo_actions(cases: int, seed: int, year: int = 2025) -> list[dict[str, Any]]:
    """A small demonstration year."""
    return list(generate(DemoSpec(cases=cases, seed=seed, year=year), POLICY, DEPARTMENTS))


def names() -> dict[str, str]:
    """Department code → name of the demonstration city."""
    return {code: name for code, name, _ in DEPARTMENTS}


def case_facts(home: Path) -> dict[str, dict[str, Any]]:
    """Each case's status, lead, rating and first published time, read from the store."""
    service = open_service(Home(home))
    facts: dict[str, dict[str, Any]] = {}
    try:
        numbers = [e["number"] for e in _registered(service)]
        for number in numbers:
            state = service.state(number)
            published = [e["at"] for e in service.history(number)
                         if e["type"] == "ReplyPublished"]
            facts[number] = {"status": state["status"], "lead": state["lead"],
                             "rating": state["rating"],
                             "published": published[-1] if published else None}
    finally:
        service.close()
    return facts


def _registered(service: Any) -> list[dict[str, Any]]:
    """Every Registered event in the store."""
    out: list[dict[str, Any]] = []
    start = 1
    while True:
        batch = service.recorder.select_notifications(start, 1000)
        if not batch:
            return out
        for n in batch:
            event = service.mapper.to_domain_event(n)
            if type(event).__name__ == "Registered":
                out.append({"number": event.number})
        start = batch[-1].id + 1


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_generated_ledger_imports_to_the_same_cases_and_figures_as_its_actions(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str) -> None:
    actions = demo_actions(250, seed=11)
    ledger = tmp_path / f"ledger{suffix}"
    assert write_ledger(actions, ledger, names()) == 250
    code, out = run(capsys, tmp_path / "a", "import", str(ledger), "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["new"] == 250 and report["rejected"] == 0

    by_case: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for a in actions:
        by_case[a["case"]].append(a)
    subset = [parse_action(a) for acts in by_case.values() for a in ledger_subset(acts)]
    service = open_service(Home(tmp_path / "b"))
    try:
        outcomes = service.apply_batch(subset)
    finally:
        service.close()
    assert all(o.status == "applied" for o in outcomes)

    imported, direct = case_facts(tmp_path / "a"), case_facts(tmp_path / "b")
    assert len(imported) == 250 and imported == direct
    assert {f["status"] for f in imported.values()} >= {"closed", "claimed"}

    period = ["metrics", "--from", "2025-01-01", "--to", "2025-12-31", "--as-of", AS_OF,
              "--format", "json"]
    code_a, metrics_a = run(capsys, tmp_path / "a", *period)
    code_b, metrics_b = run(capsys, tmp_path / "b", *period)
    assert code_a == code_b == 0
    assert json.loads(metrics_a) == json.loads(metrics_b)
    assert json.loads(metrics_a)["total"]["received"] > 200


def test_bad_rows_are_rejected_by_row_number_and_the_others_imported(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ledger = tmp_path / "ledger.csv"
    write_ledger(demo_actions(40, seed=12), ledger, names())
    with ledger.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    col = {h: i for i, h in enumerate(header)}
    replied = [i for i in range(1, len(rows)) if rows[i][col["回复时间"]]]
    # Spreadsheet row numbers: header is row 1, so rows[i] is row i + 1.
    rows[2][col["编号"]] = ""                                   # row 3: no number
    rows[4][col["承办单位"]] = "市不存在局"                      # row 5: unknown department
    rows[6][col["认领时间"]] = "2024-01-01 08:00:00"            # row 7: time goes backwards
    rows[8][col["编号"]] = rows[1][col["编号"]]                  # row 9: duplicate number
    major = next(i for i in replied if i > 9)                   # a 重大 case without opinion:
    rows[major][col["优先级"]] = "重大"                          # rejected by the domain
    rows[major][col["办理意见时间"]] = ""
    with ledger.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)

    code, out = run(capsys, tmp_path / "home", "import", str(ledger), "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert [r["row"] for r in report["rejections"]] == [3, 5, 7, 9, major + 1]
    reasons = [r["reason"] for r in report["rejections"]]
    assert "缺少编号" in reasons[0] and "市不存在局" in reasons[1]
    assert "时间倒序" in reasons[2] and "重复" in reasons[3] and "意见" in reasons[4]
    assert report["new"] == 40 - 5
    rejected_file = Path(report["rejected_file"])
    assert rejected_file.parent == Home(tmp_path / "home").dead_letter_dir
    with rejected_file.open(encoding="utf-8-sig", newline="") as handle:
        kept = list(csv.DictReader(handle))
    assert [int(r["行号"]) for r in kept] == [3, 5, 7, 9, major + 1]

    code, out = run(capsys, tmp_path / "home", "import", str(ledger), "--format", "json")
    again = json.loads(out)
    assert again["unchanged"] == 40 - 5 and again["new"] == 0 and again["actions_applied"] == 0
    assert [r["row"] for r in again["rejections"]] == [3, 5, 7, 9, major + 1]


def test_a_ledger_updated_later_adds_only_the_new_steps(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ledger = tmp_path / "ledger.csv"
    header = ("编号,来源,标题,内容,类别,登记时间,交办时间,承办单位,认领时间,回复时间,回复内容,"
              "满意度,办结时间")
    first = "T-1,市长信箱,路灯不亮,某路段路灯不亮,反映,2025-03-03 09:00,2025-03-03 10:00,CGJ,,,,,"
    ledger.write_text(header + "\n" + first + "\n", encoding="utf-8")
    code, out = run(capsys, tmp_path / "home", "import", str(ledger), "--format", "json")
    assert code == 0 and json.loads(out)["actions_applied"] == 2
    later = ("T-1,市长信箱,路灯不亮,某路段路灯不亮,反映,2025-03-03 09:00,2025-03-03 10:00,"
             "市城市管理和综合执法局,2025-03-03 15:00,2025-03-06 10:00,已修复,默认满意,"
             "2025-03-14 09:00")
    ledger.write_text(header + "\n" + later + "\n", encoding="utf-8")
    code, out = run(capsys, tmp_path / "home", "import", str(ledger), "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["updated"] == 1 and report["actions_applied"] == 5
    code, out = run(capsys, tmp_path / "home", "case", "T-1", "--format", "json")
    case = json.loads(out)
    assert case["state"]["status"] == "closed"
    rated = next(e for e in case["history"] if e["type"] == "Rated")
    assert rated["default"] is True


def test_a_ledger_without_the_number_column_is_refused_with_a_hint(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ledger = tmp_path / "ledger.csv"
    ledger.write_text("留言编号,登记时间\nA-1,2025-03-03 09:00\n", encoding="utf-8")
    code, _ = run(capsys, tmp_path / "home", "import", str(ledger))
    assert code == 2
    assert "编号" in LAST_ERR[0] and "--mapping" in LAST_ERR[0]


def test_the_shipped_sample_ledger_is_the_generators_and_imports_cleanly(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    examples = Path(__file__).resolve().parents[2] / "examples"
    remade = tmp_path / "sample.csv"
    write_ledger(demo_actions(200, seed=1, year=2024), remade, names())
    assert remade.read_bytes() == (examples / "ledger-sample.csv").read_bytes()
    code, out = run(capsys, tmp_path / "home", "import", str(examples / "ledger-sample.xlsx"),
                    "--mapping", str(examples / "ledger-mapping.toml"), "--format", "json")
    assert code == 0 and json.loads(out)["new"] == 200
    code, out = run(capsys, tmp_path / "home", "demo", "--cases", "100", "--quiet")
    assert code == 0, "the sample (2024) and the default demo (2025) share no case numbers"

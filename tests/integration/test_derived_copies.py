"""Rejected input never keeps personal data, and `erase` cleans copies older versions kept."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.integration.test_cli_contract import handled, run_cli
from tests.integration.test_import_ledger import demo_actions, names, run
from wenzheng.ledger.export import write_ledger

NAME, PHONE = "王小明", "13712345678"


def test_a_rejected_ledger_row_keeps_neither_the_message_nor_a_phone_and_a_2099_row_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ledger = tmp_path / "ledger.csv"
    write_ledger(demo_actions(12, seed=3), ledger, names())
    with ledger.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    col = {h: i for i, h in enumerate(rows[0])}
    rows[2][col["编号"]] = ""                                    # row 3: rejected (no number)
    rows[2][col["内容"]] = f"我叫{NAME}，电话{PHONE}，请回电"
    rows[2][col["标题"]] = f"请回电{PHONE}"
    times = [i for h, i in col.items() if h.endswith("时间") and rows[4][i]]
    for n, i in enumerate(sorted(times, key=lambda i: rows[4][i])):  # row 5: dated 2099
        rows[4][i] = f"2099-01-{n + 1:02d} 09:00:00"
    with ledger.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    code, out = run(capsys, tmp_path / "home", "import", str(ledger), "--format", "json")
    report = json.loads(out)
    assert code == 1
    reasons = {r["row"]: r["reason"] for r in report["rejections"]}
    assert set(reasons) == {3, 5} and "晚于当前时间" in reasons[5]
    kept = Path(report["rejected_file"]).read_text(encoding="utf-8-sig")
    assert NAME not in kept and PHONE not in kept and "（已隐去）" in kept


def test_erase_redacts_dead_letters_an_older_version_wrote_in_plaintext(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (tmp_path / "a.jsonl").write_text("\n".join(handled("CLI-1")) + "\n", encoding="utf-8")
    assert run_cli(home, "apply", str(tmp_path / "a.jsonl")).returncode == 0
    letters = home / "dead-letter"
    letters.mkdir()
    broken = '{"action":"register","case":"CLI-9","citizen":{"name":"' + NAME + '","phone":"'
    (letters / "old-20250101-000000.jsonl").write_text(json.dumps(
        {"source": "old.jsonl", "line": 3, "reason": "不是合法的 JSON", "text": broken},
        ensure_ascii=False) + "\n", encoding="utf-8")
    (letters / "old-20250101-000000-rejected.csv").write_text(
        f"行号,原因,编号,姓名,联系电话,内容\n3,缺少编号,,{NAME},{PHONE},我叫{NAME}\n",
        encoding="utf-8-sig")
    done = run_cli(home, "erase", "CLI-1", "--reason", "市民申请删除",
                   "--at", "2025-10-20T09:00:00+08:00")
    assert done.returncode == 0, done.stderr
    for path in letters.iterdir():
        text = path.read_text(encoding="utf-8-sig")
        assert NAME not in text and PHONE not in text, path.name
    record = json.loads((letters / "old-20250101-000000.jsonl").read_text(encoding="utf-8"))
    assert record["line"] == 3 and "SHA-256" in record["text"]

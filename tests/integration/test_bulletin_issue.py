"""Issuing bulletins once per month as events, and corrections recorded as differences."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from domain.bulletin import BulletinLedger
from tests.integration.test_bulletin_golden import NOV, handled
from tests.integration.test_bulletin_golden import home as home
from tests.integration.test_projection_sqlite import write_jsonl
from wenzheng.bootstrap.scorer import open_ledger
from wenzheng.cli import main
from wenzheng.home import Home


def ledger(root: Path) -> BulletinLedger:
    """The home's ledger of issued bulletins."""
    return open_ledger(Home(root))


def issue_due(root: Path, out: Path, now: str) -> int:
    """Run `wenzheng bulletins --since 2025-10 --now NOW` once."""
    return main(["--home", str(root), "bulletins", "--since", "2025-10", "--out", str(out),
                 "--now", now])


def test_a_bulletin_is_issued_only_after_its_cut_off_and_only_once(
        home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert issue_due(home, out, "2025-12-05T12:00:00+08:00") == 0  # November not yet due
    books = ledger(home)
    assert books.issued("2025-10") is not None and books.issued("2025-11") is None
    books.close()
    assert issue_due(home, out, "2025-12-06T00:00:00+08:00") == 0
    assert issue_due(home, out, "2025-12-20T00:00:00+08:00") == 0  # a restart: nothing new
    printed = capsys.readouterr().out
    assert printed.count("已发布 2025-11") == 1 and printed.count("已发布 2025-10") == 1
    books = ledger(home)
    issued = books.issued("2025-11")
    assert issued is not None and issued["version"] == 1 and issued["rules_version"] == "2025-试行"
    saved = json.loads((out / "bulletin-2025-11.json").read_text(encoding="utf-8"))
    assert saved["content_hash"] == issued["content_hash"]
    assert [e["type"] for e in books.history("2025-11")] == ["Issued"]
    books.close()


def test_a_late_event_is_recorded_as_a_correction_with_its_differences(
        home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert issue_due(home, tmp_path / "out", "2025-12-06T00:00:00+08:00") == 0
    recheck = ["--home", str(home), "bulletin", "--month", "2025-11", "--out",
               str(tmp_path / "again")]
    capsys.readouterr()
    assert main(recheck) == 0
    assert "与已发布通报一致" in capsys.readouterr().out
    late = handled(NOV, "11-Q9", "QHQ")
    assert main(["--home", str(home), "apply", str(write_jsonl(tmp_path / "late.jsonl",
                                                                late))]) == 0
    assert main([*recheck, "--record-correction"]) == 0
    assert "已记录更正事件" in capsys.readouterr().out
    books = ledger(home)
    history = books.history("2025-11")
    books.close()
    assert [e["type"] for e in history] == ["Issued", "Corrected"]
    assert "overall.received.this: 6 → 7" in history[1]["differences"]
    assert history[1]["content_hash"] != history[0]["content_hash"]


def test_on_postgresql_the_bulletin_is_issued_once_with_the_hash_of_the_embedded_store(
        postgres_schema_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from tests.integration.test_bulletin_golden import SCORING, month_actions

    monkeypatch.setenv("WENZHENG_DATABASE_URL", postgres_schema_url)
    root = tmp_path / "pg-home"
    assert main(["--home", str(root), "init"]) == 0
    with (root / "wenzheng.toml").open("a", encoding="utf-8") as f:
        f.write(SCORING)
    assert main(["--home", str(root), "apply",
                 str(write_jsonl(tmp_path / "a.jsonl", month_actions()))]) == 0
    for _ in range(2):
        assert issue_due(root, tmp_path / "out", "2025-12-06T00:00:00+08:00") == 0
    assert capsys.readouterr().out.count("已发布 2025-11") == 1
    assert not (root / "bulletins.sqlite").exists()
    books = ledger(root)
    issued = books.issued("2025-11")
    books.close()
    assert issued is not None
    assert main(["--home", str(root), "bulletin", "--month", "2025-11", "--out",
                 str(tmp_path / "again")]) == 0
    assert capsys.readouterr().out.strip().split()[-1] == issued["content_hash"]
    monkeypatch.delenv("WENZHENG_DATABASE_URL")
    embedded = tmp_path / "sqlite-home"
    assert main(["--home", str(embedded), "init"]) == 0
    with (embedded / "wenzheng.toml").open("a", encoding="utf-8") as f:
        f.write(SCORING)
    assert main(["--home", str(embedded), "apply", str(tmp_path / "a.jsonl")]) == 0
    capsys.readouterr()
    assert main(["--home", str(embedded), "bulletin", "--month", "2025-11", "--out",
                 str(tmp_path / "embedded")]) == 0
    assert capsys.readouterr().out.strip().split()[-1] == issued["content_hash"]

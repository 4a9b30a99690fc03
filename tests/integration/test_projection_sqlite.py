"""Read models on the embedded SQLite store, through the real command line."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from domain.calendar import BUSINESS_TZ
from tests.fixtures.claim_limit import with_claim_limit
from wenzheng.cli import main

START = datetime(2016, 4, 5, 9, 0, tzinfo=BUSINESS_TZ)




def fuzhou_actions(total: int = 2211, replied: int = 1833) -> list[dict[str, object]]:
    """Cases spread over 2016-04 .. 2017-04; the first `replied` get a published reply."""
    depts = ("GAJ", "ZJJ", "RSJ", "JYJ", "CGJ")
    out: list[dict[str, object]] = []
    for i in range(total):
        number = f"FZ-{i:05d}"
        at = START + timedelta(hours=4 * i)
        base = {"case": number, "by": "wgzx"}
        out.append({**base, "action": "register", "at": at.isoformat(), "source": "人民网留言板",
                    "title": f"留言 {i}", "content": "内容", "category": "反映",
                    "citizen": {"name": "张三", "phone": "13812345678"}})
        out.append({**base, "action": "assign", "at": (at + timedelta(minutes=30)).isoformat(),
                    "department": depts[i % len(depts)]})
        if i < replied:
            out.append({**base, "action": "claim", "at": (at + timedelta(hours=1)).isoformat()})
            out.append({**base, "action": "submit_reply", "text": "已处理",
                        "at": (at + timedelta(hours=2)).isoformat()})
            out.append({**base, "action": "publish_reply", "text": "已答复",
                        "at": (at + timedelta(hours=3)).isoformat()})
    return out


def write_jsonl(path: Path, actions: list[dict[str, object]]) -> Path:
    """Write actions one JSON object a line."""
    path.write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in actions) + "\n",
                    encoding="utf-8")
    return path


def metrics_json(home: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> dict:
    """Run `wenzheng metrics --format json` and parse its output."""
    capsys.readouterr()
    assert main(["--home", str(home), "metrics", "--format", "json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_fuzhou_figures_give_a_reply_rate_of_0_829(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WENZHENG_DATABASE_URL", raising=False)
    home = tmp_path / "home"
    actions = write_jsonl(tmp_path / "fuzhou.jsonl", fuzhou_actions())
    assert main(["--home", str(home), "apply", str(actions)]) == 0
    result = metrics_json(home, capsys, "--from", "2016-04-01", "--to", "2017-04-17",
                          "--as-of", "2017-04-17T23:59:59+08:00")
    total = result["total"]
    assert (total["received"], total["replied"]) == (2211, 1833)
    assert round(total["reply_rate"], 3) == 0.829
    lo, hi = total["reply_rate_ci"]
    assert lo < 0.829 < hi
    assert sum(d["received"] for d in result["departments"]) == 2211
    assert set(result) >= {"from", "to", "as_of", "departments", "total"}


def test_figures_as_of_an_earlier_moment_ignore_later_events(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WENZHENG_DATABASE_URL", raising=False)
    home = tmp_path / "home"
    actions = write_jsonl(tmp_path / "a.jsonl", fuzhou_actions(total=3, replied=1))
    assert main(["--home", str(home), "apply", str(actions)]) == 0
    before_reply = (START + timedelta(hours=2, minutes=30)).isoformat()
    early = metrics_json(home, capsys, "--from", "2016-04-01", "--to", "2016-04-30",
                         "--as-of", before_reply)
    assert (early["total"]["received"], early["total"]["replied"]) == (1, 0)
    late = metrics_json(home, capsys, "--from", "2016-04-01", "--to", "2016-04-30",
                        "--as-of", "2016-05-31")
    assert (late["total"]["received"], late["total"]["replied"]) == (3, 1)
    assert late["total"]["overdue_open"] == 2


def test_applying_the_same_file_twice_leaves_the_figures_unchanged(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WENZHENG_DATABASE_URL", raising=False)
    home = tmp_path / "home"
    actions = write_jsonl(tmp_path / "a.jsonl", fuzhou_actions(total=20, replied=12))
    assert main(["--home", str(home), "apply", str(actions)]) == 0
    args = ("--from", "2016-04-01", "--to", "2016-12-31", "--as-of", "2016-12-31")
    first = metrics_json(home, capsys, *args)
    assert main(["--home", str(home), "apply", str(actions)]) == 0
    assert main(["--home", str(home), "project"]) == 0
    assert metrics_json(home, capsys, *args) == first


def test_the_audit_view_shows_overdue_stages_and_time_charged_to_each_holder(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WENZHENG_DATABASE_URL", raising=False)
    home = with_claim_limit(tmp_path / "home")
    actions = fuzhou_actions(total=1, replied=0)
    late = (START + timedelta(days=20)).isoformat()
    actions.append({"case": "FZ-00000", "by": "dcs", "action": "supervise", "at": late,
                    "level": "督办", "note": "请尽快答复"})
    assert main(["--home", str(home), "apply", str(write_jsonl(tmp_path / "a.jsonl",
                                                                 actions))]) == 0
    capsys.readouterr()
    assert main(["--home", str(home), "case", "FZ-00000", "--format", "json",
                 "--as-of", "2016-05-31"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [e["overdue"] for e in shown["history"]] == [False, False, True]
    assert shown["history"][2]["overdue_stage"] == "claim"
    audit = shown["state"]["audit"]
    assert audit["overdue_holder"] == "GAJ" and audit["overdue_stage_now"] == "claim"
    assert audit["held_working_days"]["GAJ"] > 15
    assert "13812345678" not in json.dumps(shown, ensure_ascii=False)

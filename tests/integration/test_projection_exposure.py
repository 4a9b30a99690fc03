"""The exposure list through the command line on the embedded store."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from domain.calendar import BUSINESS_TZ
from tests.fixtures.claim_limit import with_claim_limit
from tests.integration.test_projection_sqlite import write_jsonl
from wenzheng.cli import main

T0 = datetime(2025, 11, 3, 9, 0, tzinfo=BUSINESS_TZ)  # a Monday
PHONE = "13912345678"




def act(case: str, action: str, hours: float, **fields: object) -> dict[str, object]:
    """One action `hours` after T0."""
    return {"case": case, "action": action, "by": "op",
            "at": (T0 + timedelta(hours=hours)).isoformat(), **fields}


def opened(case: str) -> list[dict[str, object]]:
    """Register and assign to CGJ."""
    return [act(case, "register", 0, source="人民网留言板", title=f"{case} 的诉求",
                content="内容", category="投诉", citizen={"name": "王五", "phone": PHONE}),
            act(case, "assign", 1, department="CGJ")]


def reworked_twice_then_dissatisfied() -> list[dict[str, object]]:
    """Returned twice, then published and rated 不满意."""
    out = [*opened("E-1"), act("E-1", "claim", 2)]
    for i in range(2):
        out += [act("E-1", "submit_reply", 3 + i * 3, text="结果"),
                act("E-1", "return", 4 + i * 3, reason="不合格")]
    return [*out, act("E-1", "submit_reply", 10, text="结果"),
            act("E-1", "publish_reply", 11, text="已妥善处理"),
            act("E-1", "rate", 12, rating="不满意", channel="电话回访")]


@pytest.fixture
def exposure_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home with a reworked case, an overdue case, an ignored supervision and a good case."""
    monkeypatch.delenv("WENZHENG_DATABASE_URL", raising=False)
    actions = [*reworked_twice_then_dissatisfied(), *opened("E-2"),
               *opened("E-3"), act("E-3", "supervise", 3, level="督办", note="请答复"),
               *opened("E-4"), act("E-4", "claim", 2),
               act("E-4", "submit_reply", 5, text="结果"), act("E-4", "publish_reply", 6,
                                                                 text="已处理")]
    home = with_claim_limit(tmp_path / "home")
    assert main(["--home", str(home), "apply", str(write_jsonl(tmp_path / "a.jsonl",
                                                                 actions))]) == 0
    return home


def entries(home: Path, capsys: pytest.CaptureFixture[str], as_of: str) -> list[dict]:
    """Run `wenzheng exposure --format json`."""
    capsys.readouterr()
    assert main(["--home", str(home), "exposure", "--as-of", as_of, "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert PHONE not in out and "王五" not in out
    return list(json.loads(out)["entries"])


def test_each_rule_puts_its_cases_on_the_list_and_says_so(
        exposure_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    found = {(e["rule"], e["case"]) for e in entries(exposure_home, capsys, "2025-12-31")}
    assert ("returned", "E-1") in found and ("dissatisfied_after_rework", "E-1") in found
    assert ("overdue", "E-2") in found and ("supervision_unanswered", "E-3") in found
    assert not any(case == "E-4" for _, case in found)


def test_a_case_is_not_exposed_before_it_is_five_working_days_overdue(
        exposure_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # E-2's claim deadline is 2025-11-04; five working days later is 2025-11-11.
    early = entries(exposure_home, capsys, "2025-11-10T12:00:00+08:00")
    assert ("overdue", "E-2") not in {(e["rule"], e["case"]) for e in early}
    entry = next(e for e in entries(exposure_home, capsys, "2025-11-12T12:00:00+08:00")
                 if e["case"] == "E-2")
    assert entry["department"] == "CGJ" and entry["demand"] == "E-2 的诉求"
    assert "认领" in entry["reason"] and entry["deadline"].startswith("2025-11-04")


def test_the_thresholds_come_from_wenzheng_toml(
        exposure_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = exposure_home / "wenzheng.toml"
    config.write_text(config.read_text(encoding="utf-8") +
                      "\n[exposure]\nreturned_times = 3\nsupervision_unanswered = false\n",
                      encoding="utf-8")
    rules = {e["rule"] for e in entries(exposure_home, capsys, "2025-12-31")}
    assert "returned" not in rules and "supervision_unanswered" not in rules
    assert "overdue" in rules

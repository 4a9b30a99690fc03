"""`wenzheng demo`: the demonstration city applied through the validated path, with figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from domain.calendar import WorkingCalendar
from domain.policy import DeadlinePolicy, TimeLimits
from wenzheng.cli import main
from wenzheng.democity import DEPARTMENTS
from wenzheng.demogen import DemoSpec, generate

AS_OF = "2026-01-31T23:59:59+08:00"


def run(capsys: pytest.CaptureFixture[str], home: Path, *args: str) -> tuple[int, str]:
    """Run the command line against a home; exit code and stdout."""
    code = main(["--home", str(home), *args])
    return code, capsys.readouterr().out


def _count(out: str, label: str) -> int:
    """A 'label: N' line of the demo summary."""
    line = next(x for x in out.splitlines() if x.startswith(label + ":"))
    return int(line.split(":")[1])


def test_the_demonstration_year_has_the_customers_figures_and_reruns_as_duplicates(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "home"
    code, out = run(capsys, home, "demo", "--cases", "3000", "--quiet")
    assert code == 0 and _count(out, "rejected") == 0
    applied = _count(out, "applied")
    assert applied > 20_000

    code, out = run(capsys, home, "metrics", "--from", "2025-01-01", "--to", "2025-12-31",
                    "--as-of", AS_OF, "--format", "json")
    metrics = json.loads(out)
    total = metrics["total"]
    assert 0.80 <= total["reply_rate"] <= 0.99
    assert total["overdue_open"] > 0
    rates = [d["reply_rate"] for d in metrics["departments"]
             if d["code"] != "OFFICE" and d["received"] >= 50]
    assert min(rates) < 0.95 < max(rates)
    assert all(0.75 <= r <= 1.0 for r in rates)
    assert {d["code"] for d in metrics["departments"]} >= {code for code, _, _ in DEPARTMENTS}

    code, out = run(capsys, home, "exposure", "--as-of", AS_OF, "--format", "json")
    exposure = json.loads(out)
    assert code == 0 and exposure["entries"]
    assert all("citizen" not in e for e in exposure["entries"])

    code, out = run(capsys, home, "demo", "--cases", "3000", "--quiet")
    assert code == 0 and _count(out, "applied") == 0 and _count(out, "duplicates") == applied


def test_demo_out_writes_the_generators_lines_without_applying(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "demo.jsonl"
    code, out = run(capsys, tmp_path / "home", "demo", "--cases", "200", "--seed", "4",
                    "--no-apply", "--out", str(target), "--quiet")
    assert code == 0 and "applied" not in out
    lines = [json.loads(x) for x in target.read_text(encoding="utf-8").splitlines()]
    policy = DeadlinePolicy(TimeLimits(), WorkingCalendar())
    assert lines == list(generate(DemoSpec(cases=200, seed=4), policy, DEPARTMENTS))
    assert not (tmp_path / "home" / "events.sqlite").exists()

    code, out = run(capsys, tmp_path / "home", "apply", str(target))
    assert code == 0 and f"applied: {len(lines)}" in out


def test_demo_refuses_a_year_the_calendar_does_not_cover(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--home", str(tmp_path / "home"), "demo", "--year", "2027", "--cases", "10"])
    assert code == 2
    assert "2027" in capsys.readouterr().err

"""bench/app_render.py still renders the scorecard page of a demonstration home and says so."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.e2e.conftest import DEMO_CASES
from tests.e2e.server import REPO, clean_env
from wenzheng.democity import DEPARTMENTS


def test_the_render_benchmark_reports_cold_and_warm_runs_of_the_demo_years_scorecards(
        demo_home: Path, tmp_path: Path) -> None:
    out = tmp_path / "render.json"
    done = subprocess.run([sys.executable, str(REPO / "bench" / "app_render.py"), "--home",
                           str(demo_home), "--repeat", "1", "--year", "2025", "--out", str(out)],
                          cwd=REPO, env=clean_env(demo_home), capture_output=True, text=True,
                          check=False, timeout=600)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == json.loads(out.read_text(encoding="utf-8"))
    assert (result["page"], result["store"], result["year"]) == ("部门考核", "sqlite", 2025)
    assert result["cases"] == DEMO_CASES and result["departments"] == len(DEPARTMENTS)
    assert result["as_of_day"] == "2026-01-31"
    assert len(result["cold_runs"]) == len(result["warm_runs"]) == 1
    assert result["cold"] > 0 and result["warm"] > 0


def test_the_render_benchmark_fails_when_the_page_cannot_show_the_year(
        demo_home: Path) -> None:
    done = subprocess.run([sys.executable, str(REPO / "bench" / "app_render.py"), "--home",
                           str(demo_home), "--repeat", "1", "--year", "2019"],
                          cwd=REPO, env=clean_env(demo_home), capture_output=True, text=True,
                          check=False, timeout=600)
    assert done.returncode == 1
    assert "部门考核" in done.stderr and not done.stdout.strip()

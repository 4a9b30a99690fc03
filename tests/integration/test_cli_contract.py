"""The `wenzheng` console script keeps the contract of README.md and docs/architecture.md."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import psycopg
import pytest
from psycopg import sql

PHONE = "13812345678"


def wenzheng_command() -> list[str]:
    """The installed console script beside this Python, else the module."""
    script = shutil.which("wenzheng", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "wenzheng.cli"]


def run_cli(home: Path, *args: str, database_url: str | None = None
            ) -> subprocess.CompletedProcess[str]:
    """Run `wenzheng --home HOME ARGS…` on the embedded store (or the given PostgreSQL)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("WENZHENG_DATABASE_URL", "WENZHENG_HOME")}
    if database_url:
        env["WENZHENG_DATABASE_URL"] = database_url
    return subprocess.run([*wenzheng_command(), "--home", str(home), *args],
                          capture_output=True, text=True, env=env, timeout=120)


def line(action: str, case: str, at: str, **fields: Any) -> str:
    """One action line; `at` is a day and time in October 2025, Beijing time."""
    data = {"action": action, "case": case, "at": f"2025-10-{at}:00+08:00", "by": "tester",
            **fields}
    return json.dumps(data, ensure_ascii=False)


def register(case: str) -> str:
    """A registration carrying the citizen's phone number."""
    return line("register", case, "09T09:00", source="12345热线", title="噪音扰民",
                content="夜间施工噪音。", category="投诉", priority="一般", region="清河区",
                citizen={"name": "张三", "phone": PHONE})


def handled(case: str, department: str = "CGJ") -> list[str]:
    """register → assign → claim → submit_reply → publish_reply."""
    return [
        register(case),
        line("assign", case, "09T10:00", department=department),
        line("claim", case, "10T09:00", department=department),
        line("submit_reply", case, "13T16:00", text="已处理。"),
        line("publish_reply", case, "14T09:00", text="经核查已处理。"),
    ]


def write_lines(path: Path, lines: list[str]) -> Path:
    """Write a JSON Lines file."""
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def summary(stdout: str) -> tuple[int, int, int]:
    """(applied, duplicates, rejected) from the text summary."""
    values = dict(part.split(": ", 1) for part in stdout.splitlines()
                  if part.split(":")[0] in ("applied", "duplicates", "rejected"))
    return int(values["applied"]), int(values["duplicates"]), int(values["rejected"])


def test_a_fresh_home_gets_a_default_configuration_of_the_demonstration_city(
    tmp_path: Path,
) -> None:
    home = tmp_path / "new-home"
    done = run_cli(home, "init")
    assert done.returncode == 0, done.stderr
    config = (home / "wenzheng.toml").read_text(encoding="utf-8")
    assert "[[departments]]" in config
    assert 'code = "CGJ"' in config


def test_apply_prints_the_summary_and_exits_0_when_every_line_is_applied(tmp_path: Path) -> None:
    actions = write_lines(tmp_path / "a.jsonl", handled("CLI-1") + handled("CLI-2"))
    done = run_cli(tmp_path / "home", "apply", str(actions))
    assert done.returncode == 0, done.stdout + done.stderr
    assert summary(done.stdout) == (10, 0, 0)


def test_reapplying_the_same_file_changes_nothing(tmp_path: Path) -> None:
    home, actions = tmp_path / "home", write_lines(tmp_path / "a.jsonl", handled("CLI-3"))
    assert run_cli(home, "apply", str(actions)).returncode == 0
    before = json.loads(run_cli(home, "case", "CLI-3", "--format", "json").stdout)

    again = run_cli(home, "apply", str(actions))
    assert again.returncode == 0, again.stdout + again.stderr
    assert summary(again.stdout) == (0, 5, 0)
    after = json.loads(run_cli(home, "case", "CLI-3", "--format", "json").stdout)
    assert after == before


def test_a_file_of_duplicates_and_new_lines_exits_0(tmp_path: Path) -> None:
    home = tmp_path / "home"
    run_cli(home, "apply", str(write_lines(tmp_path / "a.jsonl", handled("CLI-4")[:2])))
    done = run_cli(home, "apply", str(write_lines(tmp_path / "b.jsonl", handled("CLI-4"))))
    assert done.returncode == 0, done.stdout + done.stderr
    assert summary(done.stdout) == (3, 2, 0)


def test_apply_exits_1_and_names_the_line_and_reason_of_each_rejection(tmp_path: Path) -> None:
    home = tmp_path / "home"
    actions = write_lines(tmp_path / "a.jsonl", [
        register("CLI-5"),
        line("claim", "CLI-5", "09T09:30", department="CGJ"),
        "{not json",
        line("assign", "CLI-5", "09T10:00", department="CGJ"),
        line("rate", "CLI-5", "09T11:00", rating="很好"),
    ])
    done = run_cli(home, "apply", str(actions))
    assert done.returncode == 1
    assert summary(done.stdout) == (2, 0, 3)
    rejected = [t.strip() for t in done.stdout.splitlines() if t.strip().startswith("line ")]
    assert [t.split(":")[0] for t in rejected] == ["line 2", "line 3", "line 5"]
    assert "ClaimBeforeAssign" in rejected[0]
    assert "JSON" in rejected[1]
    assert "rating" in rejected[2]

    again = run_cli(home, "apply", str(actions))
    assert again.returncode == 1
    assert summary(again.stdout) == (0, 2, 3)


def test_an_unknown_department_in_assign_is_rejected_naming_the_field(tmp_path: Path) -> None:
    actions = write_lines(tmp_path / "a.jsonl", [
        register("CLI-6"), line("assign", "CLI-6", "09T10:00", department="NOPE")])
    done = run_cli(tmp_path / "home", "apply", str(actions))
    assert done.returncode == 1
    assert summary(done.stdout) == (1, 0, 1)
    reason = next(t for t in done.stdout.splitlines() if "line 2:" in t)
    assert "department" in reason and "NOPE" in reason


def test_case_json_shows_the_full_history_and_state_with_the_phone_masked(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    run_cli(home, "apply", str(write_lines(tmp_path / "a.jsonl", handled("CLI-7"))))
    done = run_cli(home, "case", "CLI-7", "--format", "json")
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    assert [e["type"] for e in shown["history"]] == [
        "Registered", "Assigned", "Claimed", "ReplySubmitted", "ReplyPublished"]
    assert [e["holder"] for e in shown["history"]] == ["OFFICE", "CGJ", "CGJ", "OFFICE", "OFFICE"]
    assert all(e["by"] == "tester" and e["at"] for e in shown["history"])
    assert shown["history"][1]["deadlines"]["reply"] == "2025-10-17T23:59:59.999999+08:00"
    assert (shown["state"]["status"], shown["state"]["version"]) == ("published", 5)
    assert shown["history"][0]["citizen"]["phone"] == "138****5678"
    text = run_cli(home, "case", "CLI-7")
    assert text.returncode == 0
    assert PHONE not in done.stdout and PHONE not in text.stdout
    assert "张三" not in done.stdout and "张三" not in text.stdout


def test_an_unknown_case_number_exits_1(tmp_path: Path) -> None:
    done = run_cli(tmp_path / "home", "case", "NO-SUCH-CASE")
    assert done.returncode == 1
    assert "NO-SUCH-CASE" in done.stderr


def test_a_configuration_listing_only_departments_is_valid(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "wenzheng.toml").write_text(
        '[[departments]]\ncode = "A1"\nname = "甲局"\ngroup = "市直部门"\n\n'
        '[[departments]]\ncode = "B2"\nname = "乙区"\ngroup = "县市区"\n', encoding="utf-8")
    actions = write_lines(tmp_path / "a.jsonl", [
        register("CLI-8"), line("assign", "CLI-8", "09T10:00", department="A1"),
        register("CLI-9"), line("assign", "CLI-9", "09T10:00", department="CGJ")])
    done = run_cli(home, "apply", str(actions))
    assert summary(done.stdout) == (3, 0, 1)
    assert "line 4:" in done.stdout and "CGJ" in done.stdout


@pytest.mark.postgres
def test_the_cli_stores_events_in_postgresql_when_wenzheng_database_url_is_set(
    tmp_path: Path, postgres_schema_url: str
) -> None:
    home = tmp_path / "home"
    actions = write_lines(tmp_path / "a.jsonl", handled("CLI-10"))
    done = run_cli(home, "apply", str(actions), database_url=postgres_schema_url)
    assert done.returncode == 0, done.stdout + done.stderr
    assert summary(done.stdout) == (5, 0, 0)
    assert not (home / "events.sqlite").exists()

    schema = parse_qs(urlparse(postgres_schema_url).query)["schema"][0]
    with psycopg.connect(postgres_schema_url.split("?")[0]) as conn:
        count = conn.execute(sql.SQL("SELECT count(*) FROM {}.wenzheng_events")
                             .format(sql.Identifier(schema))).fetchone()
    assert count == (5,)
    shown = run_cli(home, "case", "CLI-10", "--format", "json", database_url=postgres_schema_url)
    assert json.loads(shown.stdout)["state"]["version"] == 5
    assert run_cli(home, "case", "CLI-10").returncode == 1

"""Attacks and faults on the command line end in one Chinese line and a documented exit status."""

from __future__ import annotations

import json
import os
import resource
import signal
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.integration.test_cli_contract import handled, line, register, run_cli, wenzheng_command

NAME, PHONE = "李四", "13900001111"
SECRET = "Pa55-w0rd-not-shown"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """None for the embedded store, else a fresh PostgreSQL schema's URL."""
    if request.param == "sqlite":
        yield None
    else:
        yield request.getfixturevalue("postgres_schema_url")


def one_chinese_line(done: subprocess.CompletedProcess[str]) -> str:
    """The single line a failed command printed on stderr (no traceback)."""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert any("\u4e00" <= ch <= "\u9fff" for ch in lines[0]), lines[0]
    return lines[0]


def hostile_file(path: Path) -> Path:
    """Good lines around every kind of bad line the probes found."""
    future = (datetime.now(UTC) + timedelta(days=365 * 70)).isoformat()
    bad = [
        line("register", "BAD-1", "09T09:00", source="s", title="x", content="c",
             category="投诉", region="r").replace('"title": "x"', '"title": "\\udc80"'),
        '{"a":' * 100_000 + "1" + "}" * 100_000,
        '{"action":"close","case":"CLI-1","case":"CLI-2","at":"2025-10-20T09:00:00+08:00",'
        '"by":"x"}',
        json.dumps({"action": "close", "case": "CLI-1", "at": "1760000000", "by": "x"}),
        json.dumps({"action": "register", "case": "FUT-1", "at": future, "by": "x",
                    "source": "s", "title": "t", "content": "c", "category": "投诉",
                    "region": "r"}),
        '{"action":"register","case":"S4","citizen":{"name":"' + NAME + '","phone":"'
        + PHONE + '"} oops',
    ]
    good = handled("CLI-1")
    path.write_text("\n".join([good[0], *bad[:3], *good[1:3], *bad[3:], *good[3:]]) + "\n",
                    encoding="utf-8")
    return path


def test_every_hostile_line_is_rejected_as_itself_and_the_rest_applied(
        tmp_path: Path, store_url: str | None) -> None:
    home = tmp_path / "home"
    done = run_cli(home, "apply", str(hostile_file(tmp_path / "hostile.jsonl")),
                   database_url=store_url)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "applied: 5" in done.stdout and "rejected: 6" in done.stdout
    reasons = {int(r.split(":")[0].split()[-1]): r for r in done.stdout.splitlines()
               if r.startswith("  line ")}
    assert "代理字符" in reasons[2] and "嵌套层数过多" in reasons[3]
    assert "重复出现" in reasons[4] and "不能是数字" in reasons[7]
    assert "晚于当前时间" in reasons[8] and "不是合法的 JSON" in reasons[9]
    letters = list((home / "dead-letter").iterdir())
    assert len(letters) == 1 and letters[0].stat().st_mode & 0o077 == 0
    records = [json.loads(r) for r in letters[0].read_text(encoding="utf-8").splitlines()]
    assert [r["line"] for r in records] == [2, 3, 4, 7, 8, 9]
    raw = letters[0].read_bytes()
    assert NAME.encode() not in raw and PHONE.encode() not in raw
    shown = run_cli(home, "case", "CLI-1", "--format", "json", database_url=store_url)
    assert json.loads(shown.stdout)["state"]["status"] != "待交办"
    refused = run_cli(home, "case", "FUT-1", database_url=store_url)
    assert refused.returncode == 1  # the case dated 2099 was never registered, so cannot freeze


def test_the_future_tolerance_is_read_from_wenzheng_toml(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert run_cli(home, "init").returncode == 0
    soon = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    action = json.dumps({"action": "register", "case": "SOON-1", "at": soon, "by": "x",
                         "source": "s", "title": "t", "content": "c", "category": "投诉",
                         "region": "r"})
    (tmp_path / "a.jsonl").write_text(action + "\n", encoding="utf-8")
    assert run_cli(home, "apply", str(tmp_path / "a.jsonl")).returncode == 0
    with (home / "wenzheng.toml").open("a", encoding="utf-8") as toml:
        toml.write("\n[actions]\nfuture_tolerance_minutes = 0\n")
    (tmp_path / "b.jsonl").write_text(action.replace("SOON-1", "SOON-2") + "\n",
                                      encoding="utf-8")
    done = run_cli(home, "apply", str(tmp_path / "b.jsonl"))
    assert done.returncode == 1 and "晚于当前时间" in done.stdout


def test_a_bulletin_of_a_month_not_closed_or_out_of_range_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    next_month = (datetime.now(UTC).replace(day=1) + timedelta(days=32)).strftime("%Y-%m")
    for month in (next_month, "1999-12", "2025-13"):
        done = run_cli(home, "bulletin", "--month", month, "--out", str(tmp_path / "out"))
        assert done.returncode == 2, (month, done.stderr)
        one_chinese_line(done)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("args", [
    ("exposure", "--as-of", "yesterday"),
    ("metrics", "--from", "2025-01-01", "--to", "yesterday"),
    ("scorecard", "--year", "2025", "--as-of", "yesterday"),
    ("erase", "CLI-1", "--reason", "x", "--at", "yesterday"),
    ("no-such-command",),
])
def test_a_bad_argument_is_one_chinese_line_with_status_2(
        tmp_path: Path, args: tuple[str, ...]) -> None:
    done = run_cli(tmp_path / "home", *args)
    assert done.returncode == 2, done.stderr
    one_chinese_line(done)


@pytest.mark.parametrize("url", [
    f"postgresql://postgres:{SECRET}@127.0.0.1:1/wenzheng",
    f"postgresql://postgres:{SECRET}@127.0.0.1:5432/no_such_db_for_wenzheng",
    f"mysql://postgres:{SECRET}@127.0.0.1:5432/x",
])
def test_a_database_url_that_cannot_connect_never_prints_its_password(
        tmp_path: Path, url: str) -> None:
    for args in (("case", "CLI-1"), ("metrics", "--from", "2025-01-01", "--to", "2025-12-31"),
                 ("verify",)):
        done = run_cli(tmp_path / "home", *args, database_url=url)
        assert done.returncode in (2, 3), done.stderr
        assert SECRET not in done.stdout + done.stderr
        one_chinese_line(done)


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_a_truncated_or_corrupt_store_file_is_one_chinese_line(
        tmp_path: Path, damage: str) -> None:
    home = tmp_path / "home"
    (tmp_path / "a.jsonl").write_text("\n".join(handled("CLI-1")) + "\n", encoding="utf-8")
    assert run_cli(home, "apply", str(tmp_path / "a.jsonl")).returncode == 0
    store = home / "events.sqlite"
    with sqlite3.connect(store) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = store.read_bytes()
    store.write_bytes(data[: len(data) // 3] if damage == "truncated" else b"\x07" * len(data))
    for args in (("case", "CLI-1"), ("apply", str(tmp_path / "a.jsonl")), ("verify",)):
        done = run_cli(home, *args)
        assert done.returncode == 3, (args, done.stderr)
        assert "数据库" in one_chinese_line(done)


def test_a_full_disk_during_apply_is_one_chinese_line_and_no_half_batch(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert run_cli(home, "init").returncode == 0
    big = "很长的来信内容。" * 2000
    lines = [register(f"FULL-{i}").replace("夜间施工噪音。", big) for i in range(200)]
    (tmp_path / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    limit = 2 * 1024 * 1024  # no file may grow past 2 MB: the store needs ~10 MB

    def cap_file_size() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the cap fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {k: v for k, v in os.environ.items() if k not in ("WENZHENG_DATABASE_URL",)}
    done = subprocess.run([*wenzheng_command(), "--home", str(home), "apply",
                           str(tmp_path / "a.jsonl")], capture_output=True, text=True,
                          env=env, timeout=120, preexec_fn=cap_file_size)
    assert done.returncode == 4, done.stderr
    assert "写入磁盘失败" in one_chinese_line(done)
    shown = run_cli(home, "case", "FULL-199")
    assert shown.returncode == 1  # the batch that could not be written left nothing behind
    again = run_cli(home, "apply", str(tmp_path / "a.jsonl"))
    assert again.returncode == 0, again.stderr

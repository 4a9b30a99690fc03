"""Fuzzing `wenzheng apply` on files: good lines apply once, each bad line is named and kept."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.faults.support import fresh_schema_url, stored_events
from tests.integration.kafka_support import sample_actions
from wenzheng.applyfile import BOM
from wenzheng.cli import main
from wenzheng.home import Home

AT = "2025-03-03T10:00:00+08:00"
# Bad lines by category: (category, line bytes, field the reason must name or None). None of
# them can become legal later, so re-applying the file must give the same rejections.
BAD: list[tuple[str, bytes, str | None]] = [
    ("malformed JSON", b'{"action": "claim", "case": ', "(整行)"),
    ("malformed JSON", b"not json at all", "(整行)"),
    ("malformed JSON", b"[1, 2, 3]", "(整行)"),
    ("wrong type", json.dumps({"action": "extend", "case": "K-00000", "at": AT, "by": "x",
                               "working_days": "three", "reason": "r"}).encode(), "working_days"),
    ("wrong type", json.dumps({"action": "claim", "case": 42, "at": AT, "by": "x"}).encode(),
     "case"),
    ("missing field", json.dumps({"action": "claim", "case": "K-00000", "by": "x"}).encode(),
     "at"),
    ("naive time", json.dumps({"action": "claim", "case": "K-00000", "by": "x",
                               "at": "2025-03-03T10:00:00"}).encode(), "at"),
    ("absurd date", json.dumps({"action": "claim", "case": "K-00000", "by": "x",
                                "at": "0001-01-01T00:00:00+08:00"}).encode(), "at"),
    ("absurd date", json.dumps({"action": "claim", "case": "K-00000", "by": "x",
                                "at": "9999-12-31T23:59:59+08:00"}).encode(), "at"),
    ("oversized text", json.dumps({"action": "publish_reply", "case": "K-00000", "by": "x",
                                   "at": AT, "text": "长" * 20_001},
                                  ensure_ascii=False).encode(), "text"),
    ("control character", json.dumps({"action": "dispute", "case": "K-00000", "by": "x",
                                      "at": AT, "reason": "不是\x1b[2J我们"}).encode(), "reason"),
    ("unknown department", json.dumps({"action": "assign", "case": "K-00001", "by": "x",
                                       "at": AT, "department": "NOWHERE"}).encode(), None),
    ("illegal transition", json.dumps({"action": "claim", "case": "NEVER-REGISTERED",
                                       "by": "x", "at": AT}).encode(), None),
    ("illegal transition", json.dumps({"action": "archive", "case": "K-00002", "by": "x",
                                       "at": "2025-03-01T08:00:00+08:00"}).encode(), None),
    ("poison bytes", b'{"action": "claim", "case": "K-\xff\xfe", "by": "x"}', None),
    ("poison bytes", b"\x00\x01\x02\x80\x81", None),
]
CATEGORIES = sorted({c for c, _, _ in BAD})
GOOD = sample_actions(3, ["GAJ", "ZJJ", "RSJ"])  # three full lifecycles, K-00000..K-00002


def run_apply(home: Path, path: Path) -> tuple[int, dict[str, Any]]:
    """`wenzheng --home HOME apply FILE --format json` in this process: (exit status, summary)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(["--home", str(home), "apply", str(path), "--format", "json"])
    return code, json.loads(out.getvalue())


def build_file(path: Path, picks: list[tuple[int, int]], blanks: list[int], bom: bool
               ) -> tuple[set[int], dict[int, str | None]]:
    """Good lines in order with bad ones and blank lines spliced in; (good, bad) line numbers."""
    lines: list[tuple[bytes, str | None, bool]] = [
        (json.dumps(a, ensure_ascii=False).encode(), None, True) for a in GOOD]
    for where, which in picks:
        _, data, field = BAD[which]
        lines.insert(where % (len(lines) + 1), (data, field, False))
    for where in blanks:
        lines.insert(where % (len(lines) + 1), (b"   ", None, True))
    good, bad = set(), {}
    for number, (data, field, ok) in enumerate(lines, start=1):
        if data.strip() and ok:
            good.add(number)
        elif not ok:
            bad[number] = field
    body = b"\n".join(d for d, _, _ in lines) + b"\n"
    path.write_bytes(BOM.encode() + body if bom else body)
    return good, bad


def check_file(home_root: Path, picks: list[tuple[int, int]], blanks: list[int],
               bom: bool) -> None:
    """Apply a generated file twice and check the summary, the store and the dead letters."""
    path = home_root.parent / "actions.jsonl"
    good, bad = build_file(path, picks, blanks, bom)
    assert len(good) == len(GOOD)
    code, summary = run_apply(home_root, path)
    assert code == (1 if bad else 0)
    assert (summary["applied"], summary["duplicates"]) == (len(GOOD), 0)
    reasons = {r["line"]: r["reason"] for r in summary["rejections"]}
    assert set(reasons) == set(bad), (reasons, bad)
    for number, field in bad.items():
        assert reasons[number].strip()
        if field is not None:
            assert reasons[number].startswith(f"字段 {field}: "), reasons[number]
    home = Home(home_root)
    before = stored_events(home)
    assert sorted(e["action_id"] for e in before) == sorted(a["id"] for a in GOOD)
    letters = [json.loads(x) for f in sorted(home.dead_letter_dir.glob("*.jsonl"))
               for x in f.read_text(encoding="utf-8").splitlines()]
    assert sorted(d["line"] for d in letters) == sorted(bad)
    code, again = run_apply(home_root, path)
    assert code == (1 if bad else 0)
    assert (again["applied"], again["duplicates"]) == (0, len(GOOD))
    assert {r["line"] for r in again["rejections"]} == set(bad)
    assert stored_events(home) == before
    assert len(list(home.dead_letter_dir.glob("*.jsonl"))) == (2 if bad else 0)


pick_lists = st.lists(st.tuples(st.integers(0, 200), st.integers(0, len(BAD) - 1)), max_size=12)
blank_lists = st.lists(st.integers(0, 200), max_size=3)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(picks=pick_lists, blanks=blank_lists, bom=st.booleans())
def test_a_file_of_good_and_bad_lines_applies_the_good_once_and_names_each_bad_line(
    picks: list[tuple[int, int]], blanks: list[int], bom: bool, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("WENZHENG_DATABASE_URL", raising=False)
    root = Path(tempfile.mkdtemp(dir=tmp_path))
    try:
        check_file(root / "home", picks, blanks, bom)
    finally:
        shutil.rmtree(root)


@pytest.mark.postgres
@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(picks=pick_lists, bom=st.booleans())
def test_on_postgresql_the_same_file_gives_the_same_outcome(
    picks: list[tuple[int, int]], bom: bool, tmp_path: Path, postgres_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WENZHENG_DATABASE_URL", fresh_schema_url(postgres_url, "fz"))
    root = Path(tempfile.mkdtemp(dir=tmp_path))
    try:
        check_file(root / "home", picks, [], bom)
    finally:
        shutil.rmtree(root)


def test_every_category_of_bad_line_is_exercised() -> None:
    wanted = ["absurd date", "control character", "illegal transition", "malformed JSON",
              "missing field", "naive time", "oversized text", "poison bytes",
              "unknown department", "wrong type"]
    assert sorted(wanted) == CATEGORIES


def test_a_line_starting_with_a_nul_character_is_reported_as_itself(tmp_path: Path) -> None:
    path = tmp_path / "nul.jsonl"
    path.write_text("\x00" + json.dumps(GOOD[0], ensure_ascii=False) + "\n", encoding="utf-8")
    code, summary = run_apply(tmp_path / "home", path)
    assert code == 1
    assert summary["rejections"][0]["reason"].startswith("字段 (整行): 不是合法的 JSON")


def test_an_undecodable_line_keeps_only_its_length_and_digest_in_the_dead_letter_file(
        tmp_path: Path) -> None:
    path = tmp_path / "bytes.jsonl"
    path.write_bytes(b'{"case": "\xff", "name": "' + "张三".encode() + b'"}\n')
    code, summary = run_apply(tmp_path / "home", path)
    assert code == 1 and "UTF-8" in summary["rejections"][0]["reason"]
    (letter,) = (tmp_path / "home" / "dead-letter").glob("*.jsonl")
    record = json.loads(letter.read_text(encoding="utf-8"))
    assert record["line"] == 1 and "SHA-256" in record["text"]  # the source file has the bytes
    assert "张三" not in letter.read_text(encoding="utf-8")

"""Attacks from inside the home, caught by signed checkpoints published outside it (both stores)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from tests.integration import test_integrity
from tests.integration.test_integrity import Store, found, verify
from wenzheng.bootstrap.service import store_env
from wenzheng.cli import main
from wenzheng.home import Home
from wenzheng.store.chain import GENESIS, link_batch

home = test_integrity.home  # four cases of four events, on SQLite or PostgreSQL


@pytest.fixture
def keys(tmp_path: Path, home: Home) -> Path:
    """The supervision office's key pair, outside the home; the public key copied into it."""
    out = tmp_path / "office-keys"
    assert main(["--home", str(home.root), "anchor", "keygen", "--out", str(out)]) == 0
    return out


def issue(home: Home, keys: Path, published: Path) -> Path:
    """Sign the current head into the published folder; the checkpoint's path."""
    assert main(["--home", str(home.root), "anchor", "issue", "--key",
                 str(keys / "anchor-private.pem"), "--out", str(published)]) == 0
    return sorted(published.glob("anchor-*.json"))[-1]


def verify_against(home: Home, published: Path, capsys: pytest.CaptureFixture[str]
                   ) -> tuple[int, dict[str, Any]]:
    """`wenzheng verify --anchors DIR --format json`."""
    capsys.readouterr()
    status = main(["--home", str(home.root), "verify", "--anchors", str(published),
                   "--format", "json"])
    return status, json.loads(capsys.readouterr().out)


def positions(store: Store) -> str:
    """The position column of the events table."""
    return "notification_id" if store.pg else "rowid"


def chain_table(store: Store) -> str:
    """The chain table's name as the raw connection sees it."""
    return store.table.replace("wenzheng_events", "wenzheng_chain") if store.pg \
        else "wenzheng_chain"


def rebuild_chain(store: Store) -> None:
    """Recompute every chain row with the project's own link_batch, as a forger would."""
    rows = store.conn.execute(f"SELECT {positions(store)}, originator_id, originator_version, "
                              f"topic, state FROM {store.table} ORDER BY 1").fetchall()
    events = [(int(p), UUID(str(o)), int(v), str(t), bytes(s)) for p, o, v, t, s in rows]
    for link in link_batch(events, {}, GENESIS):
        oid = link.originator_id if store.pg else link.originator_id.hex
        store.conn.execute(f"UPDATE {chain_table(store)} SET content_hash={store.m}, "
                           f"event_hash={store.m}, chain_hash={store.m} WHERE "
                           f"originator_id={store.m} AND originator_version={store.m}",
                           (link.content, link.event, link.chain, oid, link.version))


def delete_with_chain(store: Store, case: str, versions: list[int]) -> None:
    """Remove events and their chain rows."""
    for version in versions:
        store.delete(case, version)
        store.conn.execute(f"DELETE FROM {chain_table(store)} WHERE originator_id={store.m} AND "
                           f"originator_version={store.m}", (store.oid(case), version))


def test_the_untouched_log_verifies_against_a_signed_checkpoint(
        home: Home, keys: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    checkpoint = json.loads(issue(home, keys, tmp_path / "pub").read_text(encoding="utf-8"))
    assert (checkpoint["events"], checkpoint["cases"]) == (16, 4)
    assert len(checkpoint["signature"]) == 88 and len(checkpoint["key_id"]) == 16
    assert sorted(v[0] for v in checkpoint["case_heads"].values()) == ["T-A", "T-B", "T-C", "T-D"]
    status, report = verify_against(home, tmp_path / "pub", capsys)
    assert (status, report["ok"], report["anchors"]["checked"]) == (0, True, 1)


def test_an_edit_with_the_chain_rebuilt_by_link_batch_fails_against_an_earlier_checkpoint(
        home: Home, keys: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    issue(home, keys, tmp_path / "pub")
    store = Store(store_env(home))
    _, state = store.row("T-A", 2)
    store.set_state("T-A", 2, state.replace(b'"CGJ"', b'"HBJ"'))
    rebuild_chain(store)
    status, report = verify(home, capsys)
    assert (status, report["problems"]) == (0, [])  # the chains alone are fooled
    status, report = verify_against(home, tmp_path / "pub", capsys)
    assert status == 1
    assert found(report) == {("modified", "T-A", 4)}
    assert any("链头已不在日志中" in line for line in report["anchors"]["messages"])


def test_events_deleted_after_the_checkpoint_with_their_chain_rows_are_named(
        home: Home, keys: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    issue(home, keys, tmp_path / "pub")
    store = Store(store_env(home))
    delete_with_chain(store, "T-D", [3, 4])
    rebuild_chain(store)
    assert verify(home, capsys)[0] == 0  # nothing in the home can tell
    status, report = verify_against(home, tmp_path / "pub", capsys)
    assert status == 1
    assert found(report) == {("deleted", "T-D", 3), ("deleted", "T-D", 4)}


def test_a_case_deleted_whole_is_named_as_that_case_not_as_a_break_at_the_next(
        home: Home, keys: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    issue(home, keys, tmp_path / "pub")
    store = Store(store_env(home))
    case = first_logged_case(store)  # not at the tail: the global chain breaks after it
    delete_with_chain(store, case, [1, 2, 3, 4])
    status, report = verify(home, capsys)
    assert status == 1
    assert {p["kind"] for p in report["problems"]} == {"removed"}
    assert all(p["case"] is None for p in report["problems"])
    status, report = verify_against(home, tmp_path / "pub", capsys)
    assert status == 1
    assert ("case_deleted", case, 0) in found(report)
    assert f"案件 {case} 已被整个删除" in " ".join(p["message"] for p in report["problems"])


def first_logged_case(store: Store) -> str:
    """The number of the case whose event holds the log's first position."""
    from domain.case import case_id

    oid = store.conn.execute(f"SELECT originator_id FROM {store.table} "
                             f"ORDER BY {positions(store)} LIMIT 1").fetchone()[0]
    return next(c for c in ("T-A", "T-B", "T-C", "T-D") if str(case_id(c).hex) ==
                UUID(str(oid)).hex)


def test_events_alone_deleted_from_a_case_are_reported_as_that_case_deleted(
        home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    store = Store(store_env(home))
    for version in (1, 2, 3, 4):
        store.delete("T-C", version)
    status, report = verify(home, capsys)
    assert status == 1
    assert [p["kind"] for p in report["problems"]] == ["case_deleted"]


def test_a_forged_checkpoint_is_refused(
        home: Home, keys: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = issue(home, keys, tmp_path / "pub")
    checkpoint = json.loads(path.read_text(encoding="utf-8"))
    checkpoint["events"] = 15
    path.write_text(json.dumps(checkpoint), encoding="utf-8")
    status, report = verify_against(home, tmp_path / "pub", capsys)
    assert status == 1 and report["anchors"]["checked"] == 0
    assert "签名无效" in report["anchors"]["messages"][0]


def test_a_signing_key_inside_the_home_is_refused(
        home: Home, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--home", str(home.root), "anchor", "keygen", "--out",
                 str(home.root / "keys")]) == 2
    assert "主目录之外" in capsys.readouterr().err
    assert not (home.root / "keys").exists()


def test_verify_of_an_unknown_case_is_an_error(
        home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["--home", str(home.root), "verify", "--case", "NOPE-1"]) == 2
    assert "未找到案件 NOPE-1" in capsys.readouterr().err


def test_case_warns_and_exits_3_on_a_tampered_case(
        home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    store = Store(store_env(home))
    _, state = store.row("T-A", 1)
    store.set_state("T-A", 1, state.replace("路灯不亮".encode(), "早已解决".encode()))
    capsys.readouterr()
    assert main(["--home", str(home.root), "case", "T-A"]) == 3
    out, err = capsys.readouterr()
    assert out.index("哈希链校验未通过") < out.index("早已解决")
    assert "T-A 第 1 个事件被篡改" in err
    assert main(["--home", str(home.root), "case", "T-C"]) == 0


def test_case_with_a_deleted_version_refuses_without_a_traceback(
        home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    Store(store_env(home)).delete("T-B", 2)
    capsys.readouterr()
    assert main(["--home", str(home.root), "case", "T-B", "--format", "json"]) == 3
    out, err = capsys.readouterr()
    assert json.loads(out)["integrity"]["ok"] is False
    assert "Traceback" not in err and "不予显示" in err


def ledger_table(home: Home, store: Store) -> tuple[Any, str]:
    """A raw connection to the bulletin ledger's events and its table name."""
    if store.pg:
        return store.conn, store.table.replace("wenzheng_events", "bulletins_events")
    import sqlite3

    return sqlite3.connect(home.root / "bulletins.sqlite", isolation_level=None), "stored_events"


def rewrite_bulletin_heads(home: Home, store: Store) -> int:
    """Put the rebuilt chain's hash into every Issued bulletin, as the forger would."""
    conn, table = ledger_table(home, store)
    mark = store.m
    rewritten = 0
    for rowid, state in conn.execute(f"SELECT originator_version || ':' || originator_id, state "
                                     f"FROM {table}").fetchall():
        data = json.loads(bytes(state))
        if not data.get("chain_hash"):
            continue
        new = store.conn.execute(f"SELECT chain_hash FROM {chain_table(store)} WHERE "
                                 f"notification_id={mark}", (data["chain_position"],)).fetchone()
        version, oid = rowid.split(":", 1)
        patched = bytes(state).replace(data["chain_hash"].encode(), bytes(new[0]).hex().encode())
        conn.execute(f"UPDATE {table} SET state={mark} WHERE originator_id={mark} AND "
                     f"originator_version={mark}", (patched, oid, int(version)))
        rewritten += 1
    return rewritten


def test_the_reported_attack_passes_verify_but_fails_against_the_bulletins_checkpoint(
        home: Home, keys: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("WENZHENG_ANCHOR_KEY", str(keys / "anchor-private.pem"))
    published = tmp_path / "published"
    assert main(["--home", str(home.root), "bulletins", "--since", "2025-10", "--out",
                 str(published), "--now", "2025-11-20T00:00:00+08:00"]) == 0
    checkpoint = json.loads(next(published.glob("anchor-*.json")).read_text(encoding="utf-8"))
    for suffix in ("md", "docx", "xlsx"):
        raw = (published / f"bulletin-2025-10.{suffix}").read_bytes()
        if suffix != "md":
            raw = _unzipped(published / f"bulletin-2025-10.{suffix}")
        for value in (checkpoint["head"], checkpoint["signature"], checkpoint["key_id"]):
            assert value.encode() in raw, (suffix, value)

    store = Store(store_env(home))
    _, state = store.row("T-A", 2)
    store.set_state("T-A", 2, state.replace(b'"CGJ"', b'"HBJ"'))
    rebuild_chain(store)
    assert rewrite_bulletin_heads(home, store) == 1
    status, report = verify(home, capsys)
    assert (status, report["problems"], report["bulletins"]) == (0, [], [])  # fooled, as reported
    status, report = verify_against(home, published, capsys)
    assert status == 1
    assert found(report) == {("modified", "T-A", 4)}


def _unzipped(path: Path) -> bytes:
    """Every member of an Office file, concatenated."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        return b"".join(z.read(n) for n in z.namelist())


def test_a_bulletin_without_the_key_still_prints_the_chain_head_unsigned(
        home: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WENZHENG_ANCHOR_KEY", raising=False)
    out = tmp_path / "out"
    assert main(["--home", str(home.root), "bulletin", "--month", "2025-10", "--out",
                 str(out)]) == 0
    text = (out / "bulletin-2025-10.md").read_text(encoding="utf-8")
    assert "日志锚点" in text and "（未签名）" in text
    assert not list(out.glob("anchor-*.json"))


def readmodel_conn(home: Home, store: Store) -> tuple[Any, str, str]:
    """A raw connection to the read models, the table prefix and the parameter mark."""
    if store.pg:
        return store.conn, f'"{store_env(home)["POSTGRES_SCHEMA"]}".', "%s"
    import sqlite3

    return sqlite3.connect(home.readmodels_db, isolation_level=None), "", "?"


def test_forged_read_model_rows_are_named_by_verify_read_models_and_shown_in_status(
        home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    root = str(home.root)
    assert main(["--home", root, "scorecard", "--year", "2025", "--as-of",
                 "2025-12-31T00:00:00+08:00"]) == 0
    capsys.readouterr()
    assert main(["--home", root, "verify", "--read-models"]) == 0
    assert "读模型与日志一致" in capsys.readouterr().out

    conn, prefix, mark = readmodel_conn(home, Store(store_env(home)))
    conn.execute(f"DELETE FROM {prefix}rm_scorecard_cards WHERE code IN ({mark}, {mark})",
                 ("CGJ", "BLX"))
    conn.execute(f"DELETE FROM {prefix}rm_cases WHERE number = {mark}", ("T-D",))
    assert main(["--home", root, "verify", "--read-models", "--format", "json"]) == 1
    drift = json.loads(capsys.readouterr().out)["read_models"]
    assert "案件现状表（rm_cases）：主办单位 CGJ 的 1 件案件缺失（日志中有）" in drift
    assert any("T-D" in line and "缺失" in line for line in drift)
    assert any("部门 CGJ" in line and "考核卡缺失" in line for line in drift)
    assert any("部门 BLX" in line and "考核卡缺失" in line for line in drift)

    assert main(["--home", root, "status", "--store-only", "--format", "json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["integrity"]["last"]["read_models"]["ok"] is False
    assert any("读模型核对" in w and "未通过" in w for w in status["warnings"])
    assert main(["--home", root, "status", "--store-only"]) == 0
    assert "读模型核对：" in capsys.readouterr().out


def test_each_verify_run_is_recorded_with_its_time_and_the_record_is_linked(
        home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    from wenzheng import checklog

    Store(store_env(home)).delete("T-B", 3)
    assert main(["--home", str(home.root), "verify"]) == 1
    capsys.readouterr()
    assert main(["--home", str(home.root), "verify", "--read-models"]) == 1
    assert "日志本身不完整" in capsys.readouterr().out  # a gap in the log: no traceback
    last = checklog.last(home.root)
    assert last is not None and last["intact"]
    assert last["log"]["ok"] is False and "T-B" in last["log"]["first"][0]
    assert last["read_models"]["ok"] is False and last["log"]["at"][:2] == "20"
    path = home.root / checklog.NAME
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0].replace('"ok": false', '"ok": true'), *lines[1:]]) + "\n",
                    encoding="utf-8")
    assert checklog.last(home.root)["intact"] is False  # type: ignore[index]


def test_each_checkpoint_given_covers_what_was_logged_before_it(
        home: Home, keys: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.integration.test_integrity import lines_for

    first = issue(home, keys, tmp_path / "pub")
    later = tmp_path / "later.jsonl"
    later.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines_for("T-E")),
                     encoding="utf-8")
    assert main(["--home", str(home.root), "apply", str(later)]) == 0
    issue(home, keys, tmp_path / "pub")
    store = Store(store_env(home))
    delete_with_chain(store, "T-E", [1, 2, 3, 4])
    status, report = verify_against(home, first, capsys)  # the first file alone: T-E unknown
    assert (status, report["problems"], report["anchors"]["checked"]) == (0, [], 1)
    status, report = verify_against(home, tmp_path / "pub", capsys)  # both: the later names it
    assert status == 1 and report["anchors"]["checked"] == 2
    assert found(report) == {("case_deleted", "T-E", 0)}


def test_issuing_without_a_key_or_with_a_key_in_the_home_is_refused_before_anything_is_written(
        home: Home, keys: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("WENZHENG_ANCHOR_KEY", raising=False)
    root, out = str(home.root), tmp_path / "out"
    capsys.readouterr()
    assert main(["--home", root, "anchor", "issue", "--out", str(out)]) == 2
    assert "没有签名私钥" in capsys.readouterr().err
    inside = home.root / "anchor-private.pem"
    inside.write_bytes((keys / "anchor-private.pem").read_bytes())
    assert main(["--home", root, "bulletins", "--since", "2025-10", "--out", str(out),
                 "--now", "2025-11-20T00:00:00+08:00", "--anchor-key", str(inside)]) == 2
    assert "主目录之外" in capsys.readouterr().err
    assert not out.exists()


def test_bulletins_follow_signs_a_checkpoint_on_its_schedule(
        home: Home, keys: Path, tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "published"
    argv = [sys.executable, "-m", "wenzheng.cli", "--home", str(home.root), "bulletins",
            "--since", "2025-10", "--out", str(out), "--now", "2025-10-20T00:00:00+08:00",
            "--follow", "--interval", "0.2", "--anchor-every", "1",
            "--anchor-key", str(keys / "anchor-private.pem")]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while len(list(out.glob("anchor-*.json"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 0, stderr
    assert len(list(out.glob("anchor-*.json"))) >= 2  # no bulletin due: the schedule alone
    assert not list(out.glob("bulletin-*"))
    assert stdout.count("已签发日志锚点") >= 2

"""Attacks from inside the home, caught by signed checkpoints published outside it (both stores)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from tests.integration import test_integrity
from tests.integration.test_integrity import Store, found, verify
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
    store = Store(home.store_env())
    _, state = store.row("T-A", 2)
    store.set_state("T-A", 2, state.replace(b'"CGJ"', b'"HBJ"'))
    rebuild_chain(store)
    status, report = verify(home, capsys)
    assert (status, report["problems"]) == (0, [])  # the chains alone are fooled
    status, report = verify_against(home, tmp_path / "pub", capsys)
    assert status == 1
    assert found(report) == {("modified", "T-A", 4)}
    assert any("链头已不在日志中" in line for line in report["bulletins"])


def test_events_deleted_after_the_checkpoint_with_their_chain_rows_are_named(
        home: Home, keys: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    issue(home, keys, tmp_path / "pub")
    store = Store(home.store_env())
    delete_with_chain(store, "T-D", [3, 4])
    rebuild_chain(store)
    assert verify(home, capsys)[0] == 0  # nothing in the home can tell
    status, report = verify_against(home, tmp_path / "pub", capsys)
    assert status == 1
    assert found(report) == {("deleted", "T-D", 3), ("deleted", "T-D", 4)}


def test_a_case_deleted_whole_is_named_as_that_case_not_as_a_break_at_the_next(
        home: Home, keys: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    issue(home, keys, tmp_path / "pub")
    delete_with_chain(Store(home.store_env()), "T-B", [1, 2, 3, 4])
    status, report = verify(home, capsys)
    assert status == 1
    assert {p["kind"] for p in report["problems"]} == {"removed"}
    assert all(p["case"] is None for p in report["problems"])
    status, report = verify_against(home, tmp_path / "pub", capsys)
    assert status == 1
    assert ("case_deleted", "T-B", 0) in found(report)
    assert "案件 T-B 已被整个删除" in " ".join(p["message"] for p in report["problems"])


def test_events_alone_deleted_from_a_case_are_reported_as_that_case_deleted(
        home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    store = Store(home.store_env())
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
    assert "签名无效" in report["bulletins"][0]


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
    store = Store(home.store_env())
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
    Store(home.store_env()).delete("T-B", 2)
    capsys.readouterr()
    assert main(["--home", str(home.root), "case", "T-B", "--format", "json"]) == 3
    out, err = capsys.readouterr()
    assert json.loads(out)["integrity"]["ok"] is False
    assert "Traceback" not in err and "不予显示" in err

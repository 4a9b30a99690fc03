"""`wenzheng user add|list|remove`: passwords from stdin, only hashes stored."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest

from wenzheng.commands import users as command
from wenzheng.home import Home
from wenzheng.webapp.users import authenticate, users_path


def run(home: Path, *argv: str, stdin: str = "") -> tuple[int, str, str]:
    """Run a `user` subcommand the way wenzheng.cli.main dispatches it."""
    parser = argparse.ArgumentParser(prog="wenzheng")
    command.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["user", *argv])
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.stdin", io.StringIO(stdin))
        patch.setattr("sys.stdout", out)
        patch.setattr("sys.stderr", err)
        code = args.run(args, Home(home))
    return code, out.getvalue(), err.getvalue()


def test_a_user_added_with_a_password_on_stdin_can_sign_in(tmp_path: Path) -> None:
    code, out, _ = run(tmp_path, "add", "chen.jing", "--role", "supervisor", "--email",
                       "cj@example.gov.cn", "--password-stdin", stdin="a-long-secret\n")
    assert code == 0 and "纪检监察" in out
    path = users_path(tmp_path)
    assert "a-long-secret" not in path.read_text(encoding="utf-8")
    user = authenticate(path, "chen.jing", "a-long-secret")
    assert user is not None and user.role == "supervisor"
    code, out, _ = run(tmp_path, "list")
    assert code == 0 and "chen.jing  supervisor 纪检监察  cj@example.gov.cn" in out
    assert "scrypt" not in out


def test_a_short_or_demo_password_is_refused(tmp_path: Path) -> None:
    code, _, err = run(tmp_path, "add", "x", "--role", "admin", "--password-stdin",
                       stdin="short\n")
    assert code == 2 and "至少 8 个字符" in err
    code, _, err = run(tmp_path, "add", "x", "--role", "admin", "--password-stdin",
                       stdin="demo-admin\n")
    assert code == 2 and "演示密码" in err
    assert not users_path(tmp_path).exists()


def test_removing_a_user(tmp_path: Path) -> None:
    run(tmp_path, "add", "x", "--role", "leader", "--password-stdin", stdin="long-enough-phrase\n")
    assert run(tmp_path, "remove", "x")[0] == 0
    assert run(tmp_path, "remove", "x")[0] == 1


def test_unlock_lifts_an_accounts_lockout(tmp_path: Path) -> None:
    from wenzheng.webapp.signins import locked_for, record_failure, store_path

    store = store_path(tmp_path)
    for i in range(5):
        record_failure(store, "chen.jing", "10.0.0.1", 1000.0 + i, "test")
    assert locked_for(store, "chen.jing", "10.0.0.2", 1010.0) > 0
    code, out, _ = run(tmp_path, "unlock", "chen.jing")
    assert code == 0 and "清除 5 次" in out
    assert locked_for(store, "chen.jing", "10.0.0.2", 1010.0) == 0

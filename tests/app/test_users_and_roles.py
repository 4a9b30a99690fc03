"""Users, password hashes, roles, masking and the search's SQL (pure, or a temporary file)."""

from __future__ import annotations

import stat
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from domain.calendar import BUSINESS_TZ
from wenzheng.webapp.masking import MASKED, mask_name, mask_personal
from wenzheng.webapp.moments import default_year_index
from wenzheng.webapp.passwords import hash_password, verify_password
from wenzheng.webapp.roles import ADMIN, LEADER, PUBLIC, SUPERVISOR, cleared, may_open, pages_for
from wenzheng.webapp.search import CaseQuery, like_pattern, where_clause
from wenzheng.webapp.users import (
    DEMO_USERS,
    UserError,
    add_user,
    authenticate,
    by_email,
    ensure_demo_users,
    load_users,
    remove_user,
)


def test_a_password_verifies_against_its_hash_and_nothing_else() -> None:
    stored = hash_password("correct horse")
    assert stored.startswith("scrypt$") and "correct horse" not in stored
    assert verify_password("correct horse", stored)
    assert not verify_password("correct horsE", stored)
    assert not verify_password("correct horse", "scrypt$1$2$3$bad")
    assert not verify_password("correct horse", "plain-text")
    assert hash_password("same") != hash_password("same")  # salted


def test_users_toml_holds_only_hashes_and_is_private(tmp_path: Path) -> None:
    path = tmp_path / "users.toml"
    add_user(path, "wang.fang", LEADER, "a-long-passphrase", email="wf@example.gov.cn")
    text = path.read_text(encoding="utf-8")
    assert "a-long-passphrase" not in text and "scrypt$" in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    users = load_users(path)
    assert users["wang.fang"].role == LEADER and users["wang.fang"].email == "wf@example.gov.cn"
    assert authenticate(path, "wang.fang", "a-long-passphrase") == users["wang.fang"]
    assert authenticate(path, "wang.fang", "wrong-passphrase") is None
    assert authenticate(path, "nobody", "a-long-passphrase") is None
    assert by_email(path, "WF@example.gov.cn") == users["wang.fang"]
    assert remove_user(path, "wang.fang") and not remove_user(path, "wang.fang")


@pytest.mark.parametrize(("name", "role", "password"), [
    ("bad name", LEADER, "long-enough-1"), ("x", "root", "long-enough-1"),
    ("x", PUBLIC, "long-enough-1"), ("x", ADMIN, "short"), ("x", ADMIN, "demo-admin"),
    ('x"]\n[users.y', ADMIN, "long-enough-1")])
def test_bad_users_are_refused_with_a_reason(tmp_path: Path, name: str, role: str,
                                              password: str) -> None:
    with pytest.raises(UserError):
        add_user(tmp_path / "users.toml", name, role, password)
    assert not (tmp_path / "users.toml").exists()


def test_demo_users_are_written_outside_production_only(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WENZHENG_ENV", "production")
    assert not ensure_demo_users(tmp_path / "prod" / "users.toml")
    monkeypatch.setenv("WENZHENG_ENV", "development")
    path = tmp_path / "demo" / "users.toml"
    assert ensure_demo_users(path) and not ensure_demo_users(path)
    for name, password, role in DEMO_USERS:
        user = authenticate(path, name, password)
        assert user is not None and user.role == role and user.demo


def test_production_refuses_demo_users_and_demo_passwords(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "users.toml"
    ensure_demo_users(path)
    monkeypatch.setenv("WENZHENG_ENV", "production")
    with pytest.raises(UserError, match="生产环境"):
        authenticate(path, "admin", "demo-admin")


def test_each_role_may_open_its_pages_only() -> None:
    assert [p.key for p in pages_for(PUBLIC)] == ["exposure", "login"]
    assert [p.key for p in pages_for(LEADER)] == ["exposure", "scorecards", "bulletins"]
    assert [p.key for p in pages_for(SUPERVISOR)] == ["exposure", "audit", "bulletins"]
    assert [p.key for p in pages_for(ADMIN)] == ["exposure", "scorecards", "audit", "bulletins",
                                                 "status"]
    assert [p.key for p in pages_for("root")] == ["exposure", "login"]
    assert not may_open(LEADER, "audit") and may_open(ADMIN, "status")
    assert cleared(SUPERVISOR) and not cleared(ADMIN) and not cleared(LEADER)


def test_personal_data_is_masked_for_roles_without_clearance() -> None:
    citizen = {"name": "欧阳娜娜", "phone": "13812345678"}
    data: dict[str, Any] = {"citizen": citizen, "content": "我家住在…"}
    masked = mask_personal(data)
    assert masked["citizen"] == {"name": "欧***", "phone": "138****5678"}
    assert masked["content"] == MASKED
    assert citizen["phone"] == "13812345678"  # the original is untouched
    assert mask_name("张") == "张*" and mask_name(None) is None


def test_the_default_year_is_the_latest_finished_one() -> None:
    now = datetime(2026, 11, 22, 10, 0, tzinfo=BUSINESS_TZ)
    assert default_year_index([2026, 2025, 2024], now) == 1
    assert default_year_index([2026], now) == 0
    assert default_year_index([2025, 2024], now) == 0


def test_the_search_binds_every_value_and_escapes_like_wildcards() -> None:
    assert like_pattern("50%_a\\b") == "%50\\%\\_a\\\\b%"
    text, params = where_clause(CaseQuery(number="x' OR 1=1 --", department="GAJ",
                                          status="closed"))
    assert "'" not in text.replace("'\\'", "") and "OR 1=1" not in text
    assert params == ["%x' OR 1=1 --%", "GAJ", "GAJ", "closed"]
    assert where_clause(CaseQuery()) == ("1 = 1", [])

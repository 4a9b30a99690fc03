"""Sign-in that holds: server-side lockout across sessions, logged failures, demo users only in
demo homes, a password policy, and sessions that resume from their cookie until idle."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import APP, errors, titles
from wenzheng.cli import main
from wenzheng.webapp.auth import COOKIE, TOKEN_KEY, USER_KEY
from wenzheng.webapp.passwords import password_problem
from wenzheng.webapp.signins import Limits, locked_for, open_session, resume, store_path
from wenzheng.webapp.users import (
    DEMO_USERS,
    UserError,
    add_user,
    authenticate,
    ensure_demo_users,
    is_demo_home,
    load_users,
    users_path,
)

ADMIN_PASSWORD = "Lantern-Harbour-42-Quietly"


@pytest.fixture
def real_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home made by `wenzheng init` with one real admin; the app reads it."""
    home = tmp_path / "home"
    assert main(["--home", str(home), "init"]) == 0
    add_user(users_path(home), "chen.jing", "admin", ADMIN_PASSWORD)
    monkeypatch.setenv("WENZHENG_HOME", str(home))
    for name in ("WENZHENG_DATABASE_URL", "WENZHENG_ENV", "WENZHENG_TRANSPORT",
                 "KAFKA_BOOTSTRAP_SERVERS"):
        monkeypatch.delenv(name, raising=False)
    return home


def attempt(name: str, password: str) -> AppTest:
    """A brand-new browser session that opens 登录 and tries once."""
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    at.switch_page("app_pages/login.py").run()
    at.text_input(key="login_user").input(name)
    at.text_input(key="login_password").input(password)
    at.button(key="login_submit").click().run()
    return at


def test_thirty_guesses_from_new_sessions_every_five_stay_locked_out_and_are_logged(
        real_home: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="wenzheng.signin")
    at = None
    for guess in range(30):
        if guess % 5 == 0:
            at = AppTest.from_file(str(APP), default_timeout=120).run()  # a new session
            at.switch_page("app_pages/login.py").run()
        assert at is not None
        at.text_input(key="login_user").input("chen.jing")
        at.text_input(key="login_password").input(f"wrong-guess-{guess}")
        at.button(key="login_submit").click().run()
    assert at is not None and any("锁定" in e for e in errors(at))
    right = attempt("chen.jing", ADMIN_PASSWORD)  # the right password, yet another session
    assert titles(right) == ["登录"] and any("锁定" in e for e in errors(right))
    assert USER_KEY not in right.session_state
    failures = [r for r in caplog.records if r.getMessage().startswith("sign-in failed")]
    assert len(failures) == 31 and all("chen.jing" in r.getMessage() for r in failures)
    assert not any(ADMIN_PASSWORD in r.getMessage() or "wrong-guess" in r.getMessage()
                   for r in caplog.records)


def test_the_lockout_ends_after_the_window_and_a_client_is_limited_across_accounts(
        tmp_path: Path) -> None:
    from wenzheng.webapp.signins import record_failure

    store = tmp_path / "signin.sqlite"
    limits = Limits(account=5, client=20, window=900)
    for i in range(5):
        record_failure(store, "a", "10.0.0.1", 1000.0 + i, "test")
    assert locked_for(store, "a", "10.0.0.9", 1010.0, limits) > 0  # same account, any client
    assert locked_for(store, "a", "10.0.0.9", 1000.0 + 4 + 901, limits) == 0  # window passed
    for i in range(20):
        record_failure(store, f"user{i}", "10.0.0.2", 2000.0 + i, "test")
    assert locked_for(store, "someone-else", "10.0.0.2", 2030.0, limits) > 0  # same client
    assert locked_for(store, "someone-else", "10.0.0.3", 2030.0, limits) == 0


def test_a_home_made_by_init_has_no_demo_users_and_the_sign_in_page_lists_none(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    assert main(["--home", str(home), "init"]) == 0
    monkeypatch.setenv("WENZHENG_HOME", str(home))
    monkeypatch.delenv("WENZHENG_ENV", raising=False)
    at = attempt("admin", "demo-admin")
    assert not at.exception and titles(at) == ["登录"]
    assert "用户名或密码不正确。" in errors(at)
    assert not any("演示环境账号" in i.value for i in at.info)
    assert not users_path(home).exists()  # the app never writes users


def test_demo_users_written_outside_wenzheng_demo_cannot_sign_in(tmp_path: Path) -> None:
    path = tmp_path / "users.toml"
    ensure_demo_users(path)
    text = path.read_text(encoding="utf-8").replace("demo_home = true", "")
    path.write_text(text, encoding="utf-8")  # e.g. written by an older app into an init home
    with pytest.raises(UserError, match="wenzheng demo"):
        authenticate(path, "admin", "demo-admin")


def test_wenzheng_demo_writes_the_demo_users_and_a_real_user_replaces_them(
        home: Path) -> None:
    path = users_path(home)
    assert is_demo_home(path) and {u.name for u in load_users(path).values() if u.demo} == {
        name for name, _, _ in DEMO_USERS}
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    at.switch_page("app_pages/login.py").run()
    assert any("演示环境账号" in i.value for i in at.info)
    add_user(path, "zhou.min", "leader", ADMIN_PASSWORD)
    assert set(load_users(path)) == {"zhou.min"} and not is_demo_home(path)


@pytest.mark.parametrize("password", ["", "        ", "12345678", "password", "qwertyuiop",
                                      "aaaaaaaaaaaa", "chen.jing2025", "demo-admin"])
def test_blank_whitespace_and_common_passwords_are_refused(tmp_path: Path,
                                                           password: str) -> None:
    with pytest.raises(UserError):
        add_user(tmp_path / "users.toml", "chen.jing", "admin", password)
    assert not (tmp_path / "users.toml").exists()


def test_a_long_unusual_passphrase_is_accepted() -> None:
    assert password_problem(ADMIN_PASSWORD, ("chen.jing",)) is None
    assert "空白" in str(password_problem("   \t  "))


def test_signing_in_stores_a_session_whose_cookie_resumes_it_until_idle(real_home: Path) -> None:
    at = attempt("chen.jing", ADMIN_PASSWORD)
    assert not errors(at) and titles(at) == ["部门考核"]
    token = at.session_state[TOKEN_KEY]
    scripts = [str(getattr(e, "proto", "")) for e in at.get("html")]
    assert any(f"{COOKIE}={token}" in s for s in scripts)
    store = store_path(real_home)
    now = time.time()
    resumed = resume(store, token, now)
    assert resumed is not None and (resumed.username, resumed.role) == ("chen.jing", "admin")
    assert resume(store, token, now + 31 * 60) is None  # idle 31 minutes: gone
    assert resume(store, token, now) is None  # and not revived


def test_signing_out_ends_the_stored_session(real_home: Path) -> None:
    at = attempt("chen.jing", ADMIN_PASSWORD)
    token = at.session_state[TOKEN_KEY]
    at.sidebar.button(key="logout").click().run()
    assert titles(at) == ["曝光台"]
    assert resume(store_path(real_home), token, time.time()) is None


def test_an_idle_session_is_signed_out_on_its_next_run(real_home: Path) -> None:
    at = attempt("chen.jing", ADMIN_PASSWORD)
    store = store_path(real_home)
    token = at.session_state[TOKEN_KEY]
    stale = open_session(store, "chen.jing", "admin", time.time() - 3600)
    at.session_state[TOKEN_KEY] = stale  # a session last used an hour ago
    at.run()
    assert USER_KEY not in at.session_state and titles(at) != ["部门考核"]
    assert any("长时间未操作" in i.value for i in at.sidebar.info)
    assert resume(store, token, time.time()) is not None  # other sessions are untouched


def test_the_idle_time_is_read_from_the_app_section_of_wenzheng_toml(real_home: Path) -> None:
    with (real_home / "wenzheng.toml").open("a", encoding="utf-8") as config:
        config.write("\n[app]\nsession_idle_minutes = 120\n")
    at = attempt("chen.jing", ADMIN_PASSWORD)
    at.session_state[TOKEN_KEY] = open_session(store_path(real_home), "chen.jing", "admin",
                                               time.time() - 3600)  # an hour: within 120 min
    at.run()
    assert at.session_state[USER_KEY]["name"] == "chen.jing"
    assert not any("长时间未操作" in i.value for i in at.sidebar.info)

"""Sign-in and roles: each role's navigation, and every page refusing roles it does not allow."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.app.conftest import app, errors, page_as, sign_in, titles
from wenzheng.webapp.roles import DEFAULT_PAGE, PAGES, ROLES, page
from wenzheng.webapp.users import add_user, load_users, users_path

CONTENT_PAGES = [p for p in PAGES if p.key != "login"]


def test_the_public_lands_on_the_exposure_platform_without_signing_in(home: Path) -> None:
    at = app().run()
    assert not at.exception
    assert titles(at) == ["曝光台"]
    assert not errors(at)


@pytest.mark.parametrize("role", ["leader", "supervisor", "admin"])
def test_signing_in_opens_the_roles_first_page_and_shows_who_is_signed_in(
        home: Path, role: str) -> None:
    at = sign_in(role)
    assert not at.exception and not errors(at)
    assert titles(at) == [page(DEFAULT_PAGE[role]).title]
    assert any(role in c.value for c in at.sidebar.caption)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_can_open_exactly_its_pages_through_the_navigation(
        home: Path, role: str) -> None:
    at = app().run() if role == "public" else sign_in(role)
    for spec in CONTENT_PAGES:
        if role in spec.roles:
            at.switch_page(spec.file).run()
            assert not at.exception, spec.key
            assert titles(at) == [spec.title] and not errors(at)
        else:
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(spec.file)


@pytest.mark.parametrize(("spec", "role"), [(p, r) for p in CONTENT_PAGES for r in ROLES
                                            if r not in p.roles])
def test_a_page_run_directly_refuses_a_role_it_does_not_allow(
        home: Path, spec: object, role: str) -> None:
    file = spec.file  # type: ignore[attr-defined]
    at = page_as(file, role)
    assert not at.exception
    assert any("无权访问" in e for e in errors(at))
    assert titles(at) == []  # nothing of the page was rendered
    assert not at.dataframe and not at.metric


@pytest.mark.parametrize(("spec", "role"), [(p, r) for p in CONTENT_PAGES for r in ROLES
                                            if r in p.roles])
def test_a_page_run_directly_opens_for_a_role_it_allows(
        home: Path, spec: object, role: str) -> None:
    at = page_as(spec.file, role)  # type: ignore[attr-defined]
    assert not at.exception
    assert not errors(at)
    assert titles(at) == [spec.title]  # type: ignore[attr-defined]


def test_a_wrong_password_is_refused_and_the_session_stays_public(home: Path) -> None:
    at = sign_in("leader", password="not-the-password")
    assert "用户名或密码不正确。" in errors(at)
    assert titles(at) == ["登录"]
    with pytest.raises(ValueError):
        at.switch_page("app_pages/department_scores.py")


def test_signing_out_returns_to_the_public_view(home: Path) -> None:
    at = sign_in("admin")
    at.sidebar.button(key="logout").click().run()
    assert titles(at) == ["曝光台"]
    with pytest.raises(ValueError):
        at.switch_page("app_pages/status.py")


def test_demo_credentials_are_refused_in_production(
        home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app().run()  # outside production the demo users exist
    assert any(u.demo for u in load_users(users_path(home)).values())
    monkeypatch.setenv("WENZHENG_ENV", "production")
    at = sign_in("admin")
    assert any("生产环境" in e for e in errors(at))
    assert titles(at) == ["登录"]
    assert not any("演示环境账号" in i.value for i in at.info)


def test_a_fresh_production_home_gets_no_demo_users(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WENZHENG_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("WENZHENG_ENV", "production")
    at = app().run()
    assert not at.exception and titles(at) == ["曝光台"]
    assert not users_path(tmp_path / "home").exists()


def test_a_real_user_added_to_users_toml_can_sign_in(home: Path) -> None:
    add_user(users_path(home), "zhang.wei", "supervisor", "s3cret-passw0rd")
    at = app().run()
    at.switch_page("app_pages/login.py").run()
    at.text_input(key="login_user").input("zhang.wei")
    at.text_input(key="login_password").input("s3cret-passw0rd")
    at.button(key="login_submit").click().run()
    assert titles(at) == ["案件审计"] and not errors(at)


OIDC = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback",
                 "cookie_secret": "test-only", "client_id": "x", "client_secret": "y",
                 "server_metadata_url": "https://idp.example/.well-known/openid-configuration"}}


def test_an_oidc_identity_gets_the_role_its_email_has_in_users_toml(home: Path) -> None:
    add_user(users_path(home), "li.na", "leader", "another-passw0rd", email="Li.Na@example.gov.cn")
    at = app()
    at.secrets = OIDC
    at.user = {"is_logged_in": True, "email": "li.na@example.gov.cn"}
    at.run()
    assert not at.exception
    assert titles(at) == ["部门考核"]
    assert any("li\\.na" in c.value for c in at.sidebar.caption)  # names are shown escaped


def test_an_oidc_identity_without_a_role_stays_public(home: Path) -> None:
    at = app()
    at.secrets = OIDC
    at.user = {"is_logged_in": True, "email": "stranger@example.com"}
    at.run()
    assert titles(at) == ["曝光台"]
    assert any("未在本系统分配角色" in w.value for w in at.sidebar.warning)

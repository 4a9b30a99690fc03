"""Sign-in state in the Streamlit session: password users, OIDC users, and page guards."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from wenzheng.webapp.roles import (
    DEFAULT_PAGE,
    PUBLIC,
    ROLE_ZH,
    SIGNED_IN_ROLES,
    may_open,
    page,
)
from wenzheng.webapp.users import UserError, authenticate, by_email, load_users, users_path

USER_KEY = "wz_user"
FAILURES_KEY = "wz_login_failures"
GOTO_KEY = "wz_goto"
MAX_FAILURES, LOCKOUT_SECONDS = 5, 60


@dataclass(frozen=True)
class SignedIn:
    """Who is using this session: name, role and how they signed in."""

    name: str
    role: str
    via: str  # "password", "oidc" or "public"

    @property
    def role_zh(self) -> str:
        """The role in Chinese."""
        return ROLE_ZH.get(self.role, self.role)


ANONYMOUS = SignedIn("", PUBLIC, "public")


def current(home_root: Path | None = None) -> SignedIn:
    """The session's user (the public when nobody signed in or the account is gone)."""
    raw = st.session_state.get(USER_KEY)
    if not isinstance(raw, dict) or raw.get("role") not in SIGNED_IN_ROLES:
        return ANONYMOUS
    user = SignedIn(str(raw.get("name", "")), str(raw["role"]), str(raw.get("via", "password")))
    if home_root is not None:
        try:
            stored = load_users(users_path(home_root)).get(user.name)
        except UserError:
            stored = None
        if stored is None or stored.role != user.role:
            st.session_state.pop(USER_KEY, None)
            return ANONYMOUS
    return user


def require(page_key: str) -> SignedIn:
    """The user, if their role may open the page; otherwise an error and the page stops."""
    user = current()
    if not may_open(user.role, page_key):
        title = page(page_key).title
        why = "请先登录" if user.role == PUBLIC else f"当前角色“{user.role_zh}”不能查看此页"
        st.error(f"无权访问“{title}”：{why}。")
        st.stop()
    return user


def _remember(user: SignedIn) -> None:
    """Keep the user in the session; the router then opens the role's landing page."""
    st.session_state[USER_KEY] = asdict(user)
    st.session_state[GOTO_KEY] = DEFAULT_PAGE[user.role]
    st.session_state.pop(FAILURES_KEY, None)


def landing_page() -> str | None:
    """The page to open right after signing in (once), or None."""
    goto = st.session_state.pop(GOTO_KEY, None)
    return str(goto) if goto else None


def sign_in(home_root: Path, name: str, password: str) -> str | None:
    """Check the password; None on success, else the message to show."""
    failures: list[float] = [t for t in st.session_state.get(FAILURES_KEY, [])
                             if time.monotonic() - t < LOCKOUT_SECONDS]
    if len(failures) >= MAX_FAILURES:
        return f"失败次数过多，请 {LOCKOUT_SECONDS} 秒后再试。"
    if not name.strip() or not password:
        return "请输入用户名和密码。"
    try:
        user = authenticate(users_path(home_root), name, password)
    except UserError as exc:
        return str(exc)
    if user is None:
        st.session_state[FAILURES_KEY] = [*failures, time.monotonic()]
        return "用户名或密码不正确。"
    _remember(SignedIn(user.name, user.role, "password"))
    return None


def sign_out() -> None:
    """Forget the user (and end the OIDC session when there is one)."""
    user = current()
    st.session_state.pop(USER_KEY, None)
    if user.via == "oidc":
        st.logout()


def oidc_configured() -> bool:
    """Whether `[auth]` is configured in .streamlit/secrets.toml."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def _oidc_identity() -> dict[str, Any]:
    """st.user as a dict (empty when unavailable)."""
    try:
        return dict(st.user.to_dict())
    except Exception:
        return {}


def adopt_oidc_user(home_root: Path) -> str | None:
    """Map a signed-in OIDC identity to a role by its email in users.toml.

    Returns a message when the identity has no role here; None otherwise.
    """
    if not oidc_configured() or current().role != PUBLIC:
        return None
    identity = _oidc_identity()
    if not identity.get("is_logged_in"):
        return None
    email = str(identity.get("email") or "")
    try:
        user = by_email(users_path(home_root), email) if email else None
    except UserError as exc:
        return str(exc)
    if user is None:
        return f"统一身份认证账号 {email or '（无邮箱）'} 未在本系统分配角色，请联系管理员。"
    _remember(SignedIn(user.name, user.role, "oidc"))
    return None

"""Sign-in state in the Streamlit session: password users, OIDC users, and page guards.

Attempts are limited per account and per client in HOME/signin.sqlite (wenzheng.webapp.signins),
so a new browser session does not reset the count. A signed-in session is also kept there; the
browser holds its random token in the `wz_session` cookie, so a reload resumes it until it has
been idle for `[app] session_idle_minutes` (default 30).
"""

from __future__ import annotations

import math
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
from wenzheng.webapp.signins import (
    IDLE_MINUTES,
    MAX_HOURS,
    close_session,
    locked_for,
    open_session,
    record_failure,
    record_success,
    resume,
    store_path,
)
from wenzheng.webapp.users import UserError, authenticate, by_email, load_users, users_path

USER_KEY = "wz_user"
TOKEN_KEY = "wz_token"
CLEAR_KEY = "wz_clear_cookie"
GOTO_KEY = "wz_goto"
COOKIE = "wz_session"
IDLE_MESSAGE = "长时间未操作，已自动退出登录，请重新登录。"


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


def _remember(user: SignedIn, home_root: Path) -> None:
    """Keep the user in the session (and server-side, for reloads); then the landing page."""
    st.session_state[USER_KEY] = asdict(user)
    st.session_state[TOKEN_KEY] = open_session(store_path(home_root), user.name, user.role,
                                               time.time())
    st.session_state[GOTO_KEY] = DEFAULT_PAGE[user.role]


def client() -> str:
    """The client's address as Streamlit sees it (behind a proxy: the proxy's)."""
    try:
        address = st.context.ip_address
    except Exception:  # no request context (e.g. tests)
        address = None
    return str(address or "未知")


def _cookie() -> str:
    """The session cookie the browser sent when this session connected ('' when none)."""
    try:
        return str(st.context.cookies.get(COOKIE) or "")
    except Exception:
        return ""


def keep_session(home_root: Path, idle_minutes: float = IDLE_MINUTES) -> str | None:
    """Resume a signed-in session from its cookie, or end one idle too long.

    Returns the message to show when the session just ended for inactivity.
    """
    store = store_path(home_root)
    token = st.session_state.get(TOKEN_KEY)
    now = time.time()
    if token is None:
        cookie = _cookie()
        if USER_KEY not in st.session_state and cookie:
            found = resume(store, cookie, now, idle_minutes)
            if found is not None:
                st.session_state[USER_KEY] = asdict(SignedIn(found.username, found.role,
                                                             "password"))
                st.session_state[TOKEN_KEY] = cookie
        return None
    if resume(store, str(token), now, idle_minutes) is None:
        st.session_state.pop(USER_KEY, None)
        st.session_state.pop(TOKEN_KEY, None)
        st.session_state[CLEAR_KEY] = True
        return IDLE_MESSAGE
    return None


def cookie_script() -> str | None:
    """The script that stores (or clears) the session cookie in the browser, when needed."""
    token = st.session_state.get(TOKEN_KEY)
    secure = "(location.protocol === 'https:' ? '; Secure' : '')"
    if token:
        return (f"<script>document.cookie = '{COOKIE}={token}; Path=/; SameSite=Strict; "
                f"Max-Age={MAX_HOURS * 3600}' + {secure};</script>")
    if st.session_state.pop(CLEAR_KEY, False):
        return f"<script>document.cookie = '{COOKIE}=; Path=/; Max-Age=0';</script>"
    return None


def landing_page() -> str | None:
    """The page to open right after signing in (once), or None."""
    goto = st.session_state.pop(GOTO_KEY, None)
    return str(goto) if goto else None


def sign_in(home_root: Path, name: str, password: str) -> str | None:
    """Check the password; None on success, else the message to show.

    Every failure is stored and logged (never the password); while the account or the client
    has too many recent failures, no password is checked at all.
    """
    account, where, now = name.strip(), client(), time.time()
    if not account or not password:
        return "请输入用户名和密码。"
    store = store_path(home_root)
    wait = locked_for(store, account, where, now)
    if wait > 0:
        record_failure(store, account, where, now, "locked out")
        return f"失败次数过多，账号或本机已暂时锁定，请 {math.ceil(wait / 60)} 分钟后再试。"
    try:
        user = authenticate(users_path(home_root), account, password)
    except UserError as exc:
        record_failure(store, account, where, now, "refused account")
        return str(exc)
    if user is None:
        record_failure(store, account, where, now, "wrong name or password")
        return "用户名或密码不正确。"
    record_success(store, account, where)
    _remember(SignedIn(user.name, user.role, "password"), home_root)
    return None


def sign_out(home_root: Path) -> None:
    """Forget the user here and server-side (and end the OIDC session when there is one)."""
    user = current()
    st.session_state.pop(USER_KEY, None)
    close_session(store_path(home_root), str(st.session_state.pop(TOKEN_KEY, "") or ""))
    st.session_state[CLEAR_KEY] = True
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
    _remember(SignedIn(user.name, user.role, "oidc"), home_root)
    return None

"""Users of the app in HOME/users.toml: name, role, scrypt hash, optional OIDC email, demo flag.

Demonstration users (public passwords) are written only by `wenzheng demo`, which also marks
the file `demo_home = true`; elsewhere a user marked `demo` cannot sign in.
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from wenzheng.webapp.passwords import hash_password, password_problem, verify_password
from wenzheng.webapp.roles import ADMIN, LEADER, SIGNED_IN_ROLES, SUPERVISOR

USERS_FILE = "users.toml"
ENV_VAR = "WENZHENG_ENV"
PRODUCTION = "production"
NAME = re.compile(r"^[A-Za-z0-9_.@\-]{1,64}$")
# Demonstration users, documented in docs/app.md: public passwords, refused in production.
DEMO_USERS = ((LEADER, "demo-leader", LEADER), (SUPERVISOR, "demo-supervisor", SUPERVISOR),
              (ADMIN, "demo-admin", ADMIN))
DEMO_PASSWORDS = frozenset(password for _, password, _ in DEMO_USERS)
DEMO_HOME = "demo_home"
DEMO_ONLY = "演示账号只能在 wenzheng demo 生成的演示主目录中使用"


@cache
def _dummy_hash() -> str:
    """A hash to check against when the name is unknown (so timing does not reveal names)."""
    return hash_password("wenzheng-no-such-user", salt=b"\0" * 16)


class UserError(ValueError):
    """A bad user name, role or users.toml; the message is Chinese and names the problem."""


@dataclass(frozen=True)
class User:
    """A user as stored (the password only as its hash)."""

    name: str
    role: str
    password_hash: str
    email: str | None = None
    demo: bool = False


def in_production() -> bool:
    """Whether WENZHENG_ENV says this is a production deployment."""
    return os.environ.get(ENV_VAR, "").strip().lower() == PRODUCTION


def users_path(home_root: Path) -> Path:
    """HOME/users.toml."""
    return home_root / USERS_FILE


def _read(path: Path) -> dict[str, Any]:
    """The file's TOML ({} when it does not exist)."""
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: TOML 格式错误：{exc}") from None


def is_demo_home(path: Path) -> bool:
    """Whether `wenzheng demo` made this users file (its demonstration users may sign in)."""
    return _read(path).get(DEMO_HOME) is True


def demo_active(path: Path) -> bool:
    """Whether demonstration users may sign in here: a demo home, outside production."""
    try:
        return not in_production() and is_demo_home(path)
    except UserError:
        return False


def load_users(path: Path) -> dict[str, User]:
    """Every user in the file by name ({} when it does not exist)."""
    data = _read(path)
    out: dict[str, User] = {}
    for name, entry in dict(data.get("users") or {}).items():
        if not isinstance(entry, dict) or entry.get("role") not in SIGNED_IN_ROLES:
            raise UserError(f"{path}: 用户 {name} 的角色无效")
        out[name] = User(name, entry["role"], str(entry.get("password", "")),
                         entry.get("email") or None, bool(entry.get("demo", False)))
    return out


def _quote(text: str) -> str:
    """A TOML basic string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def save_users(path: Path, users: dict[str, User], demo_home: bool = False) -> None:
    """Write the file (owner read/write only), replacing it atomically."""
    lines = ["# 问政应用的用户（密码仅存 scrypt 摘要）。用 `wenzheng user add` 管理。", ""]
    if demo_home:
        lines += ["# 由 wenzheng demo 生成：下列演示账号的密码是公开的，仅供演示。",
                  f"{DEMO_HOME} = true", ""]
    for u in sorted(users.values(), key=lambda u: u.name):
        lines += [f"[users.{_quote(u.name)}]", f"role = {_quote(u.role)}",
                  f"password = {_quote(u.password_hash)}"]
        if u.email:
            lines.append(f"email = {_quote(u.email)}")
        if u.demo:
            lines.append("demo = true")
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mode 0600
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write("\n".join(lines))
    os.replace(tmp, path)


def add_user(path: Path, name: str, role: str, password: str, email: str | None = None,
             demo: bool = False) -> User:
    """Add or replace a user; the password is stored only as a scrypt hash."""
    if not NAME.match(name):
        raise UserError("用户名只能包含字母、数字和 _ . @ -，长度 1–64")
    if role not in SIGNED_IN_ROLES:
        raise UserError(f"角色应为 {' | '.join(SIGNED_IN_ROLES)}")
    if not demo and password in DEMO_PASSWORDS:
        raise UserError("不能使用演示密码")
    problem = None if demo else password_problem(password, (name, *name.split("."), "wenzheng"))
    if problem:
        raise UserError(problem)
    users = load_users(path)
    user = User(name, role, hash_password(password), email, demo)
    users[name] = user
    if demo:
        save_users(path, users, is_demo_home(path))
    else:  # the first real user ends the demonstration: its public accounts go
        save_users(path, {n: u for n, u in users.items() if not u.demo})
    return user


def remove_user(path: Path, name: str) -> bool:
    """Remove a user; False when there was none of that name."""
    users = load_users(path)
    if users.pop(name, None) is None:
        return False
    save_users(path, users, is_demo_home(path))
    return True


def ensure_demo_users(path: Path) -> bool:
    """For `wenzheng demo` outside production: the demo users, unless real users exist.

    True when written. A home made by `wenzheng init` never gets them.
    """
    if in_production() or any(not u.demo for u in load_users(path).values()):
        return False
    if is_demo_home(path):
        return False
    users = {name: User(name, role, hash_password(password), None, True)
             for name, password, role in DEMO_USERS}
    save_users(path, users, demo_home=True)
    return True


def authenticate(path: Path, name: str, password: str) -> User | None:
    """The user if name and password match, else None.

    In production a demonstration user or password raises UserError instead.
    """
    user = load_users(path).get(name.strip())
    if user is None:
        verify_password(password, _dummy_hash())  # same cost whether or not the name exists
        return None
    if not verify_password(password, user.password_hash):
        return None
    if in_production() and (user.demo or password in DEMO_PASSWORDS):
        raise UserError("演示账号和演示密码在生产环境（WENZHENG_ENV=production）中已停用")
    if user.demo and not is_demo_home(path):
        raise UserError(DEMO_ONLY)
    return user


def by_email(path: Path, email: str) -> User | None:
    """The user an OIDC email maps to (case-insensitive), or None."""
    wanted = email.strip().lower()
    for user in load_users(path).values():
        if user.email and user.email.lower() == wanted:
            if user.demo and not demo_active(path):
                return None
            return user
    return None

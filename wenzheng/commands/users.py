"""Commands for the app's users: user add | list | remove | unlock (HOME/users.toml, scrypt hashes).

`add` refuses blank, short and easily guessed passwords (zxcvbn score under 3); exit status 2.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from wenzheng.home import Home
from wenzheng.webapp.roles import ROLE_ZH, SIGNED_IN_ROLES
from wenzheng.webapp.signins import clear_failures, store_path
from wenzheng.webapp.users import UserError, add_user, load_users, remove_user, users_path


def _password(args: argparse.Namespace) -> str:
    """The new password: the first line of stdin with --password-stdin, else asked twice."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("密码：")
    if getpass.getpass("再次输入密码：") != first:
        raise UserError("两次输入的密码不一致")
    return first


def cmd_user_add(args: argparse.Namespace, home: Home) -> int:
    """Add (or replace) a user of the app."""
    home.init()
    path = users_path(home.root)
    try:
        demo = sorted(u.name for u in load_users(path).values() if u.demo)
        user = add_user(path, args.name, args.role, _password(args), args.email)
    except UserError as exc:
        print(f"未能添加用户：{exc}", file=sys.stderr)
        return 2
    print(f"已保存用户 {user.name}（{ROLE_ZH[user.role]}）到 {path}")
    if demo:
        print(f"已删除演示账号：{'、'.join(demo)}（已有正式用户）")
    return 0


def cmd_user_list(args: argparse.Namespace, home: Home) -> int:
    """List the users (never their hashes)."""
    try:
        users = load_users(users_path(home.root))
    except UserError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    for u in sorted(users.values(), key=lambda u: u.name):
        extra = "".join((f"  {u.email}" if u.email else "", "  （演示账号）" if u.demo else ""))
        print(f"{u.name}  {u.role} {ROLE_ZH[u.role]}{extra}")
    return 0


def cmd_user_remove(args: argparse.Namespace, home: Home) -> int:
    """Remove a user."""
    if remove_user(users_path(home.root), args.name):
        print(f"已删除用户 {args.name}")
        return 0
    print(f"没有用户 {args.name}", file=sys.stderr)
    return 1


def cmd_user_unlock(args: argparse.Namespace, home: Home) -> int:
    """Lift an account's sign-in lockout (its recorded failures are cleared)."""
    cleared = clear_failures(store_path(home.root), args.name)
    print(f"已解除 {args.name} 的登录锁定（清除 {cleared} 次失败记录）")
    return 0


def register(sub: Any) -> None:
    """Add `user add|list|remove` to the command line."""
    p = sub.add_parser("user", help="users of the Streamlit app (HOME/users.toml)")
    actions = p.add_subparsers(dest="user_command", required=True)
    add = actions.add_parser("add", help="add or replace a user; the password is asked for")
    add.add_argument("name")
    add.add_argument("--role", choices=SIGNED_IN_ROLES, required=True)
    add.add_argument("--email", help="the OIDC email that signs in as this user")
    add.add_argument("--password-stdin", dest="password_stdin", action="store_true",
                     help="read the password from the first line of stdin")
    add.set_defaults(run=cmd_user_add)
    listing = actions.add_parser("list", help="list the users")
    listing.set_defaults(run=cmd_user_list)
    remove = actions.add_parser("remove", help="remove a user")
    remove.add_argument("name")
    remove.set_defaults(run=cmd_user_remove)
    unlock = actions.add_parser("unlock", help="lift an account's sign-in lockout")
    unlock.add_argument("name")
    unlock.set_defaults(run=cmd_user_unlock)

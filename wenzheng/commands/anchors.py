"""`wenzheng anchor keygen|issue`: the supervision office's signed checkpoints of the log."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from domain.calendar import BUSINESS_TZ
from wenzheng.bootstrap.anchoring import issue_checkpoint, signing_key_path
from wenzheng.bootstrap.service import store_env
from wenzheng.home import Home
from wenzheng.store.anchor import KEY_ENV, PUBLIC_NAME, AnchorError, keygen


def cmd_keygen(args: argparse.Namespace, home: Home) -> int:
    """Make the supervision office's key pair (outside the home) and publish the public key."""
    out = Path(args.out)
    if out.resolve().is_relative_to(home.root.resolve()):
        print(f"未生成：{out} 位于主目录内，私钥须由监督部门保管在主目录之外", file=sys.stderr)
        return 2
    try:
        private, public = keygen(out)
    except AnchorError as exc:
        print(f"未生成：{exc}", file=sys.stderr)
        return 2
    if home.root.exists():
        (home.root / PUBLIC_NAME).write_bytes(public.read_bytes())
    print(f"私钥：{private}（仅监督部门保管；签发时用 --key 或 {KEY_ENV} 指定）")
    print(f"公钥：{public}" + (f"（已复制到 {home.root / PUBLIC_NAME}）"
                              if home.root.exists() else ""))
    return 0


def cmd_issue(args: argparse.Namespace, home: Home) -> int:
    """Write a signed checkpoint of the log's head (daily by cron and with every bulletin)."""
    key_path = signing_key_path(args.key)
    if key_path is None:
        print(f"未签发：没有签名私钥（--key 或 {KEY_ENV}）", file=sys.stderr)
        return 2
    env = store_env(home)
    if env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite" and not home.events_db.exists():
        print(f"未签发：事件库不存在：{home.events_db}", file=sys.stderr)
        return 2
    try:
        path = issue_checkpoint(home, key_path, Path(args.out), datetime.now(BUSINESS_TZ))
    except AnchorError as exc:
        print(f"未签发：{exc}", file=sys.stderr)
        return 2
    print(f"已签发日志锚点：{path}")
    return 0


def register(sub: Any) -> None:
    """Add `anchor keygen` and `anchor issue` to the command line."""
    p = sub.add_parser("anchor", help="signed checkpoints of the log's head (日志锚点)")
    inner = p.add_subparsers(dest="anchor_command", required=True)
    k = inner.add_parser("keygen", help="make the supervision office's Ed25519 key pair")
    k.add_argument("--out", required=True, help="folder outside the home for the key pair")
    k.set_defaults(run=cmd_keygen)
    i = inner.add_parser("issue", help="sign the log's current head into a checkpoint file")
    i.add_argument("--key", help=f"private key file (default ${KEY_ENV})")
    i.add_argument("--out", required=True, help="folder the checkpoint is published to")
    i.set_defaults(run=cmd_issue)

"""`wenzheng kek new`: make a key-encryption key for the operator to keep outside the home."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from wenzheng.home import Home
from wenzheng.store.kek import KEK_FILE_ENV, new_kek_text, write_kek_file


def cmd_kek_new(args: argparse.Namespace, home: Home) -> int:
    """Print a fresh KEK, or write it to a new owner-only file."""
    if args.out is None:
        print(new_kek_text())
        return 0
    path = Path(args.out)
    if not write_kek_file(path):
        print(f"文件已存在，未覆盖：{path}", file=sys.stderr)
        return 2
    print(f"已生成密钥加密密钥：{path}（仅所有者可读）；请设置 {KEK_FILE_ENV}={path.resolve()}，"
          "并另行备份：丢失它，所有案件的个人信息都将无法读取")
    return 0


def register(sub: Any) -> None:
    """Add `kek new` to the command line."""
    p = sub.add_parser("kek", help="key-encryption key for citizens' personal data (密钥加密密钥)")
    actions = p.add_subparsers(dest="kek_action", required=True)
    new = actions.add_parser("new", help="make a new KEK (printed, or written to --out)")
    new.add_argument("--out", help="write it to this new file (mode 0600) instead of printing")
    new.set_defaults(run=cmd_kek_new)

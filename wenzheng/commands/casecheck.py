"""`wenzheng case` behind a check of the case's chain: a tampered case is never shown silently."""

from __future__ import annotations

import argparse
import io
import json
import sys
from contextlib import redirect_stdout

from wenzheng.commands.cases import cmd_case
from wenzheng.home import Home
from wenzheng.render import to_json
from wenzheng.store.verify import verify_case

TAMPERED = 3  # exit status: the case's chain does not verify


def chain_problems(home: Home, number: str) -> list[str]:
    """What is wrong with the case's stored chain (empty when it verifies)."""
    env = home.store_env()
    if env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite" and not home.events_db.exists():
        return []
    return [p.describe() for p in verify_case(env, number).problems]


def checked_case(args: argparse.Namespace, home: Home) -> int:
    """The case when its chain verifies; else a loud warning, what can be read, exit 3."""
    problems = chain_problems(home, args.number)
    if not problems:
        return cmd_case(args, home)
    banner = [f"警告：案件 {args.number} 的哈希链校验未通过，日志中的这一案件被改动过，"
              "以下内容不可作为依据："] + [f"  {line}" for line in problems]
    print("\n".join(banner), file=sys.stderr)
    out = io.StringIO()
    try:
        with redirect_stdout(out):
            cmd_case(args, home)
    except Exception as exc:  # tampered bytes can break decoding anywhere: refuse, never trace
        print(f"案件 {args.number} 的历史无法完整读出（{type(exc).__name__}），不予显示",
              file=sys.stderr)
        if args.format == "json":
            print(to_json({"case": args.number, "integrity": {"ok": False, "problems": problems},
                           "shown": False}))
        return TAMPERED
    text = out.getvalue()
    if args.format == "json":
        try:
            data = json.loads(text)
        except ValueError:
            data = {"case": args.number}
        data["integrity"] = {"ok": False, "problems": problems}
        print(to_json(data))
    else:
        print("\n".join(["！" * 20, *banner, "！" * 20, ""]) + text, end="")
    return TAMPERED

"""Commands on cases: init, apply, case (behind a check of the case's chain)."""

from __future__ import annotations

import argparse
import io
import json
import sys
from contextlib import redirect_stdout
from datetime import datetime
from pathlib import Path
from typing import Any

from domain.errors import CaseNotYetRegistered, UnknownCase
from domain.vocabulary import EventType
from scorecards.masking import mask_citizen, mask_text
from wenzheng.applyfile import apply_file, write_dead_letter
from wenzheng.bootstrap.service import open_service, store_env
from wenzheng.clock import latest_allowed, parse_moment
from wenzheng.home import Home
from wenzheng.progress import Progress
from wenzheng.render import case_text, summary_text, to_json
from wenzheng.store.verify import verify_case

TAMPERED = 3  # exit status: the case's chain does not verify


def cmd_init(args: argparse.Namespace, home: Home) -> int:
    """Create the home folder and a default wenzheng.toml."""
    created = home.init()
    home.settings()
    verb = "已创建" if created else "已存在"
    print(f"{verb}配置 {home.config_path}")
    return 0


def cmd_apply(args: argparse.Namespace, home: Home) -> int:
    """Apply a JSON Lines file of actions and print the summary."""
    path = Path(args.file)
    if not path.is_file():
        print(f"找不到文件：{path}", file=sys.stderr)
        return 2
    total = sum(1 for _ in path.open("rb"))
    not_after = latest_allowed(home.settings())
    service = open_service(home)
    try:
        with Progress("已处理", total, "行", enabled=total >= 5000 or args.progress) as shown:
            summary = apply_file(service, path, progress=shown.show, not_after=not_after)
        from wenzheng.bootstrap.readside import update_read_models

        update_read_models(home, service)
    finally:
        service.close()
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    dead = write_dead_letter(summary, path, home.dead_letter_dir, stamp)
    if args.format == "json":
        print(to_json(summary.as_dict()))
    else:
        print(summary_text(
            [("applied", summary.applied), ("duplicates", summary.duplicates),
             ("rejected", len(summary.rejected))],
            [f"line {r.line}: {r.reason}" for r in summary.rejected], dead))
    return 0 if summary.ok else 1


def cmd_case(args: argparse.Namespace, home: Home) -> int:
    """Print a case's full history (with the audit view) and its current state."""
    from wenzheng.bootstrap.readside import case_audit

    try:
        moment = parse_moment(args.as_of) if args.as_of else None
    except ValueError:
        print(f"--as-of 不是合法的时间：{args.as_of!r}（应为 ISO 8601，如 2025-10-14 或 "
              "2025-10-14T10:00:00+08:00）", file=sys.stderr)
        return 2
    service = open_service(home)
    try:
        if moment is None:
            state, history = service.state(args.number), service.history(args.number)
        else:
            state, history = service.as_of(args.number, moment)
        personal = service.personal_data(args.number)
        found = case_audit(home, service, args.number, args.as_of)
    except (UnknownCase, CaseNotYetRegistered) as exc:
        print(_reason(exc), file=sys.stderr)
        return 1
    finally:
        service.close()
    for event in history:
        if event["type"] == EventType.REGISTERED:
            _unseal(event, personal)
        mask_personal_data(event)
    by_version = {e.version: e for e in found.events}
    for event in history:
        seen = by_version.get(event["version"])
        event["overdue_stage"] = seen.overdue_stage if seen else None
        event["overdue"] = bool(seen and seen.overdue_stage)
        event["held_working_days"] = seen.held_days if seen else None
    state["audit"] = {
        "held_working_days": found.held_days, "overdue_working_days": found.overdue_days,
        "overdue_holder": found.overdue_holder, "overdue_stage_now": found.overdue_stage_now,
    }
    state["overdue_stage"] = found.overdue_stage_now
    state["overdue"] = found.overdue_stage_now is not None
    if args.format == "json":
        asked = {"as_of": found.as_of} if moment is not None else {}
        print(to_json({"case": args.number, **asked, "state": state, "history": history}))
    else:
        state["audit"]["as_of"] = found.as_of
        print(case_text(state, history, home.settings().department_names()))
    return 0


def _reason(exc: Exception) -> str:
    """A domain error's Chinese message without its class name."""
    return str(exc).split(": ", 1)[-1]


def _unseal(event: dict[str, Any], personal: dict[str, Any] | None) -> None:
    """Put the decrypted message and contact data in place of the sealed tokens."""
    if personal is None:
        event["citizen"], event["content"] = {"erased": True}, "（个人信息已删除）"
    else:
        event["citizen"], event["content"] = personal["citizen"], personal["content"]


def mask_personal_data(event: dict[str, Any]) -> None:
    """Personal data is never printed in full."""
    if isinstance(event.get("content"), str):
        event["content"] = mask_text(event["content"])
    citizen = event.get("citizen")
    if isinstance(citizen, dict) and not citizen.get("erased"):
        event["citizen"] = mask_citizen(citizen)


def chain_problems(home: Home, number: str) -> list[str]:
    """What is wrong with the case's stored chain (empty when it verifies)."""
    env = store_env(home)
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


def register(sub: Any) -> None:
    """Add init, apply and case to the command line."""
    p = sub.add_parser("init", help="create the home folder and a default wenzheng.toml")
    p.set_defaults(run=cmd_init)

    p = sub.add_parser("apply", help="apply case actions from a JSON Lines file")
    p.add_argument("file")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--progress", action="store_true", help="always show progress")
    p.set_defaults(run=cmd_apply)

    p = sub.add_parser("case", help="a case's full history and current state")
    p.add_argument("number")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--as-of", dest="as_of",
                   help="the case as it stood at this moment (default: now)")
    p.set_defaults(run=checked_case)  # checks the chain, then cmd_case

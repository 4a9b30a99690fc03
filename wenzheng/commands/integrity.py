"""Commands on the log's integrity and personal data: verify, erase."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import Any

from domain.calendar import BUSINESS_TZ
from domain.errors import CaseError
from wenzheng.home import Home
from wenzheng.redact import scrub_dead_letters
from wenzheng.render import to_json
from wenzheng.store.verify import Problem, Report, check_anchor, verify_case, verify_store


def anchor_problems(home: Home, env: dict[str, str]) -> list[str]:
    """Issued bulletins whose recorded chain head is no longer in the log."""
    from wenzheng.commands.scoring import open_ledger

    ledger = open_ledger(home)
    try:
        found = []
        for month in ledger.months():
            issued = ledger.issued(month) or {}
            position, digest = issued.get("chain_position", 0), issued.get("chain_hash", "")
            if digest and not check_anchor(env, position, digest):
                found.append(f"{month} 通报记录的日志链头（位置 {position}）已不在日志中："
                             "其依据的历史被改写")
        return found
    finally:
        ledger.close()


def cmd_verify(args: argparse.Namespace, home: Home) -> int:
    """Check every case's hash chain, the global chain and the bulletins' anchors."""
    env = home.store_env()
    if env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite" and not home.events_db.exists():
        print(f"事件库不存在：{home.events_db}", file=sys.stderr)
        return 2
    if args.case:
        report = verify_case(env, args.case)
        anchors: list[str] = []
    else:
        report = verify_store(env, progress=_progress if sys.stderr.isatty() else None)
        anchors = anchor_problems(home, env)
    if args.format == "json":
        print(to_json(_as_dict(report, anchors)))
    else:
        _print_text(report, anchors)
    return 0 if report.ok and not anchors else 1


def _progress(cases: int, events: int) -> None:
    """Progress on stderr for long verifications."""
    print(f"\r已校验 {cases} 件 / {events} 个事件", end="", file=sys.stderr, flush=True)


def _as_dict(report: Report, anchors: list[str]) -> dict[str, Any]:
    """The report as JSON values."""
    return {"ok": report.ok and not anchors, "events": report.events, "cases": report.cases,
            "head": {"position": report.head_position, "hash": report.head_hash},
            "problems": [_problem(p) for p in report.problems], "bulletins": anchors}


def _problem(p: Problem) -> dict[str, Any]:
    """One problem as JSON values."""
    return {"kind": p.kind, "case": p.case or None, "case_id": str(p.case_id),
            "version": p.version, "detail": p.detail, "message": p.describe()}


def _print_text(report: Report, anchors: list[str]) -> None:
    """The report for people."""
    print(f"已校验 {report.cases} 件案件、{report.events} 个事件；"
          f"日志链头 位置 {report.head_position} {report.head_hash[:16]}")
    for p in report.problems:
        print(f"  {p.kind}: {p.describe()}")
    for line in anchors:
        print(f"  bulletin: {line}")
    print("完整：日志未被改动" if report.ok and not anchors
          else f"发现 {len(report.problems) + len(anchors)} 处问题")


def cmd_erase(args: argparse.Namespace, home: Home) -> int:
    """Destroy a case's personal data (crypto-shredding); the erasure is itself an event."""
    at = datetime.fromisoformat(args.at) if args.at else datetime.now(BUSINESS_TZ)
    if at.tzinfo is None:
        print("--at 必须带时区，例如 2026-01-31T09:00:00+08:00", file=sys.stderr)
        return 2
    service = home.open_service()
    try:
        outcome = service.erase(args.case, args.reason, at=at, by=args.by)
        from wenzheng.commands.projections import bring_up_to_date

        bring_up_to_date(home, service)
    except (CaseError, ValueError) as exc:
        print(f"未删除：{exc}", file=sys.stderr)
        return 1
    finally:
        service.close()
    scrub_dead_letters(home.dead_letter_dir)  # derived copies (docs/integrity.md)
    print(f"已销毁案件 {args.case} 的个人信息密钥；删除记录为第 {outcome.version} 个事件")
    return 0


def register(sub: Any) -> None:
    """Add verify and erase to the command line."""
    p = sub.add_parser("verify", help="check the hash chains of the event log (日志完整性校验)")
    p.add_argument("--case", help="check only this case")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(run=cmd_verify)

    p = sub.add_parser("erase", help="destroy a case's personal data (个人信息删除)")
    p.add_argument("case", help="case number")
    p.add_argument("--reason", required=True, help="why (e.g. the citizen's request, its number)")
    p.add_argument("--by", default="admin", help="operator")
    p.add_argument("--at", help="moment (ISO 8601 with offset; default now)")
    p.set_defaults(run=cmd_erase)

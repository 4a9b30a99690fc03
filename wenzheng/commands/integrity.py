"""Commands on the log's integrity and personal data: verify, erase."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from domain.calendar import BUSINESS_TZ
from domain.errors import CaseError
from projections.row import ProjectionGap
from wenzheng import checklog
from wenzheng.bootstrap.service import open_service, store_env
from wenzheng.home import Home
from wenzheng.progress import Progress
from wenzheng.redact import scrub_dead_letters
from wenzheng.render import to_json
from wenzheng.store.anchor import (
    PUBLIC_ENV,
    PUBLIC_NAME,
    AnchorError,
    load_public,
    read_checkpoints,
)
from wenzheng.store.anchorcheck import AnchorReport, check_anchors
from wenzheng.store.verify import Problem, Report, check_anchor, verify_case, verify_store


def anchor_problems(home: Home, env: dict[str, str]) -> list[str]:
    """Issued bulletins whose recorded chain head is no longer in the log."""
    from wenzheng.bootstrap.scorer import open_ledger

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
    """Check the hash chains, the bulletins' anchors, published checkpoints and read models."""
    env = store_env(home)
    if env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite" and not home.events_db.exists():
        print(f"事件库不存在：{home.events_db}", file=sys.stderr)
        return 2
    try:
        checkpoints = _checkpoints(args, home)
    except AnchorError as exc:
        print(f"无法核对锚点：{exc}", file=sys.stderr)
        return 2
    if args.read_models:
        return _verify_read_models(args, home)
    anchored = check_anchors(env, *checkpoints) if checkpoints else None
    if args.case:
        report = verify_case(env, args.case)
        anchors: list[str] = []
        if anchored is not None:
            anchored.problems = [p for p in anchored.problems if p.case == args.case]
            anchored.messages = []
        if report.events == 0 and not report.problems and not (anchored and anchored.problems):
            print(f"未找到案件 {args.case}：日志中没有这个案件编号", file=sys.stderr)
            return 2
    else:
        with Progress("已校验", unit="件", enabled=sys.stderr.isatty()) as shown:
            report = verify_store(env, progress=lambda cases, events: shown.show(
                cases, note=f"{events} 个事件"))
        anchors = anchor_problems(home, env)
    if anchored is not None:
        report.problems.extend(anchored.problems)
    messages = anchors + (anchored.messages if anchored else [])
    ok = report.ok and not messages
    if not args.case:
        checklog.record(home.root, datetime.now(BUSINESS_TZ), {
            "kind": "log", "ok": ok, "events": report.events, "cases": report.cases,
            "head": report.head_position, "problems": len(report.problems) + len(messages),
            "anchors": anchored.checked if anchored else 0,
            "first": ([p.describe() for p in report.problems] + messages)[:5]})
    if args.format == "json":
        print(to_json(_as_dict(report, anchors, anchored)))
    else:
        _print_text(report, anchors, anchored)
    return 0 if ok else 1


def _checkpoints(args: argparse.Namespace, home: Home
                 ) -> tuple[list[tuple[Path, dict[str, Any]]], Any] | None:
    """The checkpoints named by --anchors and the public key to check them with, or None."""
    if not args.anchors:
        return None
    found = read_checkpoints(Path(args.anchors))
    given = args.public_key or os.environ.get(PUBLIC_ENV, "").strip()
    path = Path(given) if given else home.root / PUBLIC_NAME
    if not given and not path.exists():
        raise AnchorError(f"没有公钥：请用 --public-key 指定监督部门公布的公钥，"
                          f"或设置 {PUBLIC_ENV}")
    return found, load_public(path)


def _verify_read_models(args: argparse.Namespace, home: Home) -> int:
    """Compare every read model with a fresh fold of the log; name the drift."""
    from wenzheng.bootstrap.readside import open_readmodels
    from wenzheng.readcheck import read_model_drift

    db = open_readmodels(home)
    try:
        drift = read_model_drift(home, db)
    except ProjectionGap as exc:
        drift = [f"日志本身不完整（{_gap(exc)}），无法折叠出读模型：请先运行 wenzheng verify"]
    finally:
        db.close()
    checklog.record(home.root, datetime.now(BUSINESS_TZ), {
        "kind": "read_models", "ok": not drift, "problems": len(drift), "first": drift[:5]})
    if args.format == "json":
        print(to_json({"ok": not drift, "read_models": drift}))
    else:
        for line in drift:
            print(f"  {line}")
        print("读模型与日志一致" if not drift
              else f"读模型与日志有 {len(drift)} 处不符（页面显示的数字不可信；"
                   "可用 wenzheng project --rebuild 重建）")
    return 0 if not drift else 1


def _as_dict(report: Report, anchors: list[str], anchored: AnchorReport | None
             ) -> dict[str, Any]:
    """The report as JSON values."""
    messages = anchored.messages if anchored else []
    return {"ok": report.ok and not anchors and not messages, "events": report.events,
            "cases": report.cases,
            "head": {"position": report.head_position, "hash": report.head_hash},
            "problems": [_problem(p) for p in report.problems], "bulletins": anchors,
            "anchors": {"checked": anchored.checked, "latest": anchored.latest,
                        "messages": messages} if anchored else None}


def _problem(p: Problem) -> dict[str, Any]:
    """One problem as JSON values."""
    return {"kind": p.kind, "case": p.case or None, "case_id": str(p.case_id),
            "version": p.version, "detail": p.detail, "message": p.describe()}


def _print_text(report: Report, anchors: list[str], anchored: AnchorReport | None) -> None:
    """The report for people."""
    print(f"已校验 {report.cases} 件案件、{report.events} 个事件；"
          f"日志链头 位置 {report.head_position} {report.head_hash[:16]}")
    if anchored is not None:
        print(f"核对了 {anchored.checked} 个签名有效的锚点"
              + (f"，最新的是{anchored.latest}" if anchored.latest else ""))
    for p in report.problems:
        print(f"  {p.kind}: {p.describe()}")
    for line in anchors:
        print(f"  bulletin: {line}")
    messages = anchored.messages if anchored else []
    for line in messages:
        print(f"  anchor: {line}")
    print("完整：日志未被改动" if report.ok and not anchors and not messages
          else f"发现 {len(report.problems) + len(anchors) + len(messages)} 处问题")


def cmd_erase(args: argparse.Namespace, home: Home) -> int:
    """Destroy a case's personal data (crypto-shredding); the erasure is itself an event."""
    at = datetime.fromisoformat(args.at) if args.at else datetime.now(BUSINESS_TZ)
    if at.tzinfo is None:
        print("--at 必须带时区，例如 2026-01-31T09:00:00+08:00", file=sys.stderr)
        return 2
    service = open_service(home)
    try:
        outcome = service.erase(args.case, args.reason, at=at, by=args.by)
        from wenzheng.bootstrap.readside import bring_up_to_date

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
    p.add_argument("--anchors", help="published checkpoint file or folder (anchor-*.json)")
    p.add_argument("--public-key", dest="public_key",
                   help=f"the supervision office's public key (default ${PUBLIC_ENV}, "
                        f"else HOME/{PUBLIC_NAME})")
    p.add_argument("--read-models", dest="read_models", action="store_true",
                   help="compare every read model with a fresh fold of the log")
    p.set_defaults(run=cmd_verify)

    p = sub.add_parser("erase", help="destroy a case's personal data (个人信息删除)")
    p.add_argument("case", help="case number")
    p.add_argument("--reason", required=True, help="why (e.g. the citizen's request, its number)")
    p.add_argument("--by", default="admin", help="operator")
    p.add_argument("--at", help="moment (ISO 8601 with offset; default now)")
    p.set_defaults(run=cmd_erase)


def _gap(exc: ProjectionGap) -> str:
    """A projection gap in Chinese: which case's versions do not follow on."""
    text = str(exc)
    return f"案件 {text[5:41]} 的事件版本不连续" if text.startswith("case ") else "事件版本不连续"

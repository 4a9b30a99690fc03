"""Commands for the annual assessment and the monthly bulletin: scorecard, bulletin."""

from __future__ import annotations

import argparse
import re
import signal
import sys
import threading
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

from domain.calendar import BUSINESS_TZ
from scorecards import snapshot
from scorecards.assess import bulletin_for, cut_off, score_period
from scorecards.bulletin import BulletinContent, differences
from scorecards.scoring import ScoreSheet
from wenzheng.bootstrap.anchoring import issue_checkpoint, signing_key_path
from wenzheng.bootstrap.bulletins import (
    bulletin_anchor,
    changes_text,
    issue_due,
    plain,
    write_bulletin,
)
from wenzheng.bootstrap.readside import caught_up
from wenzheng.bootstrap.scorer import context, open_ledger, rules_for, scorecard_csv
from wenzheng.clock import parse_moment
from wenzheng.democlock import default_moment, home_clock
from wenzheng.home import Home
from wenzheng.render import to_json
from wenzheng.store.anchor import KEY_ENV, AnchorError, load_private


def cmd_scorecard(args: argparse.Namespace, home: Home) -> int:
    """The year's scorecards under the year's rules (or --rules VERSION)."""
    rules = rules_for(home, args.year, args.rules)
    as_of = parse_moment(args.as_of) if args.as_of else default_moment(home.settings())
    with caught_up(home) as read:
        if args.rules is None:  # stored as the app's snapshot, so its page need not recompute
            snap = snapshot.compute(read.db, context(home), rules, args.year, as_of,
                                    datetime.now(BUSINESS_TZ))
            sheet = snapshot.full_sheet(read.db, snap) or snap.summary
        else:
            sheet, _ = score_period(read.db, context(home), rules, date(args.year, 1, 1),
                                    date(args.year, 12, 31), as_of, rules.min_volume_year)
    if args.format == "json":
        print(to_json({"year": args.year, **sheet.as_dict()}))
    elif args.format == "csv":
        print(scorecard_csv(sheet), end="")
    else:
        print(scorecard_table(args.year, sheet))
    return 0


SHOWN_CASES = 5  # case numbers shown per line in readable text; JSON, CSV, Excel list all


def scorecard_table(year: int, sheet: ScoreSheet) -> str:
    """Readable text: each group's ranking, then every card's explanation."""
    lines = [f"{year} 年度考核（规则版本 {sheet.rules_version}，截至 {sheet.as_of[:16]}）"]
    for group in dict.fromkeys(c.group for c in sheet.cards):
        lines += ["", f"【{group}】", "排名  单位                  受理  得分    等级"]
        cards = sorted((c for c in sheet.cards if c.group == group),
                       key=lambda c: (c.rank is None, c.rank or 0, c.code))
        for c in cards:
            score = "—" if c.score is None else f"{c.score:.2f}"
            rank = c.rank or ("不参与排名" if c.received else "—")
            lines.append(f"{rank:<5} {c.code:<6}{c.name:<14} {c.received:>5}  "
                         f"{score:<7} {c.grade or '—'}")
            lines += [f"        {line}" for line in c.explanation(limit=SHOWN_CASES)]
    return "\n".join(lines)


def _month(text: str) -> str:
    """A YYYY-MM argument of the years 2000–2099."""
    if not re.fullmatch(r"20\d{2}-(0[1-9]|1[0-2])", text):
        raise argparse.ArgumentTypeError("月份格式应为 YYYY-MM（2000–2099 年）")
    return text


def cmd_bulletin(args: argparse.Namespace, home: Home) -> int:
    """The month's bulletin (figures as of the month's cut-off) as md, docx and xlsx."""
    rules = rules_for(home, int(args.month[:4]), args.rules)
    due = cut_off(args.month, rules)
    if home_clock(home.settings()).now < due:  # the home's clock, read at the command line
        print(f"{args.month} 月尚未结束统计（截止时间 {due.isoformat(timespec='seconds')}），"
              "现在不能生成该月通报", file=sys.stderr)
        return 2
    with caught_up(home) as read:
        position = read.position
        bulletin = bulletin_for(read.db, context(home), rules, args.month)
    paths = write_bulletin(bulletin, Path(args.out),
                           bulletin_anchor(home, Path(args.out), position, args.anchor_key))
    for path in paths:
        print(path)
    compare_with_issued(home, bulletin, position, Path(args.out), args.record_correction)
    print(f"规则版本 {bulletin.rules_version}，截至 {bulletin.as_of}，事件库位置 {position}，"
          f"内容摘要 {bulletin.content_hash()}")
    return 0


def compare_with_issued(home: Home, bulletin: BulletinContent, position: int, out: Path,
                        record: bool) -> None:
    """Show how a recomputation differs from the issued bulletin; optionally record it."""
    ledger = open_ledger(home)
    try:
        issued = ledger.issued(bulletin.month)
        if issued is None or issued["content_hash"] == bulletin.content_hash():
            if issued is not None:
                print(f"与已发布通报一致（摘要 {issued['content_hash']}）")
            return
        new: dict[str, Any] = {"content_hash": bulletin.content_hash(),
                               "content": plain(bulletin)}
        changes = out / f"bulletin-{bulletin.month}.changes-from-issued.md"
        changes.write_text(changes_text(issued, new), encoding="utf-8")
        found = differences(issued["content"], new["content"])
        print(f"与已发布通报（摘要 {issued['content_hash']}）有 {len(found)} 处不同，见 {changes}")
        if record:
            ledger.correct(bulletin.month, bulletin.rules_version, position,
                           bulletin.content_hash(), found, new["content"])
            print("已记录更正事件")
    finally:
        ledger.close()


def cmd_bulletins(args: argparse.Namespace, home: Home) -> int:
    """Issue due bulletins once each (recorded as events); --follow keeps checking.

    With the office's signing key, every bulletin carries a fresh checkpoint, and --follow
    also signs one every --anchor-every seconds (a day by default).
    """
    now_arg = parse_moment(args.now) if args.now else None
    key = signing_key_path(args.anchor_key)
    if key is not None:
        try:
            load_private(key, home.root)
        except AnchorError as exc:
            print(f"未发布：{exc}", file=sys.stderr)
            return 2
    ledger = open_ledger(home)
    last_anchor = 0.0
    stop = threading.Event()
    if args.follow:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
    try:
        while True:
            now = now_arg or home_clock(home.settings()).now
            if issue_due(home, ledger, Path(args.out), args.since, now, key):
                last_anchor = time.monotonic()
            if key is not None and args.follow and \
                    time.monotonic() - last_anchor >= args.anchor_every:
                path = issue_checkpoint(home, key, Path(args.out), datetime.now(BUSINESS_TZ))
                print(f"已签发日志锚点：{path}")
                last_anchor = time.monotonic()
            if not args.follow or stop.wait(args.interval):
                break
    finally:
        ledger.close()
    return 0


def register(sub: Any) -> None:
    """Add scorecard and bulletin to the command line."""
    p = sub.add_parser("scorecard", help="annual assessment scorecards (年度考核)")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--as-of", dest="as_of", help="moment (ISO 8601; default: now)")
    p.add_argument("--rules", help="recompute under another rules version")
    p.add_argument("--format", choices=["json", "csv", "table"], default="table")
    p.set_defaults(run=cmd_scorecard)

    p = sub.add_parser("bulletin", help="the monthly bulletin (每月通报): md, docx, xlsx")
    p.add_argument("--month", type=_month, required=True)
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--rules", help="use another rules version")
    p.add_argument("--record-correction", dest="record_correction", action="store_true",
                   help="record the difference from the issued bulletin as a correction event")
    _add_anchor_flags(p)
    p.set_defaults(run=cmd_bulletin)

    p = sub.add_parser("bulletins", help="issue each month's bulletin once, when it is due")
    p.add_argument("--since", type=_month, required=True, help="first month to consider")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--follow", action="store_true", help="keep checking (Ctrl-C stops)")
    p.add_argument("--interval", type=float, default=3600, help="seconds between checks")
    p.add_argument("--now", help="treat this moment as now (for catching up or tests)")
    _add_anchor_flags(p)
    p.add_argument("--anchor-every", dest="anchor_every", type=float, default=86400,
                   help="with --follow and a key: seconds between signed checkpoints (1 day)")
    p.set_defaults(run=cmd_bulletins)


def _add_anchor_flags(p: argparse.ArgumentParser) -> None:
    """The signing key option of the bulletin commands."""
    p.add_argument("--anchor-key", dest="anchor_key",
                   help=f"the supervision office's private key (default ${KEY_ENV}); "
                        "each bulletin then carries a signed checkpoint of the log")

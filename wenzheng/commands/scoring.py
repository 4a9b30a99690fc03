"""Commands for the annual assessment and the monthly bulletin: scorecard, bulletin."""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import signal
import sys
import threading
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from domain.bulletin import BulletinLedger
from domain.calendar import BUSINESS_TZ
from projections.db import Database
from projections.follower import StoreSource, catch_up
from scorecards import snapshot
from scorecards.assess import Context, bulletin_for, cut_off, score_period
from scorecards.bulletin import BulletinContent as Bulletin
from scorecards.bulletin import MonthInputs, differences
from scorecards.exposure import ExposureRules
from scorecards.inert import csv_cell, md_literal_block
from scorecards.render_docx import render_docx
from scorecards.render_md import Anchor, render_markdown
from scorecards.render_xlsx import render_xlsx
from scorecards.rules import Rules, UnknownRules, load_scoring
from scorecards.scoring import ScoreSheet, Unit
from wenzheng.commands.anchors import issue_checkpoint, signing_key_path
from wenzheng.commands.projections import _moment, open_readmodels, projection_for
from wenzheng.config import ConfigError
from wenzheng.democlock import default_moment, home_clock
from wenzheng.home import Home
from wenzheng.render import to_json
from wenzheng.store.anchor import KEY_ENV, AnchorError, load_private, summary_lines
from wenzheng.store.verify import head_at


def context(home: Home) -> Context:
    """Units, names, exposure rules and calendar from wenzheng.toml."""
    settings = home.settings()
    try:
        exposure_rules = ExposureRules.model_validate(settings.section("exposure"))
    except ValidationError as exc:
        raise ConfigError(f"[exposure]：{exc.errors()[0]['msg']}") from None
    units = tuple(Unit(d.code, d.name, d.group) for d in settings.departments)
    return Context(units, settings.office_name, settings.city, exposure_rules,
                   settings.deadline_policy().calendar)


def rules_for(home: Home, year: int, version: str | None) -> Rules:
    """The rules in force for a year, or the named version."""
    try:
        return load_scoring(home.settings().section("scoring")).for_year(year, version)
    except (ValueError, UnknownRules) as exc:
        raise ConfigError(str(exc)) from None


def caught_up(home: Home) -> tuple[Database, int]:
    """The read models brought up to date with the store, and the store position."""
    app = home.open_service()
    db = open_readmodels(home)
    try:
        catch_up(StoreSource(app), projection_for(home, db))
        return db, projection_for(home, db).position()
    finally:
        app.close()


def cmd_scorecard(args: argparse.Namespace, home: Home) -> int:
    """The year's scorecards under the year's rules (or --rules VERSION)."""
    rules = rules_for(home, args.year, args.rules)
    as_of = _moment(args.as_of) if args.as_of else default_moment(home.settings())
    db, _ = caught_up(home)
    try:
        if args.rules is None:  # stored as the app's snapshot, so its page need not recompute
            snap = snapshot.compute(db, context(home), rules, args.year, as_of,
                                    datetime.now(BUSINESS_TZ))
            sheet = snapshot.full_sheet(db, snap) or snap.summary
        else:
            sheet, _ = score_period(db, context(home), rules, date(args.year, 1, 1),
                                    date(args.year, 12, 31), as_of, rules.min_volume_year)
    finally:
        db.close()
    if args.format == "json":
        print(to_json({"year": args.year, **sheet.as_dict()}))
    elif args.format == "csv":
        print(scorecard_csv(sheet), end="")
    else:
        print(scorecard_table(args.year, sheet))
    return 0


SHOWN_CASES = 5  # case numbers shown per line in readable text; JSON, CSV, Excel list all
CSV_FIELDS = ("code", "name", "group", "received", "base", "deducted", "score", "rank", "grade",
              "small_sample")


def scorecard_csv(sheet: ScoreSheet) -> str:
    """One line a department; the explanation joined by '；'."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow((*CSV_FIELDS, "rules_version", "explanation"))
    for card in sheet.cards:
        values = [csv_cell(getattr(card, f)) for f in CSV_FIELDS]
        writer.writerow((*values, csv_cell(sheet.rules_version),
                         csv_cell("；".join(card.explanation()))))
    return out.getvalue()


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


def write_bulletin(b: Bulletin, out: Path, anchor: Anchor = (),
                   documents: bool = True) -> list[Path]:
    """Markdown, Word, Excel and content JSON of a bulletin in a folder, each with the log's
    checkpoint when given (`documents=False`: Markdown and JSON only; Word and Excel are made
    from the content on demand).

    When the folder already holds this month's content with another hash, the differences
    are written to `bulletin-YYYY-MM.changes.md` and the earlier content is kept by hash.
    """
    out.mkdir(parents=True, exist_ok=True)
    stem = f"bulletin-{b.month}"
    content = out / f"{stem}.json"
    new = {"content_hash": b.content_hash(), "content": b.as_dict()}
    if content.exists():
        old = json.loads(content.read_text(encoding="utf-8"))
        if old["content_hash"] != new["content_hash"]:
            kept = out / f"{stem}.{old['content_hash'][:12]}.json"
            content.replace(kept)
            (out / f"{stem}.changes.md").write_text(changes_text(old, new), encoding="utf-8")
    content.write_text(json.dumps(new, ensure_ascii=False, indent=1, default=str),
                       encoding="utf-8")
    md = out / f"{stem}.md"
    md.write_text(render_markdown(b, anchor), encoding="utf-8")
    if not documents:
        return [md, content]
    return [md, content, render_docx(b, out / f"{stem}.docx", anchor),
            render_xlsx(b, out / f"{stem}.xlsx", anchor)]


def changes_text(old: dict[str, Any], new: dict[str, Any]) -> str:
    """The documented difference between an issued bulletin's content and a recomputation."""
    lines = [f"# {new['content']['month']} 月通报内容变化", "",
             f"- 原内容摘要：{old['content_hash']}", f"- 新内容摘要：{new['content_hash']}", "",
             "变化（路径: 原值 → 新值）：", ""]
    changed = [" ".join(line.splitlines()) for line in differences(old["content"], new["content"])]
    return "\n".join([*lines, *md_literal_block(changed), ""])


def cmd_bulletin(args: argparse.Namespace, home: Home) -> int:
    """The month's bulletin (figures as of the month's cut-off) as md, docx and xlsx."""
    rules = rules_for(home, int(args.month[:4]), args.rules)
    due = cut_off(args.month, rules)
    if home_clock(home.settings()).now < due:  # the home's clock, read at the command line
        print(f"{args.month} 月尚未结束统计（截止时间 {due.isoformat(timespec='seconds')}），"
              "现在不能生成该月通报", file=sys.stderr)
        return 2
    db, position = caught_up(home)
    try:
        bulletin = bulletin_for(db, context(home), rules, args.month)
    finally:
        db.close()
    paths = write_bulletin(bulletin, Path(args.out),
                           bulletin_anchor(home, Path(args.out), position, args.anchor_key))
    for path in paths:
        print(path)
    compare_with_issued(home, bulletin, position, Path(args.out), args.record_correction)
    print(f"规则版本 {bulletin.rules_version}，截至 {bulletin.as_of}，事件库位置 {position}，"
          f"内容摘要 {bulletin.content_hash()}")
    return 0


def compare_with_issued(home: Home, bulletin: Bulletin, position: int, out: Path,
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


def open_ledger(home: Home) -> BulletinLedger:
    """Issued bulletins: table bulletins_events in PostgreSQL, else bulletins.sqlite."""
    env = home.store_env()
    if env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite":
        env = {**env, "SQLITE_DBNAME": str(home.root / "bulletins.sqlite")}
    return BulletinLedger(env=env)


def plain(b: Bulletin) -> dict[str, Any]:
    """The content as plain JSON values (lists, not tuples) for the event."""
    result: dict[str, Any] = json.loads(json.dumps(b.as_dict(), ensure_ascii=False))
    return result


def months_between(since: str, until: str) -> list[str]:
    """Every 'YYYY-MM' from since to until inclusive."""
    out, month = [], since
    while month <= until:
        out.append(month)
        year, mon = int(month[:4]), int(month[5:])
        month = f"{year + mon // 12}-{mon % 12 + 1:02d}"
    return out


def issue_due(home: Home, ledger: BulletinLedger, out: Path, since: str, now: datetime,
              key: Path | None = None, documents: bool = True,
              until: str | None = None) -> list[str]:
    """Issue every bulletin from `since` (to `until`) whose cut-off has passed and that is not
    issued yet."""
    issued = []
    memos: dict[tuple[int, str], dict[str, MonthInputs]] = {}  # (position, rules) → months
    last = min(until or "9999-12", now.strftime("%Y-%m"))
    for month in months_between(since, last):
        if ledger.issued(month) is not None:
            continue
        rules = rules_for(home, int(month[:4]), None)
        if now < cut_off(month, rules):
            continue
        db, position = caught_up(home)
        try:
            bulletin = bulletin_for(db, context(home), rules, month,
                                    memos.setdefault((position, rules.version), {}))
        finally:
            db.close()
        chain = head_at(home.store_env(), position)
        if ledger.issue(month, rules.version, position, bulletin.as_of, bulletin.content_hash(),
                        plain(bulletin), chain):
            write_bulletin(bulletin, out, bulletin_anchor(home, out, position, key), documents)
            issued.append(month)
            print(f"已发布 {month} 通报：规则 {rules.version}，位置 {position}，"
                  f"摘要 {bulletin.content_hash()}，日志链头 {chain[1][:16]}")
    return issued


def cmd_bulletins(args: argparse.Namespace, home: Home) -> int:
    """Issue due bulletins once each (recorded as events); --follow keeps checking.

    With the office's signing key, every bulletin carries a fresh checkpoint, and --follow
    also signs one every --anchor-every seconds (a day by default).
    """
    now_arg = _moment(args.now) if args.now else None
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


def bulletin_anchor(home: Home, out: Path, position: int, key: Path | str | None) -> Anchor:
    """The checkpoint printed in a bulletin: signed when the key is there, else the bare head."""
    key_path = signing_key_path(str(key) if key else None)
    if key_path is not None:
        path = issue_checkpoint(home, key_path, out, datetime.now(BUSINESS_TZ))
        print(f"已签发日志锚点：{path}")
        return summary_lines(json.loads(path.read_text(encoding="utf-8")))
    chain = head_at(home.store_env(), position)
    return summary_lines({"head": chain[1], "position": chain[0], "events": "—",
                          "cases": "—", "case_heads_digest": "—"})

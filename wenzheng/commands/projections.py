"""Commands on the read models: project, metrics, exposure."""

from __future__ import annotations

import argparse
import csv
import io
import signal
import sys
import threading
import time
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from projections.follower import StoreSource, catch_up, follow, rebuild
from scorecards.exposure import ExposureRules, entries_as_dicts, exposure
from scorecards.inert import csv_cell
from scorecards.masking import mask_entry
from scorecards.metrics import metrics
from scorecards.provisional import provisional_cases
from wenzheng.bootstrap.readside import caught_up, open_readmodels, projection_for
from wenzheng.bootstrap.service import open_service
from wenzheng.clock import parse_moment
from wenzheng.config import ConfigError
from wenzheng.democlock import default_moment, home_clock
from wenzheng.home import Home
from wenzheng.logs import fields, service_logger
from wenzheng.progress import Progress
from wenzheng.render import exposure_text, metrics_table, to_json


def cmd_project(args: argparse.Namespace, home: Home) -> int:
    """Catch up once, follow (--follow) or rebuild into fresh tables (--rebuild)."""
    app = open_service(home)
    db = open_readmodels(home)
    started = time.monotonic()
    shown = Progress("投影进度", unit="个事件", enabled=sys.stderr.isatty() or args.progress)
    show = shown.show if shown.enabled else None
    try:
        source = StoreSource(app)
        if args.rebuild:
            calendar = home.settings().deadline_policy().calendar
            done = rebuild(source, db, calendar, args.batch, show)
            verb = "重建完成"
        elif args.follow:
            stop = threading.Event()
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: stop.set())
            projection = projection_for(home, db)
            service_logger("follow").info("持续跟踪事件库（Ctrl-C 停止）…",
                                          extra=fields(position=projection.position()))
            done = follow(source, projection, stop, args.interval, args.batch, show)
            verb = "已停止跟踪"
        else:
            done = catch_up(source, projection_for(home, db), args.batch, show)
            verb = "已追平"
        position = projection_for(home, db).position()
        if args.scorecards and not args.follow:
            _precompute_scorecards(home, db)
    finally:
        db.close()
        app.close()
    shown.close()
    seconds = time.monotonic() - started
    print(f"{verb}：应用 {done} 个事件，位置 {position}，用时 {seconds:.1f} 秒")
    return 0


def _precompute_scorecards(home: Home, db: Any) -> None:
    """Store last year's and this year's assessment for the app's 部门考核 page."""
    from scorecards import snapshot
    from wenzheng.bootstrap.scorer import context, rules_for

    now = home_clock(home.settings()).now  # a demonstration home: the demo's own clock
    for snap in snapshot.precompute(db, context(home), lambda y: rules_for(home, y, None),
                                    (now.year - 1, now.year), now):
        print(f"已预先计算部门考核 {snap.key.split(':')[0]} 年度（位置 {snap.position}）",
              file=sys.stderr)


def _day(text: str) -> date:
    """A date argument (YYYY-MM-DD)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期 {text!r} 应为 YYYY-MM-DD") from None


def _as_of(args: argparse.Namespace, home: Home) -> datetime:
    """--as-of, or the home's now (the command line may read the clock; `[demo] now`)."""
    return parse_moment(args.as_of) if args.as_of else default_moment(home.settings())


def cmd_metrics(args: argparse.Namespace, home: Home) -> int:
    """Per-department figures for cases assigned in [from, to], as of a moment."""
    settings = home.settings()
    if args.to < args.from_:
        print("--to 不能早于 --from", file=sys.stderr)
        return 2
    calendar = settings.deadline_policy().calendar
    with caught_up(home) as read:
        names = {d.code: d.name for d in settings.departments}
        result = metrics(read.db, args.from_, args.to, _as_of(args, home), names,
                         settings.office_name, calendar)
        unsure = provisional_cases(read.db, args.from_, args.to, _as_of(args, home),
                                   calendar.covered_until())
    result["provisional_deadlines"] = list(unsure)
    if args.format == "json":
        print(to_json(result))
    elif args.format == "csv":
        print(_csv(result), end="")
    else:
        print(metrics_table(result))
        if unsure:
            print(f"注：{len(unsure)} 件案件的答复期限为暂定（所在年份尚无放假安排），"
                  f"相关超期与按时数字为暂定：{'、'.join(unsure)}")
    return 0


def cmd_exposure(args: argparse.Namespace, home: Home) -> int:
    """The exposure list (曝光台) as of a moment."""
    settings = home.settings()
    try:
        rules = ExposureRules.model_validate(settings.section("exposure"))
    except ValidationError as exc:
        raise ConfigError(f"[exposure]：{exc.errors()[0]['loc']} {exc.errors()[0]['msg']}") \
            from None
    as_of = _as_of(args, home)
    with caught_up(home) as read:
        found = exposure(read.db, as_of, rules, settings.deadline_policy().calendar,
                         settings.department_names())
    if args.format == "json":  # free text masked: the exposure list is public
        print(to_json({"as_of": as_of.isoformat(), "rules": rules.model_dump(),
                       "entries": [mask_entry(e) for e in entries_as_dicts(found)]}))
    else:
        print(exposure_text(as_of.isoformat(), entries_as_dicts(found)))
    return 0


CSV_FIELDS = ("code", "name", "received", "replied", "reply_rate", "on_time_rate",
              "completion_rate", "satisfaction_rate", "rework_rate", "overdue_open",
              "overdue_open_office", "replied_late", "replied_late_office", "claimed_on_time",
              "supervised", "disputed", "rated", "rated_explicit", "rated_default",
              "mean_handling_days", "satisfaction_rate_explicit", "ratings_citizen",
              "ratings_default", "resolution_rate", "resolved_answers", "resolved_default",
              "resolved_no", "resolved_unanswered",
              "replied_late_earlier", "unassigned", "late_results",
              "disputes_made", "held_days", "held_days_overdue", "supervision_notices",
              "referrals")


def _csv(result: dict[str, Any]) -> str:
    """The figures as CSV, one line a department and the total last."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_FIELDS)
    for row in [*result["departments"], result["total"]]:
        writer.writerow([csv_cell(row.get(f)) for f in CSV_FIELDS])
    return out.getvalue()


def register(sub: Any) -> None:
    """Add project, metrics and exposure to the command line."""
    p = sub.add_parser("project", help="bring the read models up to date with the event store")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--follow", action="store_true", help="keep following (Ctrl-C stops)")
    mode.add_argument("--rebuild", action="store_true",
                      help="rebuild into fresh tables and swap them in when complete")
    p.add_argument("--batch", type=int, default=2000, help="events per transaction")
    p.add_argument("--interval", type=float, default=0.5, help="seconds between polls")
    p.add_argument("--progress", action="store_true", help="always show progress")
    p.add_argument("--scorecards", action="store_true",
                   help="追平后预先计算上一年度和本年度的部门考核结果，供页面直接读取")
    p.set_defaults(run=cmd_project)

    p = sub.add_parser("metrics", help="per-department figures for cases assigned in a period")
    p.add_argument("--from", dest="from_", type=_day, required=True)
    p.add_argument("--to", type=_day, required=True)
    p.add_argument("--as-of", dest="as_of", help="moment (ISO 8601; default: now)")
    p.add_argument("--format", choices=["json", "csv", "table"], default="table")
    p.set_defaults(run=cmd_metrics)

    p = sub.add_parser("exposure", help="the exposure list (曝光台) derived by the rules")
    p.add_argument("--as-of", dest="as_of", help="moment (ISO 8601; default: now)")
    p.add_argument("--format", choices=["json", "text"], default="text")
    p.set_defaults(run=cmd_exposure)

"""Commands on the working-day calendar: calendar show, check and revise."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from typing import Any

from domain.calendar import BUSINESS_TZ, WorkingCalendar
from domain.service import APPLIED, SKIPPED
from wenzheng.bootstrap.service import open_service
from wenzheng.config import ConfigError
from wenzheng.home import Home
from wenzheng.render import to_json

WEEKDAYS_ZH = "一二三四五六日"


def year_listing(cal: WorkingCalendar, year: int) -> dict[str, Any]:
    """A year's days off on weekdays and its make-up workdays, with its source."""
    day, off, worked = date(year, 1, 1), [], []
    while day.year == year:
        working = cal.is_working_day(day)
        if day.weekday() < 5 and not working:
            off.append(day.isoformat())
        elif day.weekday() >= 5 and working:
            worked.append(day.isoformat())
        day = date.fromordinal(day.toordinal() + 1)
    return {"year": year, "source": cal.source_of(year), "provisional": year not in cal.years,
            "holidays": off, "workdays": worked}


def cmd_show(args: argparse.Namespace, home: Home) -> int:
    """The years covered, their sources, and a year's holidays and make-up workdays."""
    cal = home.settings().deadline_policy().calendar
    years = [args.year] if args.year else sorted(cal.years)
    result: dict[str, Any] = {
        "covered_until": cal.covered_until().isoformat(), "version": cal.version,
        "years": [_summary(cal, y) if not args.year else year_listing(cal, y)
                  for y in years]}
    if args.format == "json":
        print(to_json(result))
        return 0
    print(f"工作日历覆盖至 {result['covered_until']}（版本 {cal.version}）")
    entries: list[dict[str, Any]] = result["years"]
    for entry in entries:
        mark = "（暂定：未发布放假安排）" if entry["provisional"] else ""
        print(f"{entry['year']} 年：来源 {entry['source']}{mark}")
        if "holidays" in entry:
            print("  放假（工作日）：" + ("、".join(_day_zh(d) for d in entry["holidays"]) or "无"))
            print("  调休上班（周末）：" + ("、".join(_day_zh(d) for d in entry["workdays"])
                                         or "无"))
    return 0


def _summary(cal: WorkingCalendar, year: int) -> dict[str, Any]:
    """One line's worth about a covered year."""
    return {"year": year, "source": cal.source_of(year), "provisional": year not in cal.years}


def _day_zh(text: str) -> str:
    """2027-02-06 → 2027-02-06（六）."""
    return f"{text}（{WEEKDAYS_ZH[date.fromisoformat(text).weekday()]}）"


def cmd_check(args: argparse.Namespace, home: Home) -> int:
    """Validate the arrangements in wenzheng.toml: errors exit 1, warnings are printed."""
    try:
        settings = home.settings()
    except ConfigError as exc:
        print(f"放假安排有误：{exc}", file=sys.stderr)
        return 1
    warnings = [p for a in settings.deadline_policy().calendar.arrangements
                for p in a.problems()]
    for warning in warnings:
        print(f"提示：{warning}")
    years = [a.year for a in settings.calendar.arrangement]
    listed = "、".join(str(y) for y in years) if years else "无（仅使用 holidays 库）"
    print(f"放假安排检查通过：本单位填写的年份 {listed}")
    return 0


def cmd_revise(args: argparse.Namespace, home: Home) -> int:
    """Record DeadlinesRevised for every open case whose stored deadlines the calendar moves."""
    at = _moment(args.at) if args.at else datetime.now(BUSINESS_TZ)
    service = open_service(home)
    try:
        outcomes = service.revise_deadlines(at, args.by)
        from wenzheng.bootstrap.readside import update_read_models

        update_read_models(home, service)
    finally:
        service.close()
    revised = [o for o in outcomes if o.status == APPLIED]
    skipped = [o for o in outcomes if o.status == SKIPPED]
    if args.format == "json":
        print(to_json({"revised": [o.case for o in revised],
                       "skipped": [{"case": o.case, "reason": o.reason} for o in skipped]}))
        return 0
    print(f"已修订期限的案件：{len(revised)} 件")
    for o in revised:
        print(f"  {o.case}")
    for o in skipped:
        print(f"未修订：{o.case}：{o.reason}")
    return 0


def _moment(text: str) -> datetime:
    """An ISO moment; without an offset, Beijing time."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"--at 不是有效的时间：{text}（例：2026-12-20T10:00+08:00）") from None
    return value if value.tzinfo else value.replace(tzinfo=BUSINESS_TZ)


def register(sub: Any) -> None:
    """Add calendar show|check|revise to the command line."""
    p = sub.add_parser("calendar", help="working-day calendar: show, check, revise")
    cal = p.add_subparsers(dest="calendar_command", required=True)
    s = cal.add_parser("show", help="years covered, sources, holidays and make-up workdays")
    s.add_argument("--year", type=int, help="one year in full")
    s.add_argument("--format", choices=["text", "json"], default="text")
    s.set_defaults(run=cmd_show)
    c = cal.add_parser("check", help="validate [[calendar.arrangement]] in wenzheng.toml")
    c.set_defaults(run=cmd_check)
    r = cal.add_parser("revise", help="record DeadlinesRevised for deadlines the calendar moves")
    r.add_argument("--at", help="moment of the revision (ISO 8601; default: now)")
    r.add_argument("--by", default="calendar-revise", help="operator recorded on the events")
    r.add_argument("--format", choices=["text", "json"], default="text")
    r.set_defaults(run=cmd_revise)

"""Command `demo`: the demonstration city's year of cases."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from domain.actions import InvalidAction, parse_action
from domain.service import APPLIED, DUPLICATE, CaseService
from wenzheng.bootstrap.service import store_env
from wenzheng.democlock import write_demo_now
from wenzheng.demogen import DemoSpec, YearNotCovered, demo_as_of, generate
from wenzheng.home import Home
from wenzheng.ledger.export import write_ledger
from wenzheng.progress import Progress
from wenzheng.store.pgconnect import ensure_schema
from wenzheng.webapp.users import ensure_demo_users, users_path

BATCH_SIZE = 2000
CACHE_SIZE = 100_000  # cases kept decoded while applying in time order (~5 weeks at 1M/year)


def _batches(actions: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    """Consecutive lists of up to `size` actions."""
    batch: list[dict[str, Any]] = []
    for action in actions:
        batch.append(action)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def cmd_demo(args: argparse.Namespace, home: Home) -> int:
    """Generate the demonstration city's year and apply it (and/or write it out)."""
    home.init()  # the one write of the settings: a new home gets the demonstration city's
    settings = home.settings()
    policy = settings.deadline_policy()
    spec = DemoSpec(cases=args.cases, seed=args.seed, year=args.year, order=args.order)
    try:
        as_of = demo_as_of(policy, spec.year)
    except YearNotCovered as exc:
        print(str(exc), file=sys.stderr)
        return 2
    departments = [(d.code, d.name, d.group) for d in settings.departments]
    counts = {"actions": 0, APPLIED: 0, DUPLICATE: 0, "rejected": 0}
    rejected: list[str] = []
    progress = Progress("已生成动作", unit="个", enabled=not args.quiet)
    ledger_actions: list[dict[str, Any]] | None = [] if args.ledger else None
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(Path(args.out).open("w", encoding="utf-8")) if args.out else None
        service = None
        if not args.no_apply:
            service = _open_service(home, cache=args.order == "time")
            stack.callback(service.close)
        for batch in _batches(generate(spec, policy, departments), BATCH_SIZE):
            counts["actions"] += len(batch)
            if out is not None:
                out.writelines(json.dumps(a, ensure_ascii=False) + "\n" for a in batch)
            if ledger_actions is not None:
                ledger_actions.extend(batch)
            if service is not None:
                _apply(service, batch, counts, rejected)
            progress.show(counts["actions"])
        progress.close()
        if service is not None:
            from wenzheng.bootstrap.readside import update_read_models

            update_read_models(home, service, quiet=args.quiet)
    if not args.no_apply and ensure_demo_users(users_path(home.root)):
        print("演示账号 leader / supervisor / admin 已写入（密码公开，见 docs/app.md）",
              file=sys.stderr)
    if ledger_actions is not None:
        rows = write_ledger(ledger_actions, Path(args.ledger), settings.department_names())
        print(f"台账：{rows} 行已写入 {args.ledger}")
    elapsed = time.monotonic() - progress.started
    print(f"示范市 {spec.year} 年：{spec.cases} 件，种子 {spec.seed}，"
          f"截至 {as_of.isoformat()}，{counts['actions']} 个动作，用时 {elapsed:.1f} 秒")
    if not args.no_apply:
        print(f"applied: {counts[APPLIED]}")
        print(f"duplicates: {counts[DUPLICATE]}")
        print(f"rejected: {counts['rejected']}")
        for line in rejected[:20]:
            print(f"  {line}")
        set_clock(home, as_of)
        if not args.no_bulletins:
            issue_year(home, spec.year, as_of, quiet=args.quiet)
    return 1 if counts["rejected"] else 0


def set_clock(home: Home, as_of: datetime) -> None:
    """Write `[demo] now` so the app and the command line read the demo as of its own "now"."""
    if write_demo_now(home.config_path, as_of):
        print(f"已在 {home.config_path} 写入 [demo] now = "
              f"{as_of.replace(microsecond=0).isoformat()}（示范数据的时钟）")


def issue_year(home: Home, year: int, as_of: datetime, quiet: bool = False) -> None:
    """Issue the demonstration year's monthly bulletins due by its "now", once each, as
    `wenzheng bulletins` does (events in the ledger; Markdown and JSON in HOME/bulletins)."""
    from wenzheng.bootstrap.bulletins import issue_due
    from wenzheng.bootstrap.scorer import open_ledger

    started = time.monotonic()
    ledger = open_ledger(home)
    try:
        with contextlib.redirect_stdout(io.StringIO()) if quiet else contextlib.nullcontext():
            issued = issue_due(home, ledger, home.root / "bulletins", f"{year}-01", as_of,
                               documents=False, until=f"{year}-12")
    finally:
        ledger.close()
    if issued:
        print(f"已发布 {len(issued)} 期月度通报（{issued[0]} 至 {issued[-1]}），"
              f"用时 {time.monotonic() - started:.1f} 秒")


def _open_service(home: Home, cache: bool) -> CaseService:
    """The case service; in time order, with an aggregate cache so cases are not replayed."""
    home.ensure_demo_kek()  # a demonstration home carries its own KEK (docs/integrity.md)
    settings = home.settings()
    env = store_env(home)
    if "POSTGRES_SCHEMA" in env:
        ensure_schema(env)
    if cache:
        # Fast-forwarding off: the cache is refreshed on save; a demo is the store's only writer.
        env = {**env, "AGGREGATE_CACHE_MAXSIZE": str(CACHE_SIZE),
               "AGGREGATE_CACHE_FASTFORWARD": "n"}
    return CaseService(settings.deadline_policy(), settings.department_codes(), env=env)


def _apply(service: CaseService, batch: list[dict[str, Any]], counts: dict[str, int],
           rejected: list[str]) -> None:
    """Validate and apply one batch through the normal path."""
    parsed = []
    for data in batch:
        try:
            parsed.append(parse_action(data))
        except InvalidAction as exc:
            counts["rejected"] += 1
            rejected.append(f"{data.get('id')}: {exc}")
    for outcome in service.apply_batch(parsed):
        if outcome.status in (APPLIED, DUPLICATE):
            counts[outcome.status] += 1
        else:
            counts["rejected"] += 1
            rejected.append(f"{outcome.action_id}: {outcome.reason}")


def register(sub: Any) -> None:
    """Add `demo` to the command line."""
    p = sub.add_parser("demo", help="generate the demonstration city's year of cases")
    p.add_argument("--cases", type=int, default=30_000, help="number of cases (default 30000)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--year", type=int, default=2025, help="calendar year (default 2025)")
    p.add_argument("--order", choices=["time", "case"], default="time",
                   help="action order: global time order (default) or case by case")
    p.add_argument("--out", help="also write the actions to this JSON Lines file")
    p.add_argument("--no-apply", action="store_true", help="do not apply to the home's store")
    p.add_argument("--ledger", help="also write a ledger (台账) of the cases, .xlsx or .csv")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.add_argument("--no-bulletins", action="store_true",
                   help="do not issue the year's monthly bulletins")
    p.set_defaults(run=cmd_demo)

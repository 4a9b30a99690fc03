"""`wenzheng import FILE.xlsx|FILE.csv [--mapping MAP.toml]`: the command's I/O around
wenzheng/ledger/importer.py."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from wenzheng.bootstrap.service import open_service
from wenzheng.clock import latest_allowed
from wenzheng.home import Home
from wenzheng.ledger.importer import department_resolver, import_rows, write_rejected
from wenzheng.ledger.mapping import MappingError, load_mapping
from wenzheng.ledger.rows import RowConverter
from wenzheng.progress import Progress
from wenzheng.render import summary_text, to_json


def cmd_import(args: argparse.Namespace, home: Home) -> int:
    """Import a ledger (xlsx or csv): each row becomes its actions, all or nothing."""
    from wenzheng.ledger.read import LedgerUnreadable, read_rows  # openpyxl: not for --help

    path = Path(args.file)
    if not path.is_file():
        print(f"找不到文件：{path}", file=sys.stderr)
        return 2
    try:
        mapping = load_mapping(Path(args.mapping) if args.mapping else None)
        headers, rows = read_rows(path, args.sheet or mapping.sheet)
    except (MappingError, LedgerUnreadable) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    missing = [mapping.header_of(f) for f in ("number", "registered_at")
               if mapping.header_of(f) not in headers]
    if missing:
        shown = "、".join(h for h in headers if h)
        print(f"台账缺少必需的列：{'、'.join(missing)}（表头：{shown}）；请用 --mapping 指定列名",
              file=sys.stderr)
        return 2
    settings = home.settings()
    converter = RowConverter(mapping, department_resolver(settings.department_names()))
    service = open_service(home)
    try:
        with Progress("已处理", unit="行") as bar:
            report = import_rows(service, rows, converter, progress=bar.show,
                                 not_after=latest_allowed(settings))
        from wenzheng.bootstrap.readside import update_read_models

        update_read_models(home, service, quiet=True)
    finally:
        service.close()
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    personal = frozenset(mapping.header_of(f) for f in ("citizen_name", "citizen_phone", "content"))
    dead = write_rejected(report, headers, path, home.dead_letter_dir, stamp, personal)
    if args.format == "json":
        print(to_json({**report.as_dict(), "rejected_file": str(dead) if dead else None}))
    else:
        print(summary_text(
            [("rows", report.rows), ("new", report.new), ("updated", report.updated),
             ("unchanged", report.unchanged), ("actions applied", report.actions),
             ("rejected", len(report.rejected))],
            [f"row {r.row}（编号 {r.number or '—'}）: {r.reason}" for r in report.rejected], dead))
    return 0 if report.ok else 1


def register(sub: Any) -> None:
    """Add `import` to the command line."""
    p = sub.add_parser("import", help="import a ledger (台账) from .xlsx or .csv")
    p.add_argument("file")
    p.add_argument("--mapping", help="TOML file naming the ledger's columns")
    p.add_argument("--sheet", help="sheet name (xlsx; default the first)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(run=cmd_import)

"""The scorer's context and rules from wenzheng.toml, the issued-bulletin ledger, score CSV."""

from __future__ import annotations

import csv
import io

from pydantic import ValidationError

from domain.bulletin import BulletinLedger
from scorecards.assess import Context
from scorecards.exposure import ExposureRules
from scorecards.inert import csv_cell
from scorecards.rules import Rules, UnknownRules, load_scoring
from scorecards.scoring import ScoreSheet, Unit
from wenzheng.bootstrap.service import store_env
from wenzheng.config import ConfigError
from wenzheng.home import Home


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


def open_ledger(home: Home) -> BulletinLedger:
    """Issued bulletins: table bulletins_events in PostgreSQL, else bulletins.sqlite."""
    env = store_env(home)
    if env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite":
        env = {**env, "SQLITE_DBNAME": str(home.root / "bulletins.sqlite")}
    return BulletinLedger(env=env)


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

"""Reading what scoring and bulletins need from the read models (the only I/O here)."""

from __future__ import annotations

import calendar as _cal
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from domain.calendar import BUSINESS_TZ, WorkingCalendar, end_of_day
from domain.vocabulary import OFFICE
from projections.caserow import WorkingDays
from projections.db import Database
from scorecards.bulletin import BulletinContent, MonthInputs, build_bulletin
from scorecards.casefacts import CaseFact, case_facts
from scorecards.exposure import Entry, ExposureRules, exposure
from scorecards.metrics import metrics
from scorecards.provisional import provisional_cases
from scorecards.rules import Rules
from scorecards.scoring import ScoreSheet, Unit, score_units


@dataclass(frozen=True)
class Context:
    """The configuration scoring reads: units, names, exposure rules and the calendar."""

    units: tuple[Unit, ...]
    office_name: str
    city: str
    exposure_rules: ExposureRules
    calendar: WorkingDays

    def names(self) -> dict[str, str]:
        """Code → name, with the office."""
        return {OFFICE: self.office_name, **{u.code: u.name for u in self.units}}


def month_bounds(month: str) -> tuple[date, date]:
    """First and last day of 'YYYY-MM'."""
    year, mon = (int(p) for p in month.split("-"))
    return date(year, mon, 1), date(year, mon, _cal.monthrange(year, mon)[1])


def previous_month(month: str) -> str:
    """'YYYY-MM' of the month before."""
    first, _ = month_bounds(month)
    return (first - timedelta(days=1)).strftime("%Y-%m")


def cut_off(month: str, rules: Rules) -> datetime:
    """The moment a month's figures are taken: end of the Nth day after the month closes."""
    return end_of_day(month_bounds(month)[1] + timedelta(days=rules.bulletin_days_after))


def score_period(db: Database, ctx: Context, rules: Rules, day_from: date, day_to: date,
                 as_of: datetime, min_volume: int) -> tuple[ScoreSheet, list[Entry]]:
    """Scorecards of cases assigned in [day_from, day_to] as of a moment, and the exposure."""
    sheet, entries, _ = _scored(db, ctx, rules, day_from, day_to, as_of, min_volume)
    return sheet, entries


def score_period_with_facts(db: Database, ctx: Context, rules: Rules, day_from: date,
                            day_to: date, as_of: datetime, min_volume: int
                            ) -> tuple[ScoreSheet, list[Entry], list[CaseFact]]:
    """Scorecards, exposure, and the case facts they were computed from (for the trend)."""
    return _scored(db, ctx, rules, day_from, day_to, as_of, min_volume)


def _scored(db: Database, ctx: Context, rules: Rules, day_from: date, day_to: date,
            as_of: datetime, min_volume: int) -> tuple[ScoreSheet, list[Entry], list[CaseFact]]:
    """The scorecards, the exposure and the case facts they were computed from."""
    facts = case_facts(db, day_from, day_to, as_of)
    entries = exposure(db, as_of, ctx.exposure_rules, ctx.calendar, ctx.names())
    sheet = score_units(ctx.units, facts, entries, rules, min_volume,
                        (day_from.isoformat(), day_to.isoformat()),
                        as_of.astimezone(BUSINESS_TZ).isoformat())
    return sheet, entries, facts


def month_inputs(db: Database, ctx: Context, rules: Rules, month: str) -> MonthInputs:
    """Everything a bulletin needs of one month, as of that month's cut-off."""
    first, last = month_bounds(month)
    as_of = cut_off(month, rules)
    sheet, entries, facts = _scored(db, ctx, rules, first, last, as_of, rules.min_volume_month)
    names = ctx.names()
    figures = metrics(db, first, last, as_of, {u.code: u.name for u in ctx.units},
                      ctx.office_name, ctx.calendar)
    return MonthInputs(month=month, as_of=as_of.isoformat(), figures=figures, sheet=sheet,
                       facts=tuple(facts),
                       exposure=tuple(entries), names=names)


def bulletin_for(db: Database, ctx: Context, rules: Rules, month: str,
                 memo: dict[str, MonthInputs] | None = None) -> BulletinContent:
    """The month's bulletin under the given rules, figures as of its cut-off (`memo` keeps
    each month's inputs for the next month's comparison, while the read models stay put)."""
    def inputs(m: str) -> MonthInputs:
        found = memo.get(m) if memo is not None else None
        if found is None:
            found = month_inputs(db, ctx, rules, m)
            if memo is not None:
                memo[m] = found
        return found

    this = inputs(month)
    last = inputs(previous_month(month))
    bulletin = build_bulletin(this, last, rules, ctx.city, ctx.office_name)
    if not isinstance(ctx.calendar, WorkingCalendar):
        return bulletin
    first, final = month_bounds(month)
    unsure = provisional_cases(db, first, final, cut_off(month, rules),
                               ctx.calendar.covered_until())
    return replace(bulletin, provisional=unsure) if unsure else bulletin

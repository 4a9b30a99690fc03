"""Per-department figures for cases assigned in a period, as of a moment (set-based SQL)."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from typing import Any

from domain.calendar import BUSINESS_TZ, WorkingCalendar
from domain.vocabulary import OFFICE, SATISFIED, STAGES, Status
from projections import charges as ch
from projections.db import Database
from projections.row import WorkingDays
from projections.schema import micros
from scorecards.asof import as_of_sql, bind
from scorecards.wilson import rate, wilson

SMALL_SAMPLE = 20
# The state columns the figures read (fewer columns: less to read and to carry per case).
FIGURE_COLUMNS = ("first_assigned_day", "at", "lead", "status", "holder", "overdue_holder",
                  "claim_due", "opinion_due", "reply_due", "opinion_at", "claimed_at",
                  "claimed_on_time", "first_submitted_at", "published_at", "published_late",
                  "late_holder", "closed_at", "rating", "rating_default", "rework_count",
                  "supervision_count", "dispute_count", "handling_days", "last_disputed_by",
                  "resolved", "registered_day")
# Cases first assigned in the period, and cases registered in it and not (yet) assigned: the
# office's own backlog counts too (Fuzhou: public replies ÷ all messages).
_PERIOD = ("(first_assigned_day >= :day_from AND first_assigned_day <= :day_to) OR "
           "(first_assigned_day IS NULL AND registered_day >= :day_from "
           "AND registered_day <= :day_to)")
CHARGE_COLUMNS = ("charges", "holder", "status", "at", "reply_due")

_SATISFIED = ", ".join(f"'{r}'" for r in SATISFIED)
_AGGREGATES = f"""
SELECT COALESCE(lead, '{OFFICE}') AS code,
  COUNT(*) AS received,
  SUM(CASE WHEN claimed_at IS NOT NULL THEN 1 ELSE 0 END) AS claimed,
  SUM(CASE WHEN claimed_on_time = 1 THEN 1 ELSE 0 END) AS claimed_on_time,
  SUM(CASE WHEN first_submitted_at IS NOT NULL THEN 1 ELSE 0 END) AS submitted,
  SUM(CASE WHEN published_at IS NOT NULL THEN 1 ELSE 0 END) AS replied,
  SUM(CASE WHEN published_late = 1 AND late_holder = lead THEN 1 ELSE 0 END) AS replied_late,
  SUM(CASE WHEN published_late = 1 AND late_holder = '{OFFICE}' THEN 1 ELSE 0 END)
    AS replied_late_office,
  SUM(CASE WHEN published_late = 1 AND late_holder <> '{OFFICE}' AND late_holder <> lead
      THEN 1 ELSE 0 END) AS replied_late_earlier,
  SUM(CASE WHEN closed_at IS NOT NULL THEN 1 ELSE 0 END) AS closed,
  SUM(CASE WHEN rating IS NOT NULL THEN 1 ELSE 0 END) AS rated,
  SUM(CASE WHEN rating IS NOT NULL AND rating_default = 0 THEN 1 ELSE 0 END) AS rated_explicit,
  SUM(CASE WHEN rating_default = 1 THEN 1 ELSE 0 END) AS rated_default,
  SUM(CASE WHEN rating IN ({_SATISFIED}) THEN 1 ELSE 0 END) AS satisfied,
  SUM(CASE WHEN rating IN ({_SATISFIED}) AND rating_default = 0 THEN 1 ELSE 0 END)
    AS satisfied_explicit,
  SUM(CASE WHEN rework_count > 0 THEN 1 ELSE 0 END) AS reworked,
  SUM(CASE WHEN supervision_count > 0 THEN 1 ELSE 0 END) AS supervised,
  SUM(CASE WHEN dispute_count > 0 THEN 1 ELSE 0 END) AS reassigned,
  SUM(CASE WHEN overdue_stage IS NOT NULL AND charged_to <> '{OFFICE}' THEN 1 ELSE 0 END)
    AS overdue_open,
  SUM(CASE WHEN overdue_stage IS NOT NULL AND charged_to = '{OFFICE}' THEN 1 ELSE 0 END)
    AS overdue_open_office,
  {", ".join(f"SUM(CASE WHEN overdue_stage = '{s}' THEN 1 ELSE 0 END) AS overdue_{s}"
             for s in STAGES)},
  SUM(CASE WHEN handling_days IS NOT NULL THEN handling_days ELSE 0 END) AS handling_sum,
  SUM(CASE WHEN resolved IS NOT NULL THEN 1 ELSE 0 END) AS resolved_answers,
  SUM(CASE WHEN resolved = 1 THEN 1 ELSE 0 END) AS resolved_yes,
  SUM(CASE WHEN status = '{Status.REGISTERED}' THEN 1 ELSE 0 END) AS unassigned
FROM ({as_of_sql(_PERIOD, FIGURE_COLUMNS)}) c
GROUP BY COALESCE(lead, '{OFFICE}')
"""
_CHARGES = (f"SELECT {', '.join(CHARGE_COLUMNS)} "
            f"FROM ({as_of_sql(_PERIOD, (*FIGURE_COLUMNS, 'charges'))}) c")
# Counts filled from the per-unit charges (projections/charges.py), not from the SQL aggregates.
CHARGED = ("disputed", "late_results", "disputes_made", "held_days", "held_days_overdue",
           "supervision_notices", "referrals")


@dataclass(frozen=True)
class Counts:
    """The counts behind one department's figures."""

    received: int = 0
    claimed: int = 0
    claimed_on_time: int = 0
    submitted: int = 0
    replied: int = 0
    replied_late: int = 0
    replied_late_office: int = 0
    replied_late_earlier: int = 0
    closed: int = 0
    rated: int = 0
    rated_explicit: int = 0
    rated_default: int = 0
    satisfied: int = 0
    satisfied_explicit: int = 0
    reworked: int = 0
    supervised: int = 0
    reassigned: int = 0
    overdue_open: int = 0
    overdue_open_office: int = 0
    overdue_claim: int = 0
    overdue_opinion: int = 0
    overdue_reply: int = 0
    overdue_approval: int = 0
    overdue_reassignment: int = 0
    handling_sum: float = 0.0
    resolved_answers: int = 0
    resolved_yes: int = 0
    unassigned: int = 0
    disputed: int = 0
    late_results: int = 0
    disputes_made: int = 0
    held_days: float = 0.0
    held_days_overdue: float = 0.0
    supervision_notices: int = 0
    referrals: int = 0

    def __add__(self, other: Counts) -> Counts:
        """Sum of two departments' counts."""
        return Counts(**{f.name: getattr(self, f.name) + getattr(other, f.name)
                         for f in fields(Counts)})


def figures(counts: Counts, whole_city: bool = False) -> dict[str, Any]:
    """Counts, rates (0..1 or None) and 95% Wilson intervals for one row.

    A department's on-time rate counts only delay charged to it; the city's (whole_city)
    counts the office's delay and earlier holders' too.
    """
    c = counts
    late = c.replied_late + (c.replied_late_office + c.replied_late_earlier if whole_city else 0)
    overdue = c.overdue_open + (c.overdue_open_office if whole_city else 0)
    pairs = {
        "reply_rate": (c.replied, c.received),
        "on_time_rate": (c.replied - late, c.replied + overdue),
        "completion_rate": (c.closed, c.received),
        "satisfaction_rate": (c.satisfied, c.rated),
        "satisfaction_rate_explicit": (c.satisfied_explicit, c.rated_explicit),
        "rework_rate": (c.reworked, c.submitted),
        "claim_on_time_rate": (c.claimed_on_time, c.received),
        "resolution_rate": (c.resolved_yes, c.resolved_answers),
    }
    out: dict[str, Any] = {k: v for k, v in vars(c).items()
                           if (k != "handling_sum" and not k.startswith("overdue_"))
                           or k == "overdue_open_office"}
    for name, (hits, total) in pairs.items():
        value = rate(hits, total)
        out[name] = round(value, 4) if value is not None else None
        ci = wilson(hits, total)
        out[f"{name}_ci"] = [round(ci[0], 4), round(ci[1], 4)] if ci else None
    out["overdue_open"] = c.overdue_open
    out["overdue_by_stage"] = {s: getattr(c, f"overdue_{s}") for s in STAGES}
    out["mean_handling_days"] = round(c.handling_sum / c.replied, 2) if c.replied else None
    out["small_sample"] = c.received < SMALL_SAMPLE
    out["held_days"], out["held_days_overdue"] = (round(c.held_days, 2),
                                                  round(c.held_days_overdue, 2))
    out.update(answer_counts(c))
    return out


def answer_counts(c: Counts) -> dict[str, int]:
    """Whose word the satisfaction and resolution figures rest on: the citizen's or a default.

    A default (no rating in time) is a rating only; it never answers 是否解决, so every
    resolution answer is the citizen's and `resolved_unanswered` counts the rest.
    """
    return {"ratings_citizen": c.rated_explicit, "ratings_default": c.rated_default,
            "resolved_answers": c.resolved_answers, "resolved_default": 0,
            "resolved_no": c.resolved_answers - c.resolved_yes,
            "resolved_unanswered": c.rated - c.resolved_answers}


def department_counts(db: Database, day_from: date, day_to: date, as_of: datetime,
                      calendar: WorkingDays | None = None) -> dict[str, Counts]:
    """Counts per attributed department (lead at as_of; OFFICE while awaiting reassignment).

    The charge counts (CHARGED) go to the unit charged, whoever holds the case now.
    """
    moment = micros(as_of)
    params = {"as_of": moment, "day_from": day_from.isoformat(), "day_to": day_to.isoformat()}
    names = [f.name for f in fields(Counts) if f.name not in CHARGED]
    out: dict[str, Counts] = {}
    with db.consistent_read():
        for row in db.fetchall(*bind(_AGGREGATES, **params)):
            values: dict[str, Any] = {n: (float(v or 0) if n == "handling_sum" else int(v or 0))
                      for n, v in zip(names, row[1:], strict=True)}
            out[str(row[0])] = Counts(**values)
        charged = db.fetchall(*bind(_CHARGES, **params))
    cal = calendar if calendar is not None else WorkingCalendar(allow_provisional=True)
    for code, sums in _charge_counts(charged, moment, cal).items():
        out[code] = replace(out.get(code, Counts()), **sums)
    return out


def _charge_counts(rows: list[tuple[Any, ...]], moment: int,
                   calendar: WorkingDays) -> dict[str, dict[str, Any]]:
    """Per unit: the CHARGED counts over the cases' charges as of the moment."""
    out: dict[str, dict[str, Any]] = {}
    for stored, holder, status, at, due in rows:
        for unit, c in ch.as_of(stored, holder, status, at, moment, due, calendar).items():
            into = out.setdefault(unit, dict.fromkeys(CHARGED, 0))
            into["disputed"] += int(c["disputes"] > 0)
            into["late_results"] += int(c["late"])
            into["disputes_made"] += int(c["disputes"])
            into["held_days"] += c["held"]
            into["held_days_overdue"] += c["overdue"]
            into["supervision_notices"] += int(c["notices"])
            into["referrals"] += int(c["referrals"])
    return out


def metrics(db: Database, day_from: date, day_to: date, as_of: datetime,
            departments: dict[str, str], office_name: str,
            calendar: WorkingDays | None = None) -> dict[str, Any]:
    """The `wenzheng metrics` JSON: every configured department, extras seen, and the total."""
    counts = department_counts(db, day_from, day_to, as_of, calendar)
    codes = list(departments) + sorted(c for c in counts if c not in departments)
    names = {**departments, OFFICE: office_name}
    rows, total = [], Counts()
    for code in codes:
        c = counts.get(code, Counts())
        if code == OFFICE and c == Counts():
            continue
        total = total + c
        rows.append({"code": code, "name": names.get(code, code), **figures(c)})
    return {
        "from": day_from.isoformat(), "to": day_to.isoformat(),
        "as_of": as_of.astimezone(BUSINESS_TZ).isoformat(),
        "departments": rows,
        "total": {"code": "TOTAL", "name": "合计", **figures(total, whole_city=True)},
    }

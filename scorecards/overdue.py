"""The overdue-stage rule, once: SQL for the figures (scorecards/asof.py), Python for one case.

An open case is overdue in the first stage whose rule matches: its status is one of the
rule's, the stage is not done yet, and the rule's deadline has passed. A case returned after
publication (发回重办) is open again: its stage runs against the rework deadline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from domain.vocabulary import OFFICE, Stage, Status


@dataclass(frozen=True)
class OverdueRule:
    """One stage: the statuses it applies in, its deadline column, the column that ends it."""

    stage: Stage
    statuses: tuple[Status, ...]
    due: str
    done: str | None = None  # a column set once the stage is done (the stage is then not late)


RULES = (
    OverdueRule(Stage.CLAIM, (Status.ASSIGNED,), "claim_due"),
    OverdueRule(Stage.OPINION, (Status.CLAIMED,), "opinion_due", done="opinion_at"),
    OverdueRule(Stage.REPLY, (Status.ASSIGNED, Status.CLAIMED), "reply_due"),
    OverdueRule(Stage.APPROVAL, (Status.REPLY_SUBMITTED,), "reply_due"),
    OverdueRule(Stage.REASSIGNMENT, (Status.DISPUTED,), "reply_due"),
)
STAGE_DUE = {rule.stage: rule.due for rule in RULES}  # the deadline a stage runs against


def _status_sql(statuses: tuple[Status, ...]) -> str:
    """`status = 'a'` or `status IN ('a', 'b')`."""
    quoted = ", ".join(f"'{s}'" for s in statuses)
    return f"status = {quoted}" if len(statuses) == 1 else f"status IN ({quoted})"


def _when(rule: OverdueRule, moment: str) -> str:
    """One rule as a WHEN clause."""
    done = f" AND {rule.done} IS NULL" if rule.done else ""
    return (f"  WHEN {_status_sql(rule.statuses)}{done} AND {rule.due} < {moment} "
            f"THEN '{rule.stage}'")


def stage_sql(moment: str = ":as_of") -> str:
    """A CASE expression: the stage a row is overdue in at `moment`, else NULL."""
    return "CASE\n" + "\n".join(_when(rule, moment) for rule in RULES) + "\nEND"


def overdue_stage(row: Mapping[str, Any], moment: Any) -> Stage | None:
    """The stage a case (its row as of a moment, times comparable to `moment`) is overdue in."""
    for rule in RULES:
        if row["status"] in rule.statuses and (rule.done is None or row[rule.done] is None):
            due = row[rule.due]
            if due is not None and due < moment:
                return rule.stage
    return None


# Who an open overdue case is charged to: the office while it waits for reassignment (its
# clock), else the unit that held the case when the deadline passed.
CHARGED_TO_SQL = (f"CASE WHEN status = '{Status.DISPUTED}' THEN '{OFFICE}' "
                  "ELSE COALESCE(overdue_holder, holder) END")


def charged_to(row: Mapping[str, Any]) -> str:
    """CHARGED_TO_SQL for one row."""
    if row["status"] == Status.DISPUTED:
        return OFFICE
    return str(row["overdue_holder"] or row["holder"])

"""Cases as of a moment: each case's row as it stood then, with its overdue stage and charge."""

from __future__ import annotations

import re
from typing import Any

from projections.schema import SNAPSHOT_COLUMNS

_NAME = re.compile(r":([a-z_]+)")

# Stage an open case is stuck in, when that stage's deadline has passed. A case returned after
# publication (发回重办) is open again: its stage runs against the rework deadline.
STAGE = """CASE
  WHEN status = 'assigned' AND claim_due < :as_of THEN 'claim'
  WHEN status = 'claimed' AND opinion_at IS NULL AND opinion_due < :as_of THEN 'opinion'
  WHEN status IN ('assigned', 'claimed') AND reply_due < :as_of THEN 'reply'
  WHEN status = 'reply_submitted' AND reply_due < :as_of THEN 'approval'
  WHEN status = 'disputed' AND reply_due < :as_of THEN 'reassignment'
END"""
# Who an open overdue case is charged to: the office while it waits for reassignment (its
# clock), else the unit that held the case when the deadline passed.
CHARGED_TO = "CASE WHEN status = 'disputed' THEN 'OFFICE' ELSE COALESCE(overdue_holder, holder) END"
STAGES = ("claim", "opinion", "reply", "approval", "reassignment")


def bind(text: str, **params: Any) -> tuple[str, list[Any]]:
    """Turn :name placeholders into positional `?` with the parameters in order."""
    values: list[Any] = []

    def repl(match: re.Match[str]) -> str:
        values.append(params[match.group(1)])
        return "?"

    return _NAME.sub(repl, text), values


def snapshot_sql(where: str = "1 = 1", columns: tuple[str, ...] = SNAPSHOT_COLUMNS) -> str:
    """A query of every case's row as of :as_of, plus `overdue_stage` and `charged_to`.

    A case whose last event is not after :as_of is its current row (rm_cases); any other
    case is the history row valid at :as_of (at <= :as_of < next_at). Either way nothing
    that happened after :as_of counts. `where` filters both parts.
    """
    cols = ", ".join(columns)
    both = f"""
      SELECT {cols} FROM rm_cases WHERE at <= :as_of AND ({where})
      UNION ALL
      SELECT {cols} FROM rm_history WHERE at <= :as_of AND next_at > :as_of AND ({where})"""
    return (f"SELECT s.*, {STAGE} AS overdue_stage, {CHARGED_TO} AS charged_to FROM ({both}) s")

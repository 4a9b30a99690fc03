"""Cases as of a moment: each case's row as it stood then, with its overdue stage and charge."""

from __future__ import annotations

import re
from typing import Any

from domain.vocabulary import STAGES
from projections.schema import STATE_COLUMNS
from projections.tables import CASES, HISTORY
from scorecards.overdue import CHARGED_TO_SQL, stage_sql

__all__ = ["STAGES", "as_of_sql", "bind"]
_NAME = re.compile(r":([a-z_]+)")


def bind(text: str, **params: Any) -> tuple[str, list[Any]]:
    """Turn :name placeholders into positional `?` with the parameters in order."""
    values: list[Any] = []

    def repl(match: re.Match[str]) -> str:
        values.append(params[match.group(1)])
        return "?"

    return _NAME.sub(repl, text), values


def as_of_sql(where: str = "1 = 1", columns: tuple[str, ...] = STATE_COLUMNS) -> str:
    """A query of every case's row as of :as_of, plus `overdue_stage` and `charged_to`.

    A case whose last event is not after :as_of is its current row (rm_cases); any other
    case is the history row valid at :as_of (at <= :as_of < next_at). Either way nothing
    that happened after :as_of counts. `where` filters both parts. The overdue stage and the
    charge follow scorecards/overdue.py.
    """
    cols = ", ".join(columns)
    both = f"""
      SELECT {cols} FROM {CASES} WHERE at <= :as_of AND ({where})
      UNION ALL
      SELECT {cols} FROM {HISTORY} WHERE at <= :as_of AND next_at > :as_of AND ({where})"""
    return (f"SELECT s.*, {stage_sql()} AS overdue_stage, {CHARGED_TO_SQL} AS charged_to "
            f"FROM ({both}) s")

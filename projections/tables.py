"""The read-model tables' names, once: they are stored in users' databases, so never renamed."""

from __future__ import annotations

CASES = "rm_cases"  # one row per case: its facts now (projections/row.py CaseRow)
HISTORY = "rm_history"  # one row per event: the case's state after it, valid until next_at
TRACKING = "rm_tracking"  # the notification-log position the read models have applied
TRACKING_NAME = "cases"  # the case projection's row in TRACKING
CASE_TABLES = (CASES, HISTORY, TRACKING)  # made, rebuilt and swapped together
SCORECARD_SNAPSHOTS = "rm_scorecard_snapshots"  # stored assessments (scorecards/snapshot.py)
SCORECARD_CARDS = "rm_scorecard_cards"  # each stored assessment's cards in full

"""Dead letters hide contacts with the same patterns the masking finds (scorecards/masking.py)."""

from __future__ import annotations

import pytest

from wenzheng.redact import HIDDEN, scrub


@pytest.mark.parametrize(("typed", "kept"), [
    ("接线员 13700001111", f"接线员 {HIDDEN}"),
    ("ID110105194912310021", f"ID{HIDDEN}"),
    ("电话0571-88886666", f"电话{HIDDEN}"),
    ("+86 138 1234 5678 或 zhang@example.cn", f"{HIDDEN} 或 {HIDDEN}"),
    ("案件 SF2025-000123 于 2025-03-03T10:00:00+08:00 不存在",
     "案件 SF2025-000123 于 2025-03-03T10:00:00+08:00 不存在"),
    ("at 1760000000", "at 1760000000"),
])
def test_contacts_are_hidden_whole_and_case_numbers_and_times_stay(typed: str, kept: str) -> None:
    assert scrub(typed) == kept

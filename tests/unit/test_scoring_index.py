"""The one-pass deduction index gives every department what a scan of all facts gives."""

from __future__ import annotations

import random
from dataclasses import replace

from scorecards.casefacts import CaseFact
from scorecards.rules import Rules
from scorecards.scoring import Deduction, DeductionIndex, deductions
from tests.unit.test_scoring import GOOD, Entry

CODES = ("D1", "D2", "D3", "OFFICE")
ZH = {"overdue": "超期", "returned": "多次发回重办"}


def scanned(code: str, facts: list[CaseFact], entries: list[Entry],
            rules: Rules) -> tuple[Deduction, ...]:
    """The per-department scan scoring used before the index (the reference)."""
    d = rules.deductions
    numbers = {f.number for f in facts}
    overdue = sorted({f.number for f in facts
                      if f.overdue_charged_to == code or f.replied_late_by == code})
    exposed = sorted(f"{e.case}（{ZH[e.rule]}）" for e in entries
                     if e.department == code and e.case in numbers)
    supervised = sorted(f.number for f in facts if f.department == code and f.supervised)
    referred = sorted(f.number for f in facts if f.department == code and f.referred)
    items = {"overdue": overdue, "exposure": exposed, "supervision": supervised,
             "accountability": referred}
    each = {"overdue": d.overdue, "exposure": d.exposure, "supervision": d.supervision,
            "accountability": d.accountability}
    return tuple(Deduction(k, label, each[k], tuple(items[k]), round(each[k] * len(items[k]), 4),
                           raw=round(each[k] * len(items[k]), 4))
                 for k, label in (("overdue", "超期"), ("exposure", "曝光台条目"),
                                  ("supervision", "被督办"), ("accountability", "移送问责")))


def random_facts(seed: int) -> tuple[list[CaseFact], list[Entry]]:
    """Facts with overdue time charged across departments, and entries naming some of them."""
    rng = random.Random(seed)
    facts = []
    for i in range(300):
        stage = rng.choice([None, "claim", "reply"])
        facts.append(replace(
            GOOD, number=f"N{i:04d}", department=rng.choice(CODES), overdue_stage=stage,
            overdue_charged_to=rng.choice(CODES) if stage else None,
            replied_late_by=rng.choice([None, None, *CODES]),
            supervised=rng.choice([0, 0, 1, 2]), referred=rng.choice([0, 0, 0, 1])))
    entries = [Entry(f"N{rng.randrange(330):04d}", rng.choice(CODES),
                     rng.choice(["overdue", "returned"])) for _ in range(120)]
    return facts, entries


def test_the_index_gives_each_department_the_same_deductions_as_a_full_scan() -> None:
    rules = Rules()
    for seed in range(5):
        facts, entries = random_facts(seed)
        index = DeductionIndex(facts, entries)
        for code in (*CODES, "NOBODY"):
            assert index.of(code, rules) == scanned(code, facts, entries, rules)
            assert deductions(code, facts, entries, rules) == scanned(code, facts, entries, rules)


def test_entries_for_cases_outside_the_period_are_not_deducted() -> None:
    facts = [replace(GOOD, number="IN", department="D1")]
    entries = [Entry("OUT", "D1", "overdue"), Entry("IN", "D1", "overdue")]
    exposure = DeductionIndex(facts, entries).of("D1", Rules())[1]
    assert exposure.items == ("IN（超期）",)  # the rule's Chinese name, never its key

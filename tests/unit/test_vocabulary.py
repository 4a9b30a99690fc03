"""One vocabulary: the stored names it lists are the ones the code records and folds."""

from __future__ import annotations

from consumers import schema as envelope_schema
from domain.case import Case
from domain.labels import ACTION_NAMES_ZH, OVERDUE_STAGE_ZH, RULE_ZH, STAGE_ZH, STATUS_ZH
from domain.vocabulary import (
    ACTION_PATHS,
    EVENT_TYPES,
    STAGES,
    STATUSES,
    Action,
    EventType,
    ExposureRule,
)
from projections import fold
from projections.schema import CASE_COLUMNS


def test_the_fold_indexes_are_the_column_list() -> None:
    assert [(c.name.lower(), getattr(fold, c.name)) for c in fold.Col] == list(
        zip(CASE_COLUMNS, range(len(CASE_COLUMNS)), strict=True))


def test_every_event_type_is_a_stored_event_class_of_the_case() -> None:
    assert all(getattr(Case, name).__qualname__ == f"Case.{name}" for name in EVENT_TYPES)


def test_every_action_path_names_the_case_method_and_the_event_it_records() -> None:
    assert set(ACTION_PATHS) == set(Action)
    for path in ACTION_PATHS.values():
        assert callable(getattr(Case, path.method)) and callable(getattr(Case, path.handler))
    assert ACTION_PATHS[Action.RETURN].method == "send_back"
    assert ACTION_PATHS[Action.RETURN].event == EventType.RETURNED


def test_every_label_table_covers_its_vocabulary() -> None:
    assert set(STATUS_ZH) == set(STATUSES) and set(ACTION_NAMES_ZH) == set(EVENT_TYPES)
    assert set(STAGE_ZH) == set(OVERDUE_STAGE_ZH) == set(STAGES)
    assert set(RULE_ZH) == set(ExposureRule)


def test_the_envelope_schema_knows_every_event_type() -> None:
    assert envelope_schema.EVENT_TYPES == EVENT_TYPES

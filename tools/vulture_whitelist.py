"""Names vulture (./run check) reports as unused that are used where it cannot see: one reason each.

Vulture reads this file with the code; every line below marks names as used. Pydantic's
`model_config` and validators are skipped by [tool.vulture] in pyproject.toml.
"""
# ruff: noqa: B018

_ = object()  # stands for any object: `_.name` marks the attribute `name` as used

# consumers/projector.py _Seeker: kafka-python calls these ConsumerRebalanceListener methods.
_.on_partitions_revoked, _.on_partitions_assigned

# domain/case.py, domain/bulletin.py: eventsourcing calls create_id and reads INITIAL_VERSION.
_.create_id, _.INITIAL_VERSION

# projections/logread.py: sqlite3 reads a cursor's row_factory (None: plain tuples).
_.row_factory

# projections/row.py CaseRow: the rm_cases columns, built by name from SQL rows (row_from_values)
# and compared whole by the projection tests and `wenzheng verify --read-models`.
(_.first_department, _.first_assigned_at, _.first_assigned_day, _.opinion_due, _.claimed_at,
 _.opinion_at, _.first_submitted_at, _.submitted_at, _.published_late, _.late_holder,
 _.closed_at, _.archived_at, _.dispute_count, _.last_disputed_by, _.extension_days,
 _.supervision_count, _.supervision_late, _.supervision_late_due, _.accountability_count,
 _.rated_at, _.rated_after_rework, _.dissatisfied_after_rework_at, _.reply_summary,
 _.registered_day, _.supervision_unit, _.supervision_late_unit)

# projections/writer.py CaseProjection: the projection tests' way in (untracked apply, all rows).
_.apply_untracked, _.all_rows

# scorecards/metrics.py Counts: columns of the metrics SQL, added and output by field (getattr).
(_.reassigned, _.overdue_claim, _.overdue_opinion, _.overdue_reply, _.overdue_approval,
 _.overdue_reassignment, _.unassigned, _.disputed, _.late_results, _.disputes_made,
 _.supervision_notices, _.referrals)

# scorecards/render_docx.py: python-docx reads the properties set on sections, paragraphs, core.
_.left_margin, _.right_margin, _.alignment, _.style, _.subject

# scorecards/rules.py: the deduction rule's fields (wenzheng.toml [scoring]), read by getattr.
(_.supervision, _.accountability, _.overdue_cap, _.exposure_cap, _.supervision_cap,
 _.accountability_cap)

# wenzheng/demogen/texts.py: the demo test checks each category's group against it.
_.CATEGORY_GROUP

# wenzheng/failures.py: exit status 0 named beside the others (README.md "Exit statuses").
_.OK

# wenzheng/store/*: domain/service.py names the recorders and key vaults by topic string.
_.ChainedSQLiteRecorder, _.ChainedPostgresRecorder, _.SQLiteKeyVault, _.PostgresKeyVault

# domain/vocabulary.py ActionPath.method: documents the Case method an action calls; the
# vocabulary test checks each one exists on domain.case.Case.
_.method

# projections/fold.py Col: Enum calls _generate_next_value_ for each auto() member.
_._generate_next_value_

# wenzheng/config.py _read_once: lru_cache keys on the file's mtime and size (one read per version).
_.mtime_ns

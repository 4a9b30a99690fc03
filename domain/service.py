"""The application service: actions in, events stored, plain values out."""

from __future__ import annotations

import copy
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, project_aggregate
from eventsourcing.persistence import ApplicationRecorder, IntegrityError
from eventsourcing.popo import POPOFactory
from eventsourcing.utils import resolve_topic

from domain import actions as A
from domain import personal
from domain.calendar import CalendarNotCovered
from domain.case import DEFAULT_RATING, Case, case_id
from domain.errors import (
    CaseAlreadyRegistered,
    CaseError,
    CaseNotYetRegistered,
    ConcurrentUpdate,
    DeadlineNotComputable,
    UnknownCase,
    UnknownDepartment,
)
from domain.memory import MemoryRecorder
from domain.policy import DeadlinePolicy, Deadlines
from domain.ports import ChainedRecorder, KeyVault, chained_recorder, key_vault
from domain.revision import OPEN_STATUSES, arrangements_of, differs, recompute
from domain.revision_io import events_of, revision_targets

APPLIED, DUPLICATE, REJECTED, SKIPPED = "applied", "duplicate", "rejected", "skipped"
MAX_RETRIES = 10
# The env key naming the key vault's class (set by the persistence package, wenzheng/store/).
KEY_VAULT_TOPIC = "KEY_VAULT_TOPIC"


@dataclass(frozen=True)
class Outcome:
    """What became of one action."""

    status: str
    case: str
    action_id: str
    reason: str = ""
    version: int | None = None


class CaseService(Application[UUID]):
    """Records case actions as events of Case aggregates in the configured event store.

    The store is eventsourcing's, chosen by the environment: the persistence package
    (wenzheng/store/) names its hash-chained recorder and key vault there; the memory store gets
    domain/memory.py's recorder. Either way the recorder must implement ChainedRecorder.
    """

    name = "wenzheng"

    def __init__(
        self,
        policy: DeadlinePolicy,
        departments: Iterable[str],
        env: dict[str, str] | None = None,
        default_rating: str = DEFAULT_RATING,
        vault: KeyVault | None = None,
    ) -> None:
        super().__init__(env)
        try:
            self.chained: ChainedRecorder = chained_recorder(self.recorder)
            self.vault: KeyVault = key_vault(vault or self._default_vault())
        except BaseException:
            super().close()
            raise
        self.policy = policy
        self.default_rating = default_rating
        self.departments = frozenset(departments)

    def close(self) -> None:
        """Close the store and the key vault."""
        super().close()
        self.vault.close()

    def construct_recorder(self) -> ApplicationRecorder:
        """eventsourcing's recorder; the memory store gets one that answers ChainedRecorder."""
        if isinstance(self.factory, POPOFactory):
            return MemoryRecorder()
        return super().construct_recorder()

    def _default_vault(self) -> KeyVault:
        """The key vault the environment names (KEY_VAULT_TOPIC), else one in memory."""
        topic = self.env.get(KEY_VAULT_TOPIC)
        if not topic:
            return personal.MemoryVault()
        vault: KeyVault = resolve_topic(topic)(dict(self.env.items()))
        return vault

    def _save(self, touched: Sequence[Case], **kwargs: Any) -> None:
        """Keep the keys of newly registered cases, then save the cases in one transaction.

        A key kept for events that then fail to save is harmless: it opens nothing, and a
        retried registration keeps a key of its own beside it.
        """
        keys = {c.id: c.new_key for c in touched if c.new_key is not None
                and c.pending_events and c.pending_events[0].originator_version == 1}
        self.vault.store_keys(keys)
        self.save(*touched, **kwargs)

    # ----- writing ----------------------------------------------------------------------------

    def apply(self, action: A.ActionBase) -> Outcome:
        """Apply one action with optimistic concurrency and a bounded retry."""
        return self.apply_batch([action])[0]

    def apply_batch(self, batch: Sequence[A.ActionBase]) -> list[Outcome]:
        """Apply actions in order and save them in one transaction; on conflict, retry per case."""
        return [group[0] for group in self.apply_groups([[a] for a in batch])]

    def apply_groups(self, groups: Sequence[Sequence[A.ActionBase]]) -> list[list[Outcome]]:
        """Apply groups of actions, each all-or-nothing, and save them in one transaction.

        When an action of a group is rejected, the group's other actions are rolled back and
        reported as rejected with a reason naming the action that failed.
        """
        cases: dict[str, Case | None] = {}
        self._load_many({a.case for group in groups for a in group}, cases)
        results = [self._execute_group(group, cases) for group in groups]
        touched = [c for c in cases.values() if c is not None and c.pending_events]
        if not touched:
            return results
        try:
            self._save(touched)
        except IntegrityError:
            return [self._retry_group(group) for group in groups]
        return [[self._with_version(o, cases) for o in result] for result in results]

    def _execute_group(
        self, group: Sequence[A.ActionBase], cases: dict[str, Case | None]
    ) -> list[Outcome]:
        """Run a group against the cached aggregates, restoring them if any action fails."""
        if len(group) == 1:
            return [self._execute(group[0], cases)]
        numbers = {a.case for a in group}
        for number in numbers - cases.keys():
            cases[number] = self._load(number)
        backup = {n: copy.deepcopy(cases[n]) for n in numbers}
        outcomes = [self._execute(a, cases) for a in group]
        failed = next((i for i, o in enumerate(outcomes) if o.status == REJECTED), None)
        if failed is None:
            return outcomes
        cases.update(backup)
        reason = f"同组第 {failed + 1} 个操作被拒绝，本组全部未应用"
        return [o if o.status != APPLIED else Outcome(REJECTED, o.case, o.action_id, reason)
                for o in outcomes]

    def _retry_group(self, group: Sequence[A.ActionBase]) -> list[Outcome]:
        """Slow path after a concurrency conflict: reload and retry the group alone."""
        for attempt in range(MAX_RETRIES):
            if attempt:
                time.sleep(random.uniform(0, 0.002 * 2 ** min(attempt, 6)))  # jittered back-off
            cases: dict[str, Case | None] = {}
            outcomes = self._execute_group(group, cases)
            touched = [c for c in cases.values() if c is not None and c.pending_events]
            if not touched:
                return outcomes
            try:
                self._save(touched)
            except IntegrityError:
                continue
            return [self._with_version(o, cases) for o in outcomes]
        return [Outcome(REJECTED, a.case, a.action_id(), str(ConcurrentUpdate(a.case, MAX_RETRIES)))
                for a in group]

    @staticmethod
    def _with_version(outcome: Outcome, cases: dict[str, Case | None]) -> Outcome:
        """Attach the case's version to an applied outcome."""
        case = cases.get(outcome.case)
        if outcome.status != APPLIED or case is None:
            return outcome
        return Outcome(outcome.status, outcome.case, outcome.action_id, version=case.version)

    def _execute(self, action: A.ActionBase, cases: dict[str, Case | None]) -> Outcome:
        """Run one action against the cached aggregate; rule breaks become rejections."""
        action_id = action.action_id()
        if action.case not in cases:
            cases[action.case] = self._load(action.case)
        case = cases[action.case]
        if case is not None and action_id in case.action_ids:
            return Outcome(DUPLICATE, action.case, action_id)
        try:
            created = self._dispatch(action, case, action_id)
        except CaseError as exc:
            return Outcome(REJECTED, action.case, action_id, str(exc))
        if created is not None:
            cases[action.case] = created
        return Outcome(APPLIED, action.case, action_id)

    def _load(self, number: str) -> Case | None:
        """The case's aggregate, or None when it was never registered."""
        try:
            return self.repository.get(case_id(number))
        except AggregateNotFoundError:
            return None

    def _load_many(self, numbers: Iterable[str], cases: dict[str, Case | None]) -> None:
        """Load many cases at once (one query on the SQL stores) into the batch's cache."""
        wanted = {case_id(n): n for n in numbers if n not in cases}
        if not wanted or self.repository.cache is not None:
            return  # with an aggregate cache, load case by case
        events: dict[UUID | str, list[Any]] = {}
        for stored in self.chained.select_events_of(list(wanted)):
            events.setdefault(stored.originator_id, []).append(self.mapper.to_domain_event(stored))
        for oid, number in wanted.items():
            found = events.get(oid)
            cases[number] = project_aggregate(None, found) if found else None

    def _dispatch(self, a: A.ActionBase, case: Case | None, aid: str) -> Case | None:
        """Call the aggregate command that the action names."""
        if isinstance(a, A.Register):
            if case is not None:
                raise CaseAlreadyRegistered(a.case)
            key = personal.new_key()
            created = Case(
                number=a.case, source=a.source, title=a.title,
                content=personal.seal(key, a.case, a.content), category=a.category,
                priority=a.priority, region=a.region,
                citizen={"sealed": personal.seal(key, a.case, a.citizen.model_dump())},
                at=a.at, by=a.by, action_id=aid,
            )
            created.new_key = key
            return created
        if case is None:
            raise UnknownCase(a.case)
        common: dict[str, Any] = {"at": a.at, "by": a.by, "action_id": aid}
        if isinstance(a, A.Assign):
            self._check_departments(a.department, *a.co_departments)
            case.assign(a.department, a.co_departments,
                        lambda: self._deadlines(a.case, self.policy.on_assign, case.priority, a.at),
                        **common)
        elif isinstance(a, A.Claim):
            case.claim(a.department, **common)
        elif isinstance(a, A.Dispute):
            case.dispute(a.reason, a.department, **common)
        elif isinstance(a, A.Extend):
            current = Deadlines.from_dict(case.deadlines)
            case.extend(a.working_days, a.reason,
                        lambda: self._deadlines(a.case, self.policy.on_extend, current,
                                                a.working_days),
                        self.policy.limits.extension_max_days, **common)
        elif isinstance(a, A.Opinion):
            case.give_opinion(a.text, a.department, **common)
        elif isinstance(a, A.SubmitReply):
            case.submit_reply(a.text, a.department, **common)
        elif isinstance(a, A.PublishReply):
            case.publish_reply(a.text, **common)
        elif isinstance(a, A.Return):
            case.send_back(a.reason,
                           lambda: self._deadlines(a.case, self.policy.on_return, case.priority,
                                                   a.at),
                           **common)
        elif isinstance(a, A.Supervise):
            case.supervise(a.level, a.note or "", lambda: self._supervision_due(a), **common)
        elif isinstance(a, A.Rate):
            case.rate(a.rating, a.channel, a.default, resolved=a.resolved,
                      default_rating=self.default_rating, **common)
        elif isinstance(a, A.Close):
            case.close(**common)
        elif isinstance(a, A.Archive):
            case.archive(**common)
        elif isinstance(a, A.ReferAccountability):
            self._check_departments(a.department)
            case.refer_accountability(a.department, a.reason, **common)
        else:  # pragma: no cover - the union is exhaustive
            raise TypeError(f"unhandled action {type(a).__name__}")
        return None

    def _check_departments(self, *codes: str) -> None:
        """Every department named must be listed in wenzheng.toml."""
        for code in codes:
            if code not in self.departments:
                raise UnknownDepartment(code)

    @staticmethod
    def _deadlines(number: str, compute: Callable[..., Deadlines], *args: Any) -> dict[str, Any]:
        """Compute deadlines, turning an uncovered calendar year into a rejection."""
        try:
            return compute(*args).to_dict()
        except CalendarNotCovered as exc:
            raise DeadlineNotComputable(number, str(exc)) from None

    def _supervision_due(self, a: A.Supervise) -> datetime:
        """The supervision notice's response deadline."""
        try:
            return self.policy.supervision_due(a.at)
        except CalendarNotCovered as exc:
            raise DeadlineNotComputable(a.case, str(exc)) from None

    def erase(self, number: str, reason: str, at: datetime, by: str) -> Outcome:
        """Crypto-shred the case's personal data: record the erasure and destroy its key."""
        if not reason.strip():
            raise ValueError("删除个人信息必须说明理由（--reason）")
        for attempt in range(MAX_RETRIES):
            case = self._load(number)
            if case is None:
                raise UnknownCase(number)
            aid = f"erase:{number}:{case.version + 1}"
            case.erase_personal_data(reason, at=at, by=by, action_id=aid)
            self.vault.destroy(case.id, at.isoformat(), reason)
            try:
                self._save([case])
            except IntegrityError:
                time.sleep(random.uniform(0, 0.002 * 2 ** min(attempt, 6)))
                continue
            return Outcome(APPLIED, number, aid, version=case.version)
        raise ConcurrentUpdate(number, MAX_RETRIES)

    def revise_deadlines(self, at: datetime, by: str, chunk: int = 500) -> list[Outcome]:
        """期限修订: record a DeadlinesRevised event for every open case whose stored
        deadlines the current calendar changes; running it again records nothing new."""
        ids = revision_targets(self)
        outcomes: list[Outcome] = []
        for start in range(0, len(ids), chunk):
            outcomes += self._revise_chunk(ids[start:start + chunk], at, by)
        return outcomes

    def _revise_chunk(self, ids: Sequence[UUID], at: datetime, by: str) -> list[Outcome]:
        """Revise one chunk of cases and save them together (reloaded after a conflict)."""
        for attempt in range(MAX_RETRIES):
            touched, outcomes = [], []
            for events in events_of(self, ids):
                case, outcome = self._revise_case(events, at, by)
                if outcome is not None:
                    outcomes.append(outcome)
                if case is not None:
                    touched.append(case)
            try:
                if touched:
                    self._save(touched)
            except IntegrityError:
                time.sleep(random.uniform(0, 0.002 * 2 ** min(attempt, 6)))
                continue
            return outcomes
        raise ConcurrentUpdate("期限修订", MAX_RETRIES)

    def _revise_case(self, events: list[Any], at: datetime, by: str
                     ) -> tuple[Case | None, Outcome | None]:
        """The case with a pending revision (or None) and what became of it."""
        case: Case | None = project_aggregate(None, events)
        if case is None or case.status not in OPEN_STATUSES:
            return None, None
        found = recompute(events, case.priority, self.policy.calendar, self.policy.limits)
        if found.deadlines is None:
            return None, Outcome(SKIPPED, case.number, "", found.reason)
        if not differs(case.deadlines, found.deadlines):
            return None, None
        new = found.deadlines
        aid = f"revise:{case.number}:{case.version}:{new.calendar}"
        case.revise_deadlines(new.to_dict(), arrangements_of(self.policy.calendar, new),
                              at=max(at, case.last_at), by=by, action_id=aid)
        return case, Outcome(APPLIED, case.number, aid, version=case.version)

    # ----- reading ----------------------------------------------------------------------------

    def personal_data(self, number: str) -> dict[str, Any] | None:
        """The citizen's contact data and message, decrypted; None once erased."""
        events = list(self.events.get(case_id(number), lte=1))
        if not events:
            raise UnknownCase(number)
        registered: Any = events[0]
        citizen, content = registered.citizen, registered.content
        if not personal.is_sealed(citizen.get("sealed")):
            return {"citizen": citizen, "content": content}
        keys = self.vault.case_keys(case_id(number))
        if not keys:
            return None
        return {"citizen": personal.unseal(keys, number, citizen["sealed"]),
                "content": personal.unseal(keys, number, content)}

    def chain_head(self) -> tuple[int, str]:
        """The global hash chain's last position and hash (hex); (0, '') without a chain."""
        position, digest = self.chained.chain_head()
        return position, digest.hex()

    def history(self, number: str) -> list[dict[str, Any]]:
        """Every event of the case as plain dicts (type, version, recorded time, fields)."""
        events = list(self.events.get(case_id(number)))
        if not events:
            raise UnknownCase(number)
        return [event_as_dict(e) for e in events]

    def state(self, number: str) -> dict[str, Any]:
        """The case's current state as a plain dict."""
        case = self._load(number)
        if case is None:
            raise UnknownCase(number)
        return case_state(case)

    def as_of(self, number: str, moment: datetime) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The case as it stood at a moment: its state then and the events dated up to it.

        Business times within a case never go backwards, so those events are a prefix of the
        history and the state is the aggregate at the last of them.
        """
        history = [e for e in self.history(number) if e["at"] <= moment]
        if not history:
            raise CaseNotYetRegistered(number, moment)
        case: Case = self.repository.get(case_id(number), version=history[-1]["version"])
        return case_state(case), history


def event_as_dict(event: Any) -> dict[str, Any]:
    """A stored domain event as a plain dict."""
    fields = {k: v for k, v in event.__dict__.items()
              if k not in ("originator_id", "originator_version", "timestamp", "originator_topic")}
    return {
        "type": type(event).__qualname__.split(".")[-1],
        "version": event.originator_version,
        "recorded_at": event.timestamp,
        **fields,
    }


def case_state(case: Case) -> dict[str, Any]:
    """The aggregate's state without personal data."""
    return {
        "case": case.number, "version": case.version, "status": case.status,
        "holder": case.holder, "lead": case.lead, "co_departments": case.co_departments,
        "priority": case.priority, "category": case.category, "source": case.source,
        "title": case.title, "region": case.region, "deadlines": case.deadlines,
        "extended_days": case.extended_days, "rework_count": case.rework_count,
        "rating": case.rating,
    }

"""The Case aggregate: one citizen's message from registration to archive."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import (
    ActionBeforePreviousEvent,
    AlreadyRated,
    CaseArchived,
    ClaimBeforeAssign,
    CloseBeforeReply,
    CoDepartmentIsLead,
    DepartmentNotHolder,
    ExtensionAfterDeadline,
    ExtensionTooLong,
    IllegalTransition,
    InvalidDefaultRating,
    InvalidRating,
    NotAssignedYet,
    OpinionRequired,
    PublishBeforeReply,
    RateBeforeReply,
)
from domain.vocabulary import OFFICE, RATINGS, Action, EventType, Rating, Status

__all__ = ["AFTER_ARCHIVE", "DEFAULT_RATING", "OFFICE", "RATINGS", "Case", "case_id"]

CASE_NAMESPACE = uuid5(NAMESPACE_URL, "https://wenzheng.example/case")

REGISTERED, ASSIGNED, CLAIMED, DISPUTED = (
    Status.REGISTERED, Status.ASSIGNED, Status.CLAIMED, Status.DISPUTED)
REPLY_SUBMITTED, PUBLISHED, CLOSED, ARCHIVED = (
    Status.REPLY_SUBMITTED, Status.PUBLISHED, Status.CLOSED, Status.ARCHIVED)
OPEN_FOR_DEPARTMENT = (ASSIGNED, CLAIMED)
DEFAULT_RATING = Rating.SATISFIED  # "no rating within N days counts as satisfied" (configurable)
# Actions a filed case still accepts: accountability looks back on a finished case
# (erasure, the other one, is PersonalDataErased, which check_open never sees).
AFTER_ARCHIVE = (Action.REFER_ACCOUNTABILITY,)
DeadlineFn = Callable[[], dict[str, Any]] | dict[str, Any]
DueFn = Callable[[], datetime] | datetime


def _resolve(value: Any) -> Any:
    """Deadlines may be given computed, or as a function called only after the rules pass."""
    return value() if callable(value) else value


def case_id(number: str) -> UUID:
    """The aggregate id of the case with this external number."""
    return uuid5(CASE_NAMESPACE, number)


class Case(Aggregate):
    """A case; commands check their rule, then record a past-tense event."""

    new_key: bytes | None = None  # the service's fresh personal-data key; never in an event

    @staticmethod
    def create_id(number: str, **_: Any) -> UUID:
        """Case ids derive from the external case number, so lookups need no index."""
        return case_id(number)

    @event(EventType.REGISTERED.value)
    def __init__(
        self,
        number: str,
        source: str,
        title: str,
        content: str,
        category: str,
        priority: str,
        region: str,
        citizen: dict[str, Any],
        at: datetime,
        by: str,
        action_id: str,
        holder: str = OFFICE,
        status: str = REGISTERED,
        deadlines: dict[str, Any] | None = None,
    ) -> None:
        self.number, self.source, self.title, self.content = number, source, title, content
        self.category, self.priority, self.region = category, priority, region
        self.citizen = citizen
        self.action_ids: set[str] = set()
        self.lead: str | None = None
        self.co_departments: list[str] = []
        self.opinion_given = False
        self.extended_days = 0
        self.rework_count = 0
        self.rated = False
        self.rating: str | None = None
        self.rating_default = False
        self._record(at, action_id, holder, status, deadlines or {})

    def _record(
        self, at: datetime, action_id: str, holder: str, status: str, deadlines: dict[str, Any]
    ) -> None:
        """State every event carries: time, action, holder and deadlines after it."""
        self.last_at = at
        self.action_ids.add(action_id)
        self.holder, self.status, self.deadlines = holder, status, deadlines

    # ----- rules -------------------------------------------------------------------------

    def check_open(self, at: datetime, action: str = "") -> None:
        """After archive only AFTER_ARCHIVE; no action dated before the previous event."""
        if self.status == ARCHIVED and action not in AFTER_ARCHIVE:
            raise CaseArchived(self.number, action)
        if at < self.last_at:
            raise ActionBeforePreviousEvent(self.number, at, self.last_at)

    def check_holder(self, department: str | None) -> None:
        """A department action must come from the department holding the case."""
        if department is not None and department != self.holder:
            raise DepartmentNotHolder(self.number, department, self.holder)

    def check_status(self, allowed: tuple[str, ...], action: str) -> None:
        """The action is legal only in the given statuses."""
        if self.status not in allowed:
            raise IllegalTransition(self.number, action, self.status)

    # ----- commands ------------------------------------------------------------------------

    def assign(
        self, department: str, co_departments: list[str], deadlines: DeadlineFn,
        at: datetime, by: str, action_id: str,
    ) -> None:
        """交办 / 转办: give the case to a lead department (and co-handling ones)."""
        self.check_open(at, Action.ASSIGN)
        self.check_status((REGISTERED, DISPUTED, ASSIGNED), Action.ASSIGN)
        if department in co_departments:
            raise CoDepartmentIsLead(self.number, department)
        self._assigned(
            department=department, co_departments=list(co_departments), at=at, by=by,
            action_id=action_id, holder=department, status=ASSIGNED, deadlines=_resolve(deadlines),
        )

    @event(EventType.ASSIGNED.value)
    def _assigned(
        self, department: str, co_departments: list[str], at: datetime, by: str,
        action_id: str, holder: str, status: str, deadlines: dict[str, Any],
    ) -> None:
        self.lead, self.co_departments = department, co_departments
        self.opinion_given, self.rated = False, False
        self._record(at, action_id, holder, status, deadlines)

    def claim(self, department: str | None, at: datetime, by: str, action_id: str) -> None:
        """认领: the holding department accepts the case."""
        self.check_open(at, Action.CLAIM)
        if self.status in (REGISTERED, DISPUTED):
            raise ClaimBeforeAssign(self.number)
        self.check_status((ASSIGNED,), Action.CLAIM)
        self.check_holder(department)
        self._claimed(at=at, by=by, action_id=action_id, holder=self.holder, status=CLAIMED,
                      deadlines=self.deadlines)

    @event(EventType.CLAIMED.value)
    def _claimed(self, at: datetime, by: str, action_id: str, holder: str, status: str,
                 deadlines: dict[str, Any]) -> None:
        self._record(at, action_id, holder, status, deadlines)

    def dispute(self, reason: str, department: str | None, at: datetime, by: str,
                action_id: str) -> None:
        """申请退回: "not ours"; back to the coordination office for reassignment."""
        self.check_open(at, Action.DISPUTE)
        self.check_status(OPEN_FOR_DEPARTMENT, Action.DISPUTE)
        self.check_holder(department)
        self._disputed(reason=reason, department=self.holder, at=at, by=by, action_id=action_id,
                       holder=OFFICE, status=DISPUTED, deadlines={})

    @event(EventType.DISPUTED.value)
    def _disputed(self, reason: str, department: str, at: datetime, by: str, action_id: str,
                  holder: str, status: str, deadlines: dict[str, Any]) -> None:
        self._record(at, action_id, holder, status, deadlines)

    def extend(self, working_days: int, reason: str, deadlines: DeadlineFn,
               max_days: int, at: datetime, by: str, action_id: str) -> None:
        """延期: the office approves more working days for the reply."""
        self.check_open(at, Action.EXTEND)
        self.check_status(OPEN_FOR_DEPARTMENT, Action.EXTEND)
        due = self.deadlines.get("reply")
        if due and datetime.fromisoformat(str(due)) < at:
            raise ExtensionAfterDeadline(self.number, str(due)[:16].replace("T", " "))
        if self.extended_days + working_days > max_days:
            raise ExtensionTooLong(self.number, self.extended_days, working_days, max_days)
        self._extended(working_days=working_days, reason=reason, at=at, by=by,
                       action_id=action_id, holder=self.holder, status=self.status,
                       deadlines=_resolve(deadlines))

    @event(EventType.EXTENDED.value)
    def _extended(self, working_days: int, reason: str, at: datetime, by: str, action_id: str,
                  holder: str, status: str, deadlines: dict[str, Any]) -> None:
        self.extended_days += working_days
        self._record(at, action_id, holder, status, deadlines)

    def give_opinion(self, text: str, department: str | None, at: datetime, by: str,
                     action_id: str) -> None:
        """提出办理意见: the handling opinion (stage of the 1-3-1 procedure)."""
        self.check_open(at, Action.OPINION)
        self.check_status((CLAIMED,), Action.OPINION)
        self.check_holder(department)
        self._opinion_given(text=text, at=at, by=by, action_id=action_id, holder=self.holder,
                            status=self.status, deadlines=self.deadlines)

    @event(EventType.OPINION_GIVEN.value)
    def _opinion_given(self, text: str, at: datetime, by: str, action_id: str, holder: str,
                       status: str, deadlines: dict[str, Any]) -> None:
        self.opinion_given = True
        self._record(at, action_id, holder, status, deadlines)

    def submit_reply(self, text: str, department: str | None, at: datetime, by: str,
                     action_id: str) -> None:
        """办理结果上报: the department reports its result; the office now holds the case."""
        self.check_open(at, Action.SUBMIT_REPLY)
        if self.status == ASSIGNED:
            raise IllegalTransition(self.number, Action.SUBMIT_REPLY, self.status, "须先认领")
        self.check_status((CLAIMED,), Action.SUBMIT_REPLY)
        self.check_holder(department)
        if self.priority == "重大" and not self.opinion_given:
            raise OpinionRequired(self.number)
        self._reply_submitted(text=text, department=self.holder, at=at, by=by,
                              action_id=action_id, holder=OFFICE, status=REPLY_SUBMITTED,
                              deadlines=self.deadlines)

    @event(EventType.REPLY_SUBMITTED.value)
    def _reply_submitted(self, text: str, department: str, at: datetime, by: str,
                         action_id: str, holder: str, status: str,
                         deadlines: dict[str, Any]) -> None:
        self._record(at, action_id, holder, status, deadlines)

    def publish_reply(self, text: str, at: datetime, by: str, action_id: str) -> None:
        """审定后网上回复: the approved reply is published to the citizen."""
        self.check_open(at, Action.PUBLISH_REPLY)
        if self.status != REPLY_SUBMITTED:
            raise PublishBeforeReply(self.number, self.status)
        self._reply_published(text=text, at=at, by=by, action_id=action_id, holder=OFFICE,
                              status=PUBLISHED, deadlines=self.deadlines)

    @event(EventType.REPLY_PUBLISHED.value)
    def _reply_published(self, text: str, at: datetime, by: str, action_id: str, holder: str,
                         status: str, deadlines: dict[str, Any]) -> None:
        self.rated = False
        self._record(at, action_id, holder, status, deadlines)

    def send_back(self, reason: str, deadlines: DeadlineFn, at: datetime, by: str,
                  action_id: str) -> None:
        """发回重新办理: the result is unqualified; the lead department reworks it."""
        self.check_open(at, Action.RETURN)
        self.check_status((REPLY_SUBMITTED, PUBLISHED), Action.RETURN)
        assert self.lead is not None
        self._returned(reason=reason, at=at, by=by, action_id=action_id, holder=self.lead,
                       status=CLAIMED, deadlines=_resolve(deadlines))

    @event(EventType.RETURNED.value)
    def _returned(self, reason: str, at: datetime, by: str, action_id: str, holder: str,
                  status: str, deadlines: dict[str, Any]) -> None:
        self.rework_count += 1
        self.opinion_given = False
        self._record(at, action_id, holder, status, deadlines)

    def supervise(self, level: str, note: str, response_due: DueFn,
                  at: datetime, by: str,
                  action_id: str) -> None:
        """督办: a supervision notice to the department responsible."""
        self.check_open(at, Action.SUPERVISE)
        if self.lead is None:
            raise NotAssignedYet(self.number, Action.SUPERVISE)
        self.check_status((ASSIGNED, CLAIMED, DISPUTED, REPLY_SUBMITTED, PUBLISHED),
                          Action.SUPERVISE)
        self._supervised(level=level, note=note, department=self.lead,
                         response_due=_resolve(response_due).isoformat(), at=at, by=by,
                         action_id=action_id, holder=self.holder, status=self.status,
                         deadlines=self.deadlines)

    @event(EventType.SUPERVISED.value)
    def _supervised(self, level: str, note: str, department: str, response_due: str,
                    at: datetime, by: str, action_id: str, holder: str, status: str,
                    deadlines: dict[str, Any]) -> None:
        self._record(at, action_id, holder, status, deadlines)

    def rate(self, rating: str, channel: str, default: bool, at: datetime, by: str,
             action_id: str, resolved: bool | None = None,
             default_rating: str = DEFAULT_RATING) -> None:
        """满意度评价: the citizen's rating (and 是否解决), or the recorded default.

        A default may only be `default_rating` and never says whether the problem was solved;
        the citizen's own rating may still replace it (once); nothing replaces the citizen's.
        """
        self.check_open(at, Action.RATE)
        if rating not in RATINGS:
            raise InvalidRating(self.number, rating)
        if self.status not in (PUBLISHED, CLOSED):
            raise RateBeforeReply(self.number, self.status)
        if default and (rating != default_rating or resolved is not None):
            raise InvalidDefaultRating(self.number, rating, default_rating, resolved is not None)
        if self.rated and (default or not getattr(self, "rating_default", False)):
            raise AlreadyRated(self.number, self.rating or "")
        self._rated(rating=rating, channel=channel, default=default, at=at, by=by,
                    action_id=action_id, holder=self.holder, status=self.status,
                    deadlines=self.deadlines, resolved=resolved)

    @event(EventType.RATED.value)
    def _rated(self, rating: str, channel: str, default: bool, at: datetime, by: str,
               action_id: str, holder: str, status: str, deadlines: dict[str, Any],
               resolved: bool | None = None) -> None:
        self.rated, self.rating, self.rating_default = True, rating, default
        self._record(at, action_id, holder, status, deadlines)

    def close(self, at: datetime, by: str, action_id: str) -> None:
        """办结: the case is finished (requires a published reply)."""
        self.check_open(at, Action.CLOSE)
        if self.status != PUBLISHED:
            raise CloseBeforeReply(self.number, self.status)
        self._closed(at=at, by=by, action_id=action_id, holder=OFFICE, status=CLOSED,
                     deadlines=self.deadlines)

    @event(EventType.CLOSED.value)
    def _closed(self, at: datetime, by: str, action_id: str, holder: str, status: str,
                deadlines: dict[str, Any]) -> None:
        self._record(at, action_id, holder, status, deadlines)

    def archive(self, at: datetime, by: str, action_id: str) -> None:
        """归档: the closed case is filed; only AFTER_ARCHIVE actions (and erasure) may follow."""
        self.check_open(at, Action.ARCHIVE)
        self.check_status((CLOSED,), Action.ARCHIVE)
        self._archived(at=at, by=by, action_id=action_id, holder=OFFICE, status=ARCHIVED,
                       deadlines=self.deadlines)

    @event(EventType.ARCHIVED.value)
    def _archived(self, at: datetime, by: str, action_id: str, holder: str, status: str,
                  deadlines: dict[str, Any]) -> None:
        self._record(at, action_id, holder, status, deadlines)

    def refer_accountability(self, department: str, reason: str, at: datetime, by: str,
                             action_id: str) -> None:
        """问责: refer a department's handling of this case for accountability."""
        self.check_open(at, Action.REFER_ACCOUNTABILITY)
        if self.lead is None:
            raise NotAssignedYet(self.number, Action.REFER_ACCOUNTABILITY)
        self._referred(department=department, reason=reason, at=at, by=by,
                       action_id=action_id, holder=self.holder, status=self.status,
                       deadlines=self.deadlines)

    @event(EventType.REFERRED_FOR_ACCOUNTABILITY.value)
    def _referred(self, department: str, reason: str, at: datetime, by: str, action_id: str,
                  holder: str, status: str, deadlines: dict[str, Any]) -> None:
        self._record(at, action_id, holder, status, deadlines)

    def erase_personal_data(self, reason: str, at: datetime, by: str, action_id: str) -> None:
        """个人信息删除: the citizen's data is destroyed; the record of handling stays."""
        if at < self.last_at:
            raise ActionBeforePreviousEvent(self.number, at, self.last_at)
        self._erased(reason=reason, at=at, by=by, action_id=action_id, holder=self.holder,
                     status=self.status, deadlines=self.deadlines)

    @event(EventType.PERSONAL_DATA_ERASED.value)
    def _erased(self, reason: str, at: datetime, by: str, action_id: str, holder: str,
                status: str, deadlines: dict[str, Any]) -> None:
        self.citizen, self.content = {}, ""
        self.last_at = at
        self.action_ids.add(action_id)

    def revise_deadlines(self, new: dict[str, Any], arrangements: list[dict[str, Any]],
                         at: datetime, by: str, action_id: str) -> None:
        """期限修订: a holiday arrangement added or changed moves the stored deadlines."""
        if self.status == ARCHIVED:
            raise CaseArchived(self.number)
        if at < self.last_at:
            raise ActionBeforePreviousEvent(self.number, at, self.last_at)
        self._deadlines_revised(
            old=dict(self.deadlines), new=dict(new), calendar=str(new.get("calendar", "")),
            arrangements=list(arrangements), at=at, by=by, action_id=action_id,
            holder=self.holder, status=self.status, deadlines=dict(new))

    @event(EventType.DEADLINES_REVISED.value)
    def _deadlines_revised(self, old: dict[str, Any], new: dict[str, Any], calendar: str,
                           arrangements: list[dict[str, Any]], at: datetime, by: str,
                           action_id: str, holder: str, status: str,
                           deadlines: dict[str, Any]) -> None:
        self._record(at, action_id, holder, status, deadlines)

"""The one vocabulary: statuses, overdue stages, ratings, actions, event types and the office.

The values are contracts and stored data (the action format, stored event class names, the
read models' `status` and `holder` columns, the metrics JSON): code reads them from here and
never spells them again. The Chinese labels users read are in `domain/labels.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

OFFICE = "OFFICE"  # the coordination office's code wherever a unit (holder, lead) is named


class Status(StrEnum):
    """A case's status (the `status` of every event and of the read models)."""

    REGISTERED = "registered"
    ASSIGNED = "assigned"
    CLAIMED = "claimed"
    DISPUTED = "disputed"
    REPLY_SUBMITTED = "reply_submitted"
    PUBLISHED = "published"
    CLOSED = "closed"
    ARCHIVED = "archived"


STATUSES = tuple(Status)
# Statuses in which the citizen waits for an answer: the holder's clock runs.
WAITING = frozenset({Status.REGISTERED, Status.ASSIGNED, Status.CLAIMED, Status.DISPUTED,
                     Status.REPLY_SUBMITTED})


class Stage(StrEnum):
    """A stage whose deadline an open case can be overdue in (`overdue_stage`, metrics JSON)."""

    CLAIM = "claim"
    OPINION = "opinion"
    REPLY = "reply"
    APPROVAL = "approval"
    REASSIGNMENT = "reassignment"


STAGES = tuple(Stage)


class Rating(StrEnum):
    """The citizen's rating of the reply (满意度评价)."""

    SATISFIED = "满意"
    BASICALLY_SATISFIED = "基本满意"
    DISSATISFIED = "不满意"


RATINGS = tuple(Rating)
SATISFIED = (Rating.SATISFIED, Rating.BASICALLY_SATISFIED)  # count towards 满意率


class Action(StrEnum):
    """An action name: the action format's (docs/actions.md) and `erase` (the command)."""

    REGISTER = "register"
    ASSIGN = "assign"
    CLAIM = "claim"
    DISPUTE = "dispute"
    EXTEND = "extend"
    OPINION = "opinion"
    SUBMIT_REPLY = "submit_reply"
    PUBLISH_REPLY = "publish_reply"
    RETURN = "return"
    SUPERVISE = "supervise"
    RATE = "rate"
    CLOSE = "close"
    ARCHIVE = "archive"
    REFER_ACCOUNTABILITY = "refer_accountability"
    ERASE = "erase"


class EventType(StrEnum):
    """A stored event's type: the name of its class on `domain.case.Case`, as folds match it."""

    REGISTERED = "Registered"
    ASSIGNED = "Assigned"
    CLAIMED = "Claimed"
    DISPUTED = "Disputed"
    EXTENDED = "Extended"
    OPINION_GIVEN = "OpinionGiven"
    REPLY_SUBMITTED = "ReplySubmitted"
    REPLY_PUBLISHED = "ReplyPublished"
    RETURNED = "Returned"
    SUPERVISED = "Supervised"
    RATED = "Rated"
    CLOSED = "Closed"
    ARCHIVED = "Archived"
    REFERRED_FOR_ACCOUNTABILITY = "ReferredForAccountability"
    PERSONAL_DATA_ERASED = "PersonalDataErased"
    DEADLINES_REVISED = "DeadlinesRevised"


EVENT_TYPES = tuple(EventType)


class ExposureRule(StrEnum):
    """An exposure-list rule (the `rule` of an entry; `[exposure]` in wenzheng.toml)."""

    OVERDUE = "overdue"
    RETURNED = "returned"
    DISSATISFIED_AFTER_REWORK = "dissatisfied_after_rework"
    SUPERVISION_UNANSWERED = "supervision_unanswered"
    PASSED_ON = "passed_on"


@dataclass(frozen=True)
class ActionPath:
    """How one action name becomes a stored event: the Case method, the event, its handler."""

    action: Action
    method: str  # the command method on domain.case.Case
    event: EventType  # the stored event class
    handler: str  # the decorated method that records the event


# Every name is stored data or a contract; they differ where history made them differ
# (`return` → `send_back` → `Returned` → `_returned`). DeadlinesRevised has no action: the
# calendar revision records it (`revise_deadlines`).
ACTION_PATHS: dict[str, ActionPath] = {p.action: p for p in (
    ActionPath(Action.REGISTER, "__init__", EventType.REGISTERED, "__init__"),
    ActionPath(Action.ASSIGN, "assign", EventType.ASSIGNED, "_assigned"),
    ActionPath(Action.CLAIM, "claim", EventType.CLAIMED, "_claimed"),
    ActionPath(Action.DISPUTE, "dispute", EventType.DISPUTED, "_disputed"),
    ActionPath(Action.EXTEND, "extend", EventType.EXTENDED, "_extended"),
    ActionPath(Action.OPINION, "give_opinion", EventType.OPINION_GIVEN, "_opinion_given"),
    ActionPath(Action.SUBMIT_REPLY, "submit_reply", EventType.REPLY_SUBMITTED,
               "_reply_submitted"),
    ActionPath(Action.PUBLISH_REPLY, "publish_reply", EventType.REPLY_PUBLISHED,
               "_reply_published"),
    ActionPath(Action.RETURN, "send_back", EventType.RETURNED, "_returned"),
    ActionPath(Action.SUPERVISE, "supervise", EventType.SUPERVISED, "_supervised"),
    ActionPath(Action.RATE, "rate", EventType.RATED, "_rated"),
    ActionPath(Action.CLOSE, "close", EventType.CLOSED, "_closed"),
    ActionPath(Action.ARCHIVE, "archive", EventType.ARCHIVED, "_archived"),
    ActionPath(Action.REFER_ACCOUNTABILITY, "refer_accountability",
               EventType.REFERRED_FOR_ACCOUNTABILITY, "_referred"),
    ActionPath(Action.ERASE, "erase_personal_data", EventType.PERSONAL_DATA_ERASED, "_erased"),
)}
ACTION_EVENT: dict[str, EventType] = {action: path.event for action, path in ACTION_PATHS.items()}

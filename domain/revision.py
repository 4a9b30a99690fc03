"""Recomputing a case's deadlines under the current calendar (for `wenzheng calendar revise`).

Only the calendar changes: each deadline is recomputed from the event that set it, with the
time limits of the policy version stored with it (the configured one or a shipped default).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from domain.calendar import WorkingCalendar
from domain.policy import DeadlinePolicy, Deadlines, TimeLimits, limits_for
from domain.vocabulary import EventType, Status

# Statuses whose reply deadline is still ahead of the case (the reply not yet published).
OPEN_STATUSES = (Status.ASSIGNED, Status.CLAIMED, Status.REPLY_SUBMITTED)
# The events that set or clear deadlines.
DEADLINE_EVENTS = (EventType.ASSIGNED, EventType.RETURNED, EventType.EXTENDED, EventType.DISPUTED)


@dataclass(frozen=True)
class Recomputed:
    """The deadlines the case would have under the current calendar, or why there are none."""

    deadlines: Deadlines | None
    reason: str = ""


def recompute(events: Sequence[Any], priority: str, calendar: WorkingCalendar,
              configured: TimeLimits) -> Recomputed:
    """Replay the deadline-setting events of a case with the current calendar."""
    current = Deadlines()
    for event in events:
        kind = type(event).__qualname__.split(".")[-1]
        if kind not in DEADLINE_EVENTS:
            continue
        if kind == "Disputed":
            current = Deadlines()
            continue
        version = str((getattr(event, "deadlines", None) or {}).get("policy", ""))
        limits = limits_for(version, configured)
        if limits is None:
            return Recomputed(None, f"期限由未知的时限版本“{version}”生成，无法重算")
        policy = DeadlinePolicy(limits, calendar)
        if kind == EventType.ASSIGNED:
            current = policy.on_assign(priority, event.at)
        elif kind == EventType.RETURNED:
            current = policy.on_return(priority, event.at)
        elif current.reply is not None:
            current = policy.on_extend(current, int(event.working_days))
    return Recomputed(current)


def differs(stored: dict[str, Any], new: Deadlines) -> bool:
    """Whether the stored deadlines and the recomputed ones differ in a date or the mark."""
    old = Deadlines.from_dict(stored)
    return (old.claim, old.opinion, old.reply, old.provisional) != (
        new.claim, new.opinion, new.reply, new.provisional)


def arrangements_of(calendar: WorkingCalendar, deadlines: Deadlines) -> list[dict[str, Any]]:
    """The office arrangements (year, version, source) a deadline rests on."""
    found = []
    for arrangement in calendar.arrangements:
        if arrangement.version in deadlines.calendar.split("+"):
            found.append({"year": arrangement.year, "version": arrangement.version,
                          "source": arrangement.source})
    return found

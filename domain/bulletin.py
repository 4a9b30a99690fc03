"""The issued monthly bulletin as an aggregate: issued once per month, corrections recorded."""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import IntegrityError


def bulletin_id(month: str) -> UUID:
    """The bulletin of a month has one identity, so it can be issued only once."""
    return uuid5(NAMESPACE_URL, f"wenzheng:bulletin:{month}")


class Bulletin(Aggregate):
    """A month's bulletin as published: figures' provenance and content hash."""

    INITIAL_VERSION = 1

    @staticmethod
    def create_id(month: str, **_: Any) -> UUID:
        """Identity from the month."""
        return bulletin_id(month)

    @event("Issued")
    def __init__(self, month: str, rules_version: str, position: int, as_of: str,
                 content_hash: str, content: dict[str, Any], chain_position: int = 0,
                 chain_hash: str = "") -> None:
        self.month, self.rules_version, self.position = month, rules_version, position
        self.as_of, self.content_hash, self.content = as_of, content_hash, content
        self.chain_position, self.chain_hash = chain_position, chain_hash
        self.corrections: list[str] = []

    @event("Corrected")
    def correct(self, rules_version: str, position: int, content_hash: str,
                differences: list[str], content: dict[str, Any]) -> None:
        """Record a recomputation that differs from what was published, with the differences."""
        self.rules_version, self.position = rules_version, position
        self.content_hash, self.content = content_hash, content
        self.corrections.append(content_hash)


class BulletinLedger(Application[UUID]):
    """Records issued bulletins in their own event table (application name `bulletins`)."""

    name = "bulletins"

    def issue(self, month: str, rules_version: str, position: int, as_of: str,
              content_hash: str, content: dict[str, Any], chain: tuple[int, str] = (0, "")
              ) -> bool:
        """Record the bulletin as issued with the log's chain head; False if issued already."""
        if self.issued(month) is not None:
            return False
        try:
            self.save(Bulletin(month=month, rules_version=rules_version, position=position,
                               as_of=as_of, content_hash=content_hash, content=content,
                               chain_position=chain[0], chain_hash=chain[1]))
        except IntegrityError:
            return False  # another issuer won the race
        return True

    def correct(self, month: str, rules_version: str, position: int, content_hash: str,
                differences: list[str], content: dict[str, Any]) -> None:
        """Record a correction of an issued bulletin."""
        bulletin: Bulletin = self.repository.get(bulletin_id(month))
        bulletin.correct(rules_version=rules_version, position=position,
                         content_hash=content_hash, differences=differences, content=content)
        self.save(bulletin)

    def issued(self, month: str) -> dict[str, Any] | None:
        """The month's bulletin as recorded (latest content), or None."""
        try:
            b: Bulletin = self.repository.get(bulletin_id(month))
        except AggregateNotFoundError:
            return None
        return {"month": b.month, "rules_version": b.rules_version, "position": b.position,
                "as_of": b.as_of, "content_hash": b.content_hash, "content": b.content,
                "corrections": list(b.corrections), "version": b.version,
                "chain_position": getattr(b, "chain_position", 0),
                "chain_hash": getattr(b, "chain_hash", "")}

    def months(self) -> list[str]:
        """Every month with an issued bulletin, in order."""
        found = []
        for n in self.recorder.select_notifications(start=None, limit=1_000_000):
            if n.topic.endswith("Bulletin.Issued"):
                found.append(self.mapper.to_domain_event(n).month)  # type: ignore[attr-defined]
        return sorted(found)

    def history(self, month: str) -> list[dict[str, Any]]:
        """Every recorded event of a month's bulletin (issue, then corrections)."""
        out = []
        for e in self.events.get(bulletin_id(month)):
            data = {k: v for k, v in e.__dict__.items() if k not in ("content", "originator_id")}
            out.append({"type": type(e).__qualname__.split(".")[-1], **data})
        return out

"""Hashes of the tamper-evident log: one chain per case and one running chain over all events."""

from __future__ import annotations

import hashlib
from typing import NamedTuple
from uuid import UUID

GENESIS = bytes(32)
SCHEME = b"wenzheng-chain-v1"


def content_hash(topic: str, state: bytes) -> bytes:
    """The digest of one stored event's topic and state bytes."""
    topic_bytes = topic.encode("utf-8")
    h = hashlib.sha256(SCHEME)
    h.update(len(topic_bytes).to_bytes(4, "big"))
    h.update(topic_bytes)
    h.update(state)
    return h.digest()


def event_hash(previous: bytes, originator_id: UUID, version: int, content: bytes) -> bytes:
    """The case chain's link: the previous event's hash, the event's place and its content."""
    h = hashlib.sha256(SCHEME)
    h.update(previous)
    h.update(originator_id.bytes)
    h.update(version.to_bytes(8, "big"))
    h.update(content)
    return h.digest()


def chain_hash(previous: bytes, notification_id: int, event: bytes) -> bytes:
    """The global chain's link: the previous head, the event's position and its hash."""
    h = hashlib.sha256(SCHEME)
    h.update(previous)
    h.update(notification_id.to_bytes(8, "big"))
    h.update(event)
    return h.digest()


class Link(NamedTuple):
    """The chain row written beside one stored event."""

    notification_id: int
    originator_id: UUID
    version: int
    content: bytes
    event: bytes
    chain: bytes


def first_versions(originators: list[tuple[UUID, int]]) -> dict[UUID, int]:
    """Each case's lowest version in a batch of (case id, version)."""
    firsts: dict[UUID, int] = {}
    for oid, version in originators:
        firsts[oid] = min(firsts.get(oid, version), version)
    return firsts


def link_batch(
    events: list[tuple[int, UUID, int, str, bytes]],
    case_heads: dict[UUID, bytes],
    global_head: bytes,
) -> list[Link]:
    """Chain a batch of (notification id, case id, version, topic, state) in notification order.

    case_heads holds the hash of each case's event just before the batch (absent: the case is new).
    """
    links: list[Link] = []
    heads = dict(case_heads)
    head = global_head
    for notification_id, originator_id, version, topic, state in sorted(events):
        content = content_hash(topic, state)
        previous = heads.get(originator_id, GENESIS) if version > 1 else GENESIS
        link_event = event_hash(previous, originator_id, version, content)
        head = chain_hash(head, notification_id, link_event)
        heads[originator_id] = link_event
        links.append(Link(notification_id, originator_id, version, content, link_event, head))
    return links

"""Verification of the hash-chained log: each case's chain, the global chain, bulletin anchors."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import groupby
from uuid import UUID

from domain.case import case_id
from wenzheng.store.chain import GENESIS, chain_hash, content_hash, event_hash
from wenzheng.store.source import EventRow, LinkRow, Source

MODIFIED, DELETED, INSERTED, REORDERED, CHAIN, CASE_DELETED, REMOVED = (
    "modified", "deleted", "inserted", "reordered", "chain", "case_deleted", "removed")
KIND_NAMES = {MODIFIED: "被篡改", DELETED: "被删除", INSERTED: "被插入", REORDERED: "顺序被调换",
              CHAIN: "全局链断裂", CASE_DELETED: "整个案件被删除", REMOVED: "连同链记录被删除"}
NOBODY = UUID(int=0)


@dataclass(frozen=True)
class Problem:
    """One place where the stored log differs from what the system wrote."""

    kind: str
    case_id: UUID
    version: int
    detail: str
    case: str = ""

    def describe(self) -> str:
        """A one-line Chinese description naming the case and the version."""
        name = self.case or self.case_id.hex
        if self.kind == CASE_DELETED:
            return f"案件 {name} 已被整个删除：{self.detail}"
        if self.kind == REMOVED:
            return f"日志中的事件连同链记录被删除：{self.detail}"
        return f"案件 {name} 第 {self.version} 个事件{KIND_NAMES[self.kind]}：{self.detail}"


@dataclass
class Report:
    """The outcome of a verification run."""

    events: int = 0
    cases: int = 0
    head_position: int = 0
    head_hash: str = ""
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the log is exactly as the system wrote it."""
        return not self.problems


def check_case(events: list[EventRow], links: list[LinkRow]) -> list[Problem]:
    """Compare one case's stored events with its chain rows (each link checked locally)."""
    problems: list[Problem] = []
    by_version = {link[1]: link for link in links}
    contents = {link[2]: link[1] for link in links}
    seen: set[int] = set()
    for oid, version, topic, state, position in events:
        seen.add(version)
        link = by_version.get(version)
        if link is None:
            problems.append(Problem(INSERTED, oid, version, "存储中有此事件，但链中没有它的记录"))
            continue
        digest = content_hash(topic, state)
        if digest != link[2]:
            other = contents.get(digest)
            if other is not None and other != version:
                problems.append(Problem(REORDERED, oid, version,
                                        f"内容与链中第 {other} 个事件相同"))
            else:
                problems.append(Problem(MODIFIED, oid, version, "内容与链中记录的哈希不符"))
        elif position != link[4]:
            problems.append(Problem(REORDERED, oid, version,
                                    f"日志位置 {position} 与链中位置 {link[4]} 不符"))
    if links and not events:
        return [Problem(CASE_DELETED, links[0][0], 0, f"链中记录了 {len(links)} 个事件，"
                        "存储中一个也没有")]
    for _, version, _, _, _ in links:
        if version not in seen:
            problems.append(Problem(DELETED, links[0][0], version, "链中有记录，存储中已无此事件"))
    problems.extend(_check_links(links))
    return problems


def _check_links(links: list[LinkRow]) -> Iterator[Problem]:
    """Each chain row must hash from the row before it; versions must run 1, 2, 3…"""
    previous, expected = GENESIS, 1
    for oid, version, content, digest, _ in links:
        if version != expected:
            for missing in range(expected, version):
                yield Problem(DELETED, oid, missing, "事件及其链记录均已不见")
        if digest != event_hash(previous, oid, version, content):
            yield Problem(MODIFIED, oid, version, "链记录与前一事件的哈希不符")
        previous, expected = digest, version + 1


def _grouped(rows: Iterator[tuple[UUID, ...]]) -> Iterator[tuple[UUID, list[tuple]]]:
    """Rows grouped by their leading case id."""
    for oid, group in groupby(rows, key=lambda r: r[0]):
        yield oid, list(group)


def _merged(events: Iterator[EventRow], links: Iterator[LinkRow]
            ) -> Iterator[tuple[UUID, list[EventRow], list[LinkRow]]]:
    """Both case-ordered streams, joined case by case."""
    ev, ln = _grouped(events), _grouped(links)  # type: ignore[arg-type]
    e, k = next(ev, None), next(ln, None)
    while e is not None or k is not None:
        if k is None or (e is not None and str(e[0]) < str(k[0])):
            assert e is not None
            yield e[0], e[1], []
            e = next(ev, None)
        elif e is None or str(k[0]) < str(e[0]):
            yield k[0], [], k[1]
            k = next(ln, None)
        else:
            yield e[0], e[1], k[1]
            e, k = next(ev, None), next(ln, None)


def check_global(rows: Iterator[tuple[int, UUID, int, bytes, bytes]], report: Report) -> None:
    """The running chain: each head hashes from the one before it; the last is the head."""
    head, last = GENESIS, 0
    for position, oid, version, digest, recorded in rows:
        if recorded != chain_hash(head, position, digest):
            if position > last + 1:
                report.problems.append(Problem(
                    REMOVED, NOBODY, 0,
                    f"位置 {last + 1} 至 {position - 1} 之间的事件及其链记录已不见，"
                    f"全局链在位置 {position} 处断开"
                    "（被删的是哪些案件，需以发布的锚点核对：verify --anchors）"))
            else:
                report.problems.append(
                    Problem(CHAIN, oid, version, f"全局链在位置 {position} 处与前一位置不衔接"))
        head, last = recorded, position
        report.head_position, report.head_hash = position, recorded.hex()


def _name(source: Source, oid: UUID) -> str:
    """The case number, read from the case's first stored event when it is still there."""
    state = source.first_state(oid)
    try:
        return str(json.loads(state)["number"]) if state else ""
    except (ValueError, KeyError, TypeError):
        return ""


def verify_store(env: dict[str, str],
                 progress: Callable[[int, int], None] | None = None) -> Report:
    """Check every case's chain and the global chain of the store described by env."""
    report = Report()
    with Source(env) as source:
        for _oid, events, links in _merged(source.events_by_case(), source.links_by_case()):
            report.cases += 1
            report.events += len(events)
            report.problems.extend(check_case(events, links))
            if progress is not None and report.cases % 10000 == 0:
                progress(report.cases, report.events)
        check_global(source.links_by_position(), report)
        report.problems = [_named(source, p) for p in report.problems]
    return report


def verify_case(env: dict[str, str], number: str) -> Report:
    """Check one case's chain (the integrity state shown in the audit view)."""
    oid = case_id(number)
    report = Report(cases=1)
    with Source(env) as source:
        events, links = list(source.events_by_case(oid)), list(source.links_by_case(oid))
        report.events = len(events)
        report.problems = [Problem(p.kind, p.case_id, p.version, p.detail, number)
                           for p in check_case(events, links)]
    return report


def check_anchor(env: dict[str, str], position: int, digest_hex: str) -> bool:
    """Whether the global chain still holds the head a bulletin recorded."""
    if position == 0:
        return True
    with Source(env) as source:
        recorded = source.chain_at(position)
    return recorded is not None and recorded.hex() == digest_hex


def head_at(env: dict[str, str], position: int) -> tuple[int, str]:
    """The global chain's head at or before a log position: (position, hash hex)."""
    if env.get("PERSISTENCE_MODULE") not in ("eventsourcing.sqlite", "eventsourcing.postgres"):
        return 0, ""
    with Source(env) as source:
        found = source.head_at(position)
    return (found[0], found[1].hex()) if found else (0, "")


def _named(source: Source, p: Problem) -> Problem:
    """The problem with its case number filled in."""
    if p.case_id == NOBODY:
        return p
    return Problem(p.kind, p.case_id, p.version, p.detail, p.case or _name(source, p.case_id))

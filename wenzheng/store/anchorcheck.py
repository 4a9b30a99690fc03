"""The log checked against published, signed checkpoints: heads, counts and every case's head."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from wenzheng.store.anchor import check_signature
from wenzheng.store.source import Source
from wenzheng.store.verify import CASE_DELETED, DELETED, MODIFIED, Problem


@dataclass
class AnchorReport:
    """What the checkpoints say about the log: messages on heads and counts, per-case problems."""

    checked: int = 0
    latest: str = ""
    messages: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _label(path: Path, cp: dict[str, Any]) -> str:
    """How a checkpoint is named in messages."""
    return f"锚点 {path.name}（签发于 {cp.get('issued_at', '?')}，位置 {cp.get('position', '?')}）"


def check_anchors(env: dict[str, str], checkpoints: list[tuple[Path, dict[str, Any]]],
                  public: Ed25519PublicKey) -> AnchorReport:
    """Every checkpoint's head and count; the latest valid one's case heads, case by case."""
    report = AnchorReport()
    valid = []
    for path, cp in checkpoints:
        if check_signature(cp, public):
            valid.append((path, cp))
        else:
            report.messages.append(f"{_label(path, cp)} 的签名无效：不是持有私钥的监督部门签发的，"
                                   "或签发后被改动，未采用")
    report.checked = len(valid)
    if not valid:
        return report
    with Source(env) as source:
        for path, cp in valid:
            report.messages.extend(_head_messages(source, path, cp))
        path, latest = max(valid, key=lambda item: int(item[1]["position"]))
        report.latest = _label(path, latest)
        short = f"锚点（{str(latest.get('issued_at', '?'))[:16]}，位置 {latest['position']}）"
        report.problems = list(_case_problems(source, latest, short))
    return report


def _head_messages(source: Source, path: Path, cp: dict[str, Any]) -> list[str]:
    """Whether the chain still holds the checkpoint's head, and as many events up to it."""
    position = int(cp["position"])
    if position == 0:
        return []
    found = []
    recorded = source.chain_at(position)
    if recorded is None or recorded.hex() != cp["head"]:
        found.append(f"{_label(path, cp)} 记录的日志链头已不在日志中："
                     "该位置及之前的历史被改写或删除")
    count = source.count_upto(position)
    if count != int(cp["events"]):
        found.append(f"{_label(path, cp)} 记录位置 {position} 及之前有 {cp['events']} 个事件，"
                     f"日志中现有 {count} 个：{int(cp['events']) - count} 个事件连同链记录被删除"
                     if count < int(cp["events"]) else
                     f"{_label(path, cp)} 记录位置 {position} 及之前有 {cp['events']} 个事件，"
                     f"日志中现有 {count} 个：有事件被插入到已签发的历史中")
    return found


def _case_problems(source: Source, cp: dict[str, Any], label: str) -> Any:
    """Each case the checkpoint knows: its head version still there, with the same hash."""
    heads: dict[str, list[Any]] = cp.get("case_heads", {})
    seen: set[str] = set()
    for oid, rows in groupby(source.links_by_case(), key=lambda r: r[0]):
        entry = heads.get(oid.hex)
        if entry is None:
            continue
        seen.add(oid.hex)
        number, version, digest = str(entry[0]), int(entry[1]), str(entry[2])
        hashes = {v: d.hex() for _, v, _, d, _ in rows}
        missing = [v for v in range(1, version + 1) if v not in hashes]
        for v in missing:
            yield Problem(DELETED, oid, v, f"{label}签发时有此事件，现已连同链记录被删除", number)
        if not missing and hashes[version] != digest:
            yield Problem(MODIFIED, oid, version, f"案件链与{label}记录的链头不符：此事件或之前的"
                          "事件被改写，链被重新计算过", number)
    for hex_id in sorted(set(heads) - seen):
        number, version = str(heads[hex_id][0]), int(heads[hex_id][1])
        yield Problem(CASE_DELETED, UUID(hex_id), 0,
                      f"{label}签发时此案件有 {version} 个事件，现在日志中一个也没有", number)

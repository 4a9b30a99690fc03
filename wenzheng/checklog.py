"""The record of integrity checks: one timestamped, hash-linked JSON line per `verify` run."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

NAME = "integrity-checks.jsonl"
GENESIS = "0" * 64


def _digest(line: str) -> str:
    """SHA-256 of one stored line."""
    return hashlib.sha256(line.encode("utf-8")).hexdigest()


def record(root: Path, at: datetime, entry: dict[str, Any]) -> None:
    """Append a check's outcome, linked to the line before it (best effort: never fails a run)."""
    path = root / NAME
    try:
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        previous = _digest(lines[-1]) if lines else GENESIS
        line = json.dumps({"at": at.isoformat(timespec="seconds"), **entry, "prev": previous},
                          ensure_ascii=False, sort_keys=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as f:
            f.write(line + "\n")
    except OSError:
        pass


def last(root: Path) -> dict[str, Any] | None:
    """The latest check of each kind merged: {'log': …, 'read_models': …, 'intact': bool}."""
    path = root / NAME
    if not path.exists():
        return None
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    found: dict[str, Any] = {"intact": True}
    previous = GENESIS
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            found["intact"] = False
            continue
        if entry.get("prev") != previous:
            found["intact"] = False
        previous = _digest(line)
        found[str(entry.get("kind", "log"))] = entry
    return found


def describe(found: dict[str, Any] | None) -> list[str]:
    """Chinese lines for status and the 系统状态 page: when each check last ran, what it found."""
    if not found:
        return ["尚未运行过完整性校验（wenzheng verify）"]
    lines = []
    for kind, name in (("log", "日志完整性校验"), ("read_models", "读模型核对")):
        entry = found.get(kind)
        if entry is None:
            lines.append(f"{name}：尚未运行")
            continue
        outcome = "通过" if entry.get("ok") else f"发现 {entry.get('problems', 0)} 处问题"
        anchors = entry.get("anchors")
        extra = f"，核对了 {anchors} 个已签发锚点" if anchors else ""
        lines.append(f"{name}：{entry['at'][:16].replace('T', ' ')} {outcome}{extra}")
    if not found.get("intact", True):
        lines.append("校验记录文件的前后链接不符：记录被改动过")
    return lines


def warnings(found: dict[str, Any] | None) -> list[str]:
    """Warnings worth showing prominently: a failed last check or an altered record."""
    out = []
    for kind, name in (("log", "日志完整性校验"), ("read_models", "读模型核对")):
        entry = (found or {}).get(kind)
        if entry and not entry.get("ok"):
            first = entry.get("first") or []
            out.append(f"最近一次{name}（{entry['at'][:16].replace('T', ' ')}）未通过："
                       + "；".join(first[:3]))
    if found and not found.get("intact", True):
        out.append("校验记录文件的前后链接不符：记录被改动过")
    return out


def findings(found: dict[str, Any] | None) -> list[str]:
    """The first problems each latest check recorded."""
    return [str(line) for kind in ("log", "read_models")
            for line in ((found or {}).get(kind) or {}).get("first", [])]

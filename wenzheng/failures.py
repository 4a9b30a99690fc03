"""Every error a command can meet, as one Chinese line and a documented exit status (README)."""

from __future__ import annotations

import errno
import os
import re
import sqlite3

# Exit statuses (README.md, "Exit statuses").
OK, REJECTED, USAGE, STORE, DISK, INTERNAL, INTERRUPTED = 0, 1, 2, 3, 4, 70, 130

_URL_SECRET = re.compile(r"(://[^:/@\s]*:)[^@\s]*@")
_DISK = (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)
_ISO = re.compile(r"Invalid isoformat string: ('.*')")


def hide_secrets(text: str) -> str:
    """Text with the database password (from any URL or from the environment) replaced by ***."""
    text = _URL_SECRET.sub(r"\1***@", text)
    for name in ("WENZHENG_DATABASE_URL", "POSTGRES_PASSWORD", "WENZHENG_KEK"):
        value = os.environ.get(name, "")
        if name.endswith("_URL"):
            value = value.rsplit("@", 1)[0].split("://", 1)[-1].partition(":")[2] if (
                "@" in value) else ""
        secret = value
        if len(secret) >= 3:
            text = text.replace(secret, "***")
    return text


def _first_line(exc: BaseException) -> str:
    """The exception's message, one line, without secrets."""
    lines = [s.strip() for s in str(exc).splitlines() if s.strip()]
    return hide_secrets(lines[0] if lines else type(exc).__name__)


def _is_store_error(exc: BaseException) -> bool:
    """An error of the event store or of a database driver."""
    if isinstance(exc, sqlite3.Error):
        return True
    module = type(exc).__module__ or ""
    return module.startswith(("psycopg", "eventsourcing"))


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and its causes (drivers' errors wrapped by the store library)."""
    found: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in found and len(found) < 10:
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


def _disk_full(exc: BaseException) -> bool:
    """A write refused for lack of space, a file-size limit or a failing disk."""
    if isinstance(exc, OSError) and exc.errno in _DISK:
        return True
    if isinstance(exc, sqlite3.Error) and str(getattr(exc, "sqlite_errorname", "")).startswith(
            ("SQLITE_FULL", "SQLITE_IOERR")):
        return True
    text = str(exc).lower()
    return any(s in text for s in ("disk is full", "no space left", "file too large",
                                   "disk i/o error", "could not extend file"))


def explain(exc: BaseException) -> tuple[int, str]:
    """The exit status and the one Chinese line for an exception that ended a command."""
    # imported here, not at the top: `wenzheng --help` need not load the store and the calendar
    from domain.calendar import CalendarNotCovered
    from domain.errors import CaseError
    from projections.schema import ReadModelsOutdated
    from wenzheng.config import ConfigError
    from wenzheng.store.kek import KekError
    from wenzheng.store.pgconnect import StoreUnavailable

    if isinstance(exc, KeyboardInterrupt):
        return INTERRUPTED, "已中断"
    if isinstance(exc, ConfigError):
        return USAGE, f"配置错误：{hide_secrets(str(exc))}"
    if isinstance(exc, ReadModelsOutdated):
        return USAGE, str(exc)
    if isinstance(exc, StoreUnavailable):
        return STORE, hide_secrets(str(exc))
    if isinstance(exc, CalendarNotCovered):
        return USAGE, f"日历错误：{_first_line(exc)}"
    if isinstance(exc, CaseError):
        return REJECTED, _first_line(exc)
    if isinstance(exc, KekError):
        return USAGE, f"密钥错误：{_first_line(exc)}"
    if any(_disk_full(e) for e in _chain(exc)):
        return DISK, ("写入磁盘失败（空间不足、超出文件大小限制或磁盘故障），本批未写入；"
                      "已写入的批次完整，腾出空间后重新运行即可")
    if any(isinstance(e, sqlite3.DatabaseError) and not isinstance(e, sqlite3.OperationalError)
           for e in _chain(exc)):
        return STORE, f"数据库文件损坏或不是数据库（{_first_line(exc)}）；请从备份恢复"
    if _is_store_error(exc):
        text = _first_line(exc)
        if "malformed" in text or "not a database" in text:
            return STORE, f"数据库文件损坏或不是数据库（{text}）；请从备份恢复"
        return STORE, f"无法使用数据库：{text}"
    if isinstance(exc, OSError):
        where = f"：{exc.filename}" if exc.filename else ""
        return DISK, f"读写文件失败{where}（{exc.strerror or _first_line(exc)}）"
    if isinstance(exc, ValueError):
        text = _ISO.sub(r"时间 \1 应为 ISO 8601，如 2025-12-31T23:59:59+08:00", _first_line(exc))
        return USAGE, f"参数错误：{text}"
    return INTERNAL, f"内部错误（{type(exc).__name__}）：{_first_line(exc)}；请报告此问题"

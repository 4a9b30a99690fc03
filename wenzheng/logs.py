"""Services' log lines: one format (time, level, service, message, key=value fields) on stderr."""

from __future__ import annotations

import logging
import os
import sys
import time
from typing import Any, TextIO

# Loggers are named "wenzheng.<service>" (relay, intake, projector, follow); fields come as
# `extra={"fields": {"case": …, "position": …}}` and are appended as key=value, so a log can be
# grepped by service, case or position.
ROOT = "wenzheng"
FORMAT = "%(asctime)s %(levelname)s %(service)s %(message)s%(kv)s"
LEVEL_ENV = "WENZHENG_LOG_LEVEL"


def service_logger(service: str) -> logging.Logger:
    """The logger of one service (relay, intake, projector, follow)."""
    return logging.getLogger(f"{ROOT}.{service}")


def fields(**values: Any) -> dict[str, Any]:
    """The `extra` argument carrying key=value fields for a log call."""
    return {"fields": values}


class KeyValueFormatter(logging.Formatter):
    """The one format: UTC time, level, service, message, then key=value fields; no secrets."""

    converter = staticmethod(time.gmtime)

    def __init__(self) -> None:
        super().__init__(FORMAT, datefmt="%Y-%m-%dT%H:%M:%SZ")

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line, with the database password and the KEK shown as ***."""
        from wenzheng.failures import hide_secrets

        record.service = record.name.removeprefix(f"{ROOT}.")
        values = getattr(record, "fields", None) or {}
        record.kv = "".join(f" {k}={_value(v)}" for k, v in values.items())
        return hide_secrets(super().format(record))


def _value(value: Any) -> str:
    """A field's value with no space in it, so `key=value` stays one token."""
    return str(value).replace(" ", "_") if value is not None else "-"


class StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to the current sys.stderr (which tests and redirections may replace)."""

    @property
    def stream(self) -> TextIO:
        """Standard error as it is now."""
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        """Ignored: the stream is always the current standard error."""


def setup_logging(level: str | None = None) -> None:
    """Send the services' log lines to stderr in the one format (once per process)."""
    root = logging.getLogger(ROOT)
    if not any(isinstance(h, StderrHandler) for h in root.handlers):
        handler = StderrHandler()
        handler.setFormatter(KeyValueFormatter())
        root.addHandler(handler)  # records still propagate (pytest's caplog sees them)
    root.setLevel((level or os.environ.get(LEVEL_ENV) or "INFO").upper())

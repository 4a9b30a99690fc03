"""Long-lived connections shared by every session (st.cache_resource), each behind a lock."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

import streamlit as st

from domain.bulletin import BulletinLedger
from domain.service import CaseService
from projections.db import Database
from projections.schema import ensure_tables
from wenzheng.bootstrap.readside import open_readmodels
from wenzheng.bootstrap.scorer import open_ledger
from wenzheng.bootstrap.service import open_service
from wenzheng.home import Home
from wenzheng.webapp.viewlog import ensure_viewlog

T = TypeVar("T")


@dataclass
class Guarded(Generic[T]):
    """A connection (or application) used by one session thread at a time."""

    value: T
    lock: threading.RLock = field(default_factory=threading.RLock)

    @contextmanager
    def use(self) -> Iterator[T]:
        """Hold the lock while the value is used."""
        with self.lock:
            yield self.value


def home_key() -> tuple[str, str]:
    """What identifies the data the app shows: the home folder and the database URL."""
    return (str(Home.resolve().root), os.environ.get("WENZHENG_DATABASE_URL", "").strip())


def home_of(key: tuple[str, str]) -> Home:
    """The Home of a key."""
    return Home(Path(key[0]))


def _alive(guarded: Guarded[Database]) -> bool:
    """A PostgreSQL connection that was closed or broke (server restart) is opened again."""
    conn = guarded.value.conn
    return not (getattr(conn, "closed", False) or getattr(conn, "broken", False))


@st.cache_resource(show_spinner=False, validate=_alive)
def readmodels(key: tuple[str, str]) -> Guarded[Database]:
    """The read-model database (tables created if missing, so an empty home shows nothing)."""
    db = open_readmodels(home_of(key))
    ensure_tables(db)
    ensure_viewlog(db)
    return Guarded(db)


@st.cache_resource(show_spinner=False)
def service(key: tuple[str, str]) -> Guarded[CaseService]:
    """The case service on the home's event store (for personal data and store positions)."""
    return Guarded(open_service(home_of(key)))


@st.cache_resource(show_spinner=False)
def ledger(key: tuple[str, str]) -> Guarded[BulletinLedger]:
    """The issued bulletins."""
    return Guarded(open_ledger(home_of(key)))


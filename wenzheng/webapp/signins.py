"""Server-side sign-in state in HOME/signin.sqlite: failed attempts and signed-in sessions.

Failures count per account and per client across browser sessions and app restarts, so a new
session does not start a new count. A session is an opaque random token kept by the browser in
a cookie; only its SHA-256 is stored, with the user, and it ends after a time without use.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("wenzheng.signin")
FILE = "signin.sqlite"
ACCOUNT_LIMIT, CLIENT_LIMIT, WINDOW_SECONDS = 5, 20, 15 * 60
IDLE_MINUTES, MAX_HOURS = 30, 12
_SCHEMA = """
CREATE TABLE IF NOT EXISTS signin_failures (at REAL NOT NULL, account TEXT NOT NULL,
                                            client TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS signin_failures_account ON signin_failures (account, at);
CREATE INDEX IF NOT EXISTS signin_failures_client ON signin_failures (client, at);
CREATE TABLE IF NOT EXISTS app_sessions (token_sha256 TEXT PRIMARY KEY, username TEXT NOT NULL,
    role TEXT NOT NULL, created REAL NOT NULL, last_seen REAL NOT NULL);
"""


@dataclass(frozen=True)
class Limits:
    """How many failures within the window lock an account or a client out."""

    account: int = ACCOUNT_LIMIT
    client: int = CLIENT_LIMIT
    window: float = WINDOW_SECONDS


@dataclass(frozen=True)
class Resumed:
    """A stored session found by its token."""

    username: str
    role: str


def store_path(home_root: Path) -> Path:
    """HOME/signin.sqlite."""
    return home_root / FILE


@contextmanager
def _open(path: Path) -> Iterator[sqlite3.Connection]:
    """The store (created owner-only), in one transaction."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    conn = sqlite3.connect(path, timeout=10)
    try:
        conn.executescript(_SCHEMA)
        with conn:
            yield conn
    finally:
        conn.close()


def _locked_for(conn: sqlite3.Connection, column: str, value: str, limit: int, window: float,
                now: float) -> float:
    """Seconds until the `limit`-th latest failure leaves the window (0 when not locked)."""
    rows = conn.execute(f"SELECT at FROM signin_failures WHERE {column} = ? AND at > ? "
                        "ORDER BY at DESC LIMIT ?", (value, now - window, limit)).fetchall()
    if len(rows) < limit:
        return 0.0
    return max(rows[-1][0] + window - now, 0.0)


def locked_for(path: Path, account: str, client: str, now: float,
               limits: Limits = Limits()) -> float:
    """Seconds the account or the client must still wait (0 when sign-in may be tried)."""
    with _open(path) as conn:
        return max(_locked_for(conn, "account", account, limits.account, limits.window, now),
                   _locked_for(conn, "client", client, limits.client, limits.window, now))


def record_failure(path: Path, account: str, client: str, now: float, why: str) -> None:
    """Store a failed attempt and log it (never the password)."""
    with _open(path) as conn:
        conn.execute("INSERT INTO signin_failures VALUES (?, ?, ?)", (now, account, client))
        conn.execute("DELETE FROM signin_failures WHERE at < ?", (now - 7 * 86400,))
    log.warning("sign-in failed: account=%r client=%r reason=%s", account, client, why)


def record_success(path: Path, account: str, client: str) -> None:
    """Clear the account's failures after a correct password, and log the sign-in."""
    with _open(path) as conn:
        conn.execute("DELETE FROM signin_failures WHERE account = ?", (account,))
    log.info("signed in: account=%r client=%r", account, client)


def clear_failures(path: Path, account: str) -> int:
    """Lift an account's lockout (`wenzheng user unlock`); how many failures were cleared."""
    if not path.exists():
        return 0
    with _open(path) as conn:
        cleared = conn.execute("DELETE FROM signin_failures WHERE account = ?", (account,))
    log.info("lockout lifted: account=%r failures=%d", account, cleared.rowcount)
    return int(cleared.rowcount)


def _digest(token: str) -> str:
    """SHA-256 of a token, as stored."""
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def open_session(path: Path, username: str, role: str, now: float) -> str:
    """A new random session token for the user (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    with _open(path) as conn:
        conn.execute("INSERT INTO app_sessions VALUES (?, ?, ?, ?, ?)",
                     (_digest(token), username, role, now, now))
        conn.execute("DELETE FROM app_sessions WHERE last_seen < ?", (now - MAX_HOURS * 3600,))
    return token


def resume(path: Path, token: str, now: float, idle_minutes: float = IDLE_MINUTES,
           touch: bool = True) -> Resumed | None:
    """The session of a token if it was used within the idle time (and marks it used now)."""
    if not token or not path.exists():
        return None
    with _open(path) as conn:
        row = conn.execute("SELECT username, role, created, last_seen FROM app_sessions "
                           "WHERE token_sha256 = ?", (_digest(token),)).fetchone()
        if row is None:
            return None
        if now - row[3] > idle_minutes * 60 or now - row[2] > MAX_HOURS * 3600:
            conn.execute("DELETE FROM app_sessions WHERE token_sha256 = ?", (_digest(token),))
            log.info("session expired: account=%r", row[0])
            return None
        if touch and now - row[3] > 30:  # at most one write a half-minute per session
            conn.execute("UPDATE app_sessions SET last_seen = ? WHERE token_sha256 = ?",
                         (now, _digest(token)))
    return Resumed(str(row[0]), str(row[1]))


def close_session(path: Path, token: str) -> None:
    """Forget a session (signing out): its token no longer resumes anything."""
    if token and path.exists():
        with _open(path) as conn:
            conn.execute("DELETE FROM app_sessions WHERE token_sha256 = ?", (_digest(token),))

"""The machine a run was measured on: CPU, cores, memory, versions, load and the repository."""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.proc import REPO

PACKAGES = ("eventsourcing", "psycopg", "kafka-python", "pydantic", "streamlit")


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (or the platform's guess)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_gib() -> float | None:
    """Total memory in GiB from /proc/meminfo."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def postgres_version(url: str) -> str | None:
    """The PostgreSQL server's version string, or None when it does not answer."""
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=5) as conn:
            row = conn.execute("SHOW server_version").fetchone()
            return str(row[0]) if row else None
    except Exception:
        return None


def git_state() -> dict[str, Any]:
    """The repository's commit and whether the work tree had changes."""
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True,
                              check=False, timeout=30)
        return done.stdout.strip()
    return {"commit": git("rev-parse", "HEAD"),
            "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}


def versions() -> dict[str, str]:
    """Versions of the libraries whose speed is measured."""
    out = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "missing"
    return out


def describe(postgres_url: str, kafka: str) -> dict[str, Any]:
    """Everything about the machine that a reader of the numbers needs."""
    cores = os.cpu_count() or 0
    load = load_average()
    return {
        "date": datetime.now(UTC).astimezone().isoformat(timespec="seconds"),
        "host": platform.node(),
        "cpu": cpu_model(),
        "cores": cores,
        "memory_gib": memory_gib(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgres": postgres_version(postgres_url),
        "kafka": kafka,
        "packages": versions(),
        "load_at_start": load,
        "loaded": bool(load) and load[0] > 0.5 * max(cores, 1),
        "git": git_state(),
    }

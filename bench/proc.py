"""Child processes with their own peak memory: each measurement runs in one (os.wait4)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


@dataclass
class Finished:
    """A child that ended: exit status, wall time and peak resident memory (MiB)."""

    returncode: int
    seconds: float
    peak_rss_mib: float
    output: str = ""


@dataclass
class Child:
    """A running child process whose peak RSS is read when it is reaped."""

    argv: list[str]
    env: dict[str, str]
    log: Path | None = None
    process: subprocess.Popen[bytes] = field(init=False)
    started: float = field(init=False)

    def __post_init__(self) -> None:
        out = self.log.open("ab") if self.log else None
        try:
            self.process = subprocess.Popen(self.argv, env=self.env, cwd=REPO, stdout=out,
                                            stderr=subprocess.STDOUT if out else None)
        finally:
            if out:
                out.close()
        self.started = time.monotonic()

    def running(self) -> bool:
        """True while the process has not exited."""
        return self.process.poll() is None

    def interrupt(self) -> None:
        """Ask the child to stop (SIGINT: the commands finish their batch and exit)."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGINT)

    def reap(self, timeout: float = 60.0) -> Finished:
        """Wait for the child (killing it after `timeout`) and read its peak RSS."""
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(self.process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                self.process.kill()
                pid, status, usage = os.wait4(self.process.pid, 0)
                break
            time.sleep(0.05)
        code = os.waitstatus_to_exitcode(status)
        self.process.returncode = code
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log else ""
        return Finished(code, time.monotonic() - self.started, usage.ru_maxrss / 1024, text)


def python_argv(*args: str) -> list[str]:
    """Run a module of this repository with the harness's interpreter."""
    return [sys.executable, *args]


def step_env(base: Mapping[str, str] | None = None, **extra: str | None) -> dict[str, str]:
    """The environment for a child: this one, less the store choice, plus `extra` (None unsets)."""
    env = dict(os.environ if base is None else base)
    env.pop("WENZHENG_DATABASE_URL", None)
    env["PYTHONUNBUFFERED"] = "1"
    for key, value in extra.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_step(name: str, params: Mapping[str, Any], env: Mapping[str, str],
             timeout: float) -> tuple[Finished, dict[str, Any]]:
    """Run `python -m bench.step NAME` and return how it ended plus the JSON it wrote."""
    fd, result_name = tempfile.mkstemp(prefix=f"bench-{name}-", suffix=".json")
    os.close(fd)
    result_path = Path(result_name)
    try:
        argv = python_argv("-m", "bench.step", name,
                           json.dumps({**params, "result_path": str(result_path)}))
        child = Child(argv, dict(env))
        try:
            finished = child.reap(timeout)
        except BaseException:
            child.process.kill()
            raise
        text = result_path.read_text(encoding="utf-8")
        result = json.loads(text) if text.strip() else {}
    finally:
        result_path.unlink(missing_ok=True)
    return finished, result


def run_command(argv: Sequence[str], env: Mapping[str, str], timeout: float) -> Finished:
    """Run a command to completion, capturing its output, with its wall time and peak RSS."""
    fd, log_name = tempfile.mkstemp(prefix="bench-cmd-", suffix=".log")
    os.close(fd)
    log = Path(log_name)
    try:
        return Child(list(argv), dict(env), log).reap(timeout)
    finally:
        log.unlink(missing_ok=True)

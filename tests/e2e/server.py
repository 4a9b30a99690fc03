"""`streamlit run app.py` as a child process on a free port, with its home and a log file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.fixtures.kafka import free_port

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 20.0
# Variables that would point the app somewhere other than the demonstration home.
FOREIGN_ENV = ("WENZHENG_DATABASE_URL", "WENZHENG_ENV")
# The demonstration year is 2025 and its "now" 31 January 2026 (docs/demo.md).
DEMO_NOW = "2026-01-31T23:59:59+08:00"
BULLETINS_SINCE = "2025-11"


def clean_env(home: Path) -> dict[str, str]:
    """This environment with the app pointed at `home` on the embedded stores."""
    env = {k: v for k, v in os.environ.items() if k not in FOREIGN_ENV}
    env["WENZHENG_HOME"] = str(home)
    env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
    return env


def wenzheng(home: Path, args: list[str], log: Path) -> None:
    """Run a `wenzheng` command on `home` with the cleaned environment; raise when it fails."""
    argv = [sys.executable, "-c", "import sys; from wenzheng.cli import main; sys.exit(main())",
            "--home", str(home), *args]
    with log.open("ab") as out:
        done = subprocess.run(argv, cwd=REPO, env=clean_env(home), stdout=out,
                              stderr=subprocess.STDOUT, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"wenzheng {args[0]} failed ({done.returncode}): {log.read_text()}")


def build_demo_home(home: Path, cases: int, log: Path) -> None:
    """A demonstration city of `cases` cases in `home` with its last two bulletins issued."""
    wenzheng(home, ["demo", "--cases", str(cases), "--quiet"], log)
    wenzheng(home, ["bulletins", "--since", BULLETINS_SINCE, "--out", str(home / "bulletins"),
                    "--now", DEMO_NOW], log)


class StreamlitServer:
    """The app served by `streamlit run app.py --server.headless true` on 127.0.0.1."""

    def __init__(self, home: Path, log: Path) -> None:
        self.home = home
        self.log = log
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.returncode: int | None = None

    @property
    def url(self) -> str:
        """The app's base address."""
        return f"http://127.0.0.1:{self.port}"

    def argv(self) -> list[str]:
        """The command line that serves the app."""
        return [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"),
                "--server.headless", "true", "--server.address", "127.0.0.1",
                "--server.port", str(self.port), "--server.fileWatcherType", "none",
                "--browser.gatherUsageStats", "false"]

    def healthy(self) -> bool:
        """True when Streamlit's health endpoint answers "ok"."""
        try:
            with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as answer:
                return bool(answer.status == 200 and answer.read().strip() == b"ok")
        except (urllib.error.URLError, OSError):
            return False

    def start(self) -> str:
        """Start the server and wait until it is healthy; returns its address."""
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(self.argv(), cwd=REPO, env=clean_env(self.home),
                                            stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self.healthy():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"streamlit did not start: {self.log.read_text()}")
            time.sleep(0.2)
        return self.url

    def stop(self) -> int | None:
        """SIGTERM and wait (SIGKILL if it lingers); returns the exit status."""
        if self.process is None:
            return self.returncode
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_TIMEOUT_S)
        self.returncode = self.process.returncode
        return self.returncode

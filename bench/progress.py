"""Progress lines on stderr: done, share, rate and elapsed time (every few seconds)."""

from __future__ import annotations

import sys
import time


class Progress:
    """Prints `what done/total (share), rate/s, elapsed` at most every `every` seconds."""

    def __init__(self, what: str, total: int | None = None, every: float = 5.0) -> None:
        self.what, self.total, self.every = what, total, every
        self.started = self.last = time.monotonic()

    def show(self, done: int, final: bool = False) -> None:
        """Print a line when `every` seconds have passed, or at the end."""
        now = time.monotonic()
        if not final and now - self.last < self.every:
            return
        self.last = now
        elapsed = now - self.started
        share = f"/{self.total:,} ({done / self.total:.0%})" if self.total else ""
        print(f"    {self.what}: {done:,}{share}, {done / max(elapsed, 1e-9):,.0f}/s, "
              f"{elapsed:,.0f} s", file=sys.stderr, flush=True)

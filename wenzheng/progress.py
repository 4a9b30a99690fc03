"""Progress of a long command on standard error: a tqdm bar on a terminal, else a sparse line."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from tqdm import tqdm

PLAIN_EVERY_S = 5.0  # without a terminal (a log, CI): one plain line at most this often


class Progress:
    """Counts done of one long step; shown as a bar on a terminal, else as occasional lines.

    Callers pass the count done so far (not an increment), so `show` fits the progress
    callbacks of the lower layers. A disabled Progress shows nothing.
    """

    def __init__(self, what: str, total: int | None = None, unit: str = "",
                 enabled: bool = True, stream: TextIO | None = None) -> None:
        self.what, self.total, self.unit, self.enabled = what, total, unit, enabled
        self.stream = stream if stream is not None else sys.stderr
        self.started = self.last = time.monotonic()
        self.done, self.note = 0, ""
        self.bar: Any = None
        if enabled and self.stream.isatty():
            self.bar = tqdm(total=total, desc=what, unit=unit or "it", file=self.stream,
                            dynamic_ncols=True, mininterval=0.5)

    def show(self, done: int, total: int | None = None, note: str = "") -> None:
        """Record `done` (and a new total, or a short note) and show it when it is time."""
        if not self.enabled:
            return
        self.done, self.note = done, note
        if total is not None:
            self.total = total
        if self.bar is not None:
            if total is not None:
                self.bar.total = total
            if note:
                self.bar.set_postfix_str(note, refresh=False)
            self.bar.update(done - self.bar.n)
            return
        now = time.monotonic()
        if now - self.last >= PLAIN_EVERY_S:
            self.last = now
            self._line(now)

    def close(self) -> None:
        """End the bar, or print the last count as a plain line."""
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        else:
            self._line(time.monotonic())
        self.enabled = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _line(self, now: float) -> None:
        """One plain line: count, share of the total, rate, time taken, and the note."""
        elapsed = now - self.started
        unit = f" {self.unit}" if self.unit else ""
        total = f"/{self.total}" if self.total else ""
        share = f"{self.done / self.total:.0%}，" if self.total else ""
        note = f"，{self.note}" if self.note else ""
        rate = self.done / max(elapsed, 1e-6)
        print(f"{self.what} {self.done}{total}{unit}（{share}{rate:,.0f}{unit}/秒，"
              f"已用 {elapsed:.0f} 秒{note}）", file=self.stream, flush=True)

"""The read side: `project --rebuild` beside raw reading of the store, and the figures queries.

Baseline (raw_read): the store's notification log read in pages of the rebuild's batch size
with eventsourcing's `recorder.select_notifications`, each notification's stored state
decoded by the application's transcoder (JSON with eventsourcing's type hooks) — the least
any rebuild must do. A second figure decodes each notification into a domain event with
`mapper.to_domain_event`, for comparison; that pass runs first and so also warms the cache.
"""

from __future__ import annotations

import contextlib
import io
import os
import statistics
import time
from typing import Any

from bench.proc import python_argv, run_command
from bench.progress import Progress
from wenzheng.bootstrap.service import open_service

REBUILD_BATCH = 2000


def _run_cli_in_process(argv: list[str]) -> tuple[float, int]:
    """Run a `wenzheng` command in this process; seconds taken and characters printed."""
    from wenzheng.cli import build_parser
    from wenzheng.home import Home

    args = build_parser().parse_args(argv)
    home = Home.resolve(args.home)
    out = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out):
        code = args.run(args, home)
    seconds = time.perf_counter() - started
    if code != 0:
        raise RuntimeError(f"wenzheng {' '.join(argv)} exited {code}: {out.getvalue()[-500:]}")
    return seconds, len(out.getvalue())


def store_head() -> int:
    """The applied store's last notification id."""
    from wenzheng.home import Home

    service = open_service(Home.resolve())
    try:
        return int(service.recorder.max_notification_id() or 0)
    finally:
        service.close()


def rebuild(p: dict[str, Any]) -> dict[str, Any]:
    """`wenzheng project --rebuild` run in this process, timed around the command."""
    events = store_head()
    seconds, _ = _run_cli_in_process(["project", "--rebuild", "--batch", str(REBUILD_BATCH)])
    return {"events": events, "batch": REBUILD_BATCH, "seconds": seconds,
            "rate": events / seconds if seconds else None, "unit": "events/s"}


def _read_all(service: Any, decode: Any, what: str, total: int) -> tuple[int, float]:
    """Read the whole log page by page, decoding each notification; count and seconds."""
    progress = Progress(what, total)
    count = start = 0
    started = time.perf_counter()
    while True:
        notes = service.recorder.select_notifications(start, REBUILD_BATCH,
                                                      inclusive_of_start=False)
        if not notes:
            break
        for n in notes:
            decode(n)
        count += len(notes)
        start = notes[-1].id
        progress.show(count)
    seconds = time.perf_counter() - started
    progress.show(count, final=True)
    return count, seconds


def raw_read(p: dict[str, Any]) -> dict[str, Any]:
    """Raw read + decode of the notification log (transcoder; and to domain events)."""
    from wenzheng.home import Home

    service = open_service(Home.resolve())
    try:
        total = int(service.recorder.max_notification_id() or 0)
        transcoder = service.mapper.transcoder
        # The domain-event pass goes first: it also brings the log into the page cache, so the
        # main figure is not charged for the first read from disk.
        events_count, events_seconds = _read_all(service, service.mapper.to_domain_event,
                                                 "raw read+to_domain_event", total)
        count, seconds = _read_all(service, lambda n: transcoder.decode(n.state),
                                   "raw read+decode", total)
    finally:
        service.close()
    return {"events": count, "batch": REBUILD_BATCH, "seconds": seconds,
            "rate": count / seconds if seconds else None, "unit": "events/s",
            "how": "select_notifications pages + transcoder.decode(state)",
            "domain_events_seconds": events_seconds,
            "domain_events_rate": events_count / events_seconds if events_seconds else None}


def query_argvs(year: int, as_of: str) -> dict[str, list[str]]:
    """The three figures commands as a user runs them for the demonstration year."""
    return {
        "metrics": ["metrics", "--from", f"{year}-01-01", "--to", f"{year}-12-31",
                    "--as-of", as_of, "--format", "json"],
        "scorecard": ["scorecard", "--year", str(year), "--as-of", as_of, "--format", "json"],
        "exposure": ["exposure", "--as-of", as_of, "--format", "json"],
    }


def queries(p: dict[str, Any]) -> dict[str, Any]:
    """Each figures command: in-process latency (first and best of N) and CLI wall time."""
    repeat = int(p.get("repeat", 3))
    out: dict[str, Any] = {}
    for name, argv in query_argvs(int(p["year"]), str(p["as_of"])).items():
        runs = []
        chars = 0
        for _ in range(repeat):
            seconds, chars = _run_cli_in_process(argv)
            runs.append(seconds)
        cli = run_command(python_argv("-m", "wenzheng.cli", *argv), dict(os.environ),
                          timeout=600)
        out[name] = {"first": runs[0], "best": min(runs), "median": statistics.median(runs),
                     "runs": runs, "output_chars": chars,
                     "cli_wall": cli.seconds if cli.returncode == 0 else None,
                     "cli_peak_rss_mib": cli.peak_rss_mib}
    start = run_command(python_argv("-m", "wenzheng.cli", "--help"), dict(os.environ),
                        timeout=120)
    out["cli_startup"] = start.seconds
    return out

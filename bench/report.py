"""The result table: each measurement beside its baseline, the ratio and the target (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# {"size", "store", "step", "ok", "error", "wall", "peak_rss_mib", "data"}
Result = Mapping[str, Any]


@dataclass(frozen=True)
class RatePair:
    """A throughput measurement, its baseline and the targets it is held to."""

    step: str
    baseline: str
    label: str
    min_ratio: float
    min_rate: float | None = None
    min_rate_stores: tuple[str, ...] = ("sqlite", "postgres")


RATE_PAIRS = (
    RatePair("apply", "raw_save", "bulk apply (actions/s) vs raw eventsourcing save", 0.8,
             10_000, ("sqlite",)),
    RatePair("relay", "raw_produce", "relay (events/s) vs raw kafka-python produce", 0.8),
    RatePair("projector", "raw_consume", "Kafka projector (events/s) vs raw consume + json",
             0.7),
    RatePair("rebuild", "raw_read", "project --rebuild (events/s) vs raw read + decode", 0.5,
             100_000),
)
QUERIES = ("metrics", "scorecard", "exposure")
LATENCY_LIMIT_S = 1.0


def ratio(value: float | None, baseline: float | None) -> float | None:
    """value ÷ baseline, or None when either is missing or the baseline is 0."""
    if value is None or baseline is None or baseline == 0:
        return None
    return value / baseline


def fmt_rate(value: float | None) -> str:
    """A rate with thousands separators, e.g. 12,345/s."""
    return "—" if value is None else f"{value:,.0f}/s"


def fmt_ratio(value: float | None) -> str:
    """A ratio, e.g. 0.83×."""
    return "—" if value is None else f"{value:.2f}×"


def fmt_seconds(value: float | None) -> str:
    """Seconds with a precision that suits the size, e.g. 0.042 s, 3.1 s, 1,234 s."""
    if value is None:
        return "—"
    if value < 1:
        return f"{value:.3f} s"
    if value < 100:
        return f"{value:.1f} s"
    return f"{value:,.0f} s"


def fmt_mib(value: float | None) -> str:
    """Mebibytes, e.g. 182 MiB."""
    return "—" if value is None else f"{value:,.0f} MiB"


def mark(ok: bool | None) -> str:
    """✓ met, ✗ missed, — not judged."""
    return "—" if ok is None else ("✓" if ok else "✗")


def find(results: Iterable[Result], size: int, store: str, step: str) -> Result | None:
    """The result of one step at one size on one store."""
    for r in results:
        if r["size"] == size and r["store"] == store and r["step"] == step:
            return r
    return None


def _data(r: Result | None) -> Mapping[str, Any]:
    """A result's measurements ({} when missing or failed)."""
    return r["data"] if r is not None and r.get("ok") else {}


def _rss(r: Result | None) -> float | None:
    """A result's peak RSS."""
    return r.get("peak_rss_mib") if r is not None else None


def _failed(r: Result | None) -> str:
    """Why a step has no figure."""
    if r is None:
        return "not run"
    return "failed" if not r.get("ok") else ""


def rate_row(results: Iterable[Result], size: int, store: str, pair: RatePair) -> list[str]:
    """One table row for a throughput pair."""
    results = list(results)
    mine, base = find(results, size, store, pair.step), find(results, size, store, pair.baseline)
    value, baseline = _data(mine).get("rate"), _data(base).get("rate")
    r = ratio(value, baseline)
    checks: list[bool] = []
    target = f"≥ {pair.min_ratio:g}×"
    if r is not None:
        checks.append(r >= pair.min_ratio)
    if pair.min_rate is not None and store in pair.min_rate_stores:
        target += f", ≥ {pair.min_rate:,.0f}/s"
        if value is not None:
            checks.append(value >= pair.min_rate)
    ok = all(checks) if checks else None
    return [pair.label, store, fmt_rate(value) if value is not None else _failed(mine),
            fmt_rate(baseline) if baseline is not None else _failed(base), fmt_ratio(r), target,
            mark(ok), f"{fmt_mib(_rss(mine))} / {fmt_mib(_rss(base))}"]


def query_rows(results: Iterable[Result], size: int, store: str) -> list[list[str]]:
    """Rows for the figures commands: best in-process latency; CLI wall and start-up beside."""
    r = find(results, size, store, "queries")
    data = _data(r)
    rows = []
    for name in QUERIES:
        q = data.get(name) or {}
        best = q.get("best")
        beside = (f"CLI {fmt_seconds(q.get('cli_wall'))} (start-up "
                  f"{fmt_seconds(data.get('cli_startup'))}), first {fmt_seconds(q.get('first'))}"
                  if q else _failed(r))
        ok = None if best is None else best < LATENCY_LIMIT_S
        rows.append([f"`{name}` latency (best of {len(q.get('runs', [])) or '—'})", store,
                     fmt_seconds(best) if q else _failed(r), beside, "—",
                     "< 1 s at 1M", mark(ok), f"{fmt_mib(q.get('cli_peak_rss_mib'))} (CLI)"])
    return rows


def app_row(results: Iterable[Result], size: int, store: str) -> list[str] | None:
    """The app's scorecard page render (bench/app_render.py), when it was measured."""
    r = find(results, size, store, "app_render")
    if r is None:
        return None
    data = _data(r)
    cold, warm = data.get("cold"), data.get("warm")
    ok = None if cold is None else cold < LATENCY_LIMIT_S
    shown = f"cold {fmt_seconds(cold)}, warm {fmt_seconds(warm)}" if data else _failed(r)
    if data.get("cold_no_snapshot") is not None:
        shown += f"; cold without the stored scorecards {fmt_seconds(data['cold_no_snapshot'])}"
    return ["app scorecard page render (AppTest)", store, shown, "—", "—", "< 1 s at 1M",
            mark(ok), fmt_mib(_rss(r))]


def e2e_row(results: Iterable[Result], size: int, store: str) -> list[str] | None:
    """End-to-end latency through Kafka at the steady rate."""
    r = find(results, size, store, "e2e")
    if r is None:
        return None
    d = _data(r)
    if not d:
        return ["end-to-end latency p50 / p99", store, _failed(r), "—", "—", "p99 < 1 s", "—",
                "—"]
    procs = d.get("processes", {})
    rss = " / ".join(f"{n} {fmt_mib(v.get('peak_rss_mib'))}" for n, v in procs.items())
    label = (f"end-to-end latency p50 / p99 ({d.get('actions'):,} actions at "
             f"{d.get('rate_target'):g}/s)")
    beside = (f"max {fmt_seconds(d.get('max'))}; p50 first → last tenth "
              f"{fmt_seconds(d.get('p50_first_tenth'))} → {fmt_seconds(d.get('p50_last_tenth'))};"
              f" not visible {d.get('not_visible')}{stage_text(d.get('stages'))}")
    p99 = d.get("p99")
    ok = None if p99 is None else (p99 < LATENCY_LIMIT_S and not d.get("not_visible"))
    return [label, store, f"{fmt_seconds(d.get('p50'))} / {fmt_seconds(p99)}", beside, "—",
            "p99 < 1 s", mark(ok), rss]


def stage_text(stages: Mapping[str, Any] | None) -> str:
    """Each stage's p50 / p99 (bench/e2e_stages.py), or nothing for a run that had none."""
    if not stages:
        return ""
    parts = [f"{name} {fmt_seconds(v.get('p50'))} / {fmt_seconds(v.get('p99'))}"
             for name, v in stages.items()]
    return "; stages p50 / p99: " + ", ".join(parts)


def broker_row(results: Iterable[Result], size: int, store: str) -> list[str] | None:
    """The Kafka broker's own peak memory (it keeps every message in memory)."""
    r, raw = find(results, size, store, "broker"), find(results, size, store, "broker_raw")
    if r is None and raw is None:
        return None
    return ["Kafka broker (relay's topic + e2e / raw produce's topic)", store, "—", "—", "—",
            "—", "—", f"{fmt_mib(_rss(r))} / {fmt_mib(_rss(raw))}"]


def step_summary(data: Mapping[str, Any]) -> str:
    """A step's headline figure for the progress line."""
    if data.get("rate") is not None:
        return fmt_rate(data["rate"])
    if "p99" in data:
        return f"p50 {fmt_seconds(data.get('p50'))}, p99 {fmt_seconds(data.get('p99'))}"
    if "cold" in data:
        return f"cold {fmt_seconds(data.get('cold'))}, warm {fmt_seconds(data.get('warm'))}"
    shown = [f"{q} {fmt_seconds(data[q].get('best'))}" for q in QUERIES
             if isinstance(data.get(q), Mapping)]
    return ", ".join(shown)


HEADER = ("measurement", "store", "wenzheng", "baseline", "ratio", "target", "met",
          "peak RSS (wenzheng / baseline)")


def size_table(results: Iterable[Result], size: int, stores: Iterable[str]) -> str:
    """The Markdown table of one size."""
    results = list(results)
    rows: list[list[str]] = []
    for store in stores:
        rows += [rate_row(results, size, store, pair) for pair in RATE_PAIRS]
        rows += query_rows(results, size, store)
        rows += [row for row in (app_row(results, size, store), e2e_row(results, size, store),
                                 broker_row(results, size, store)) if row is not None]
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


FIXED_STEPS = ("e2e",)


def step_walls(results: Iterable[Result], size: int) -> dict[tuple[str, str], float]:
    """Wall seconds of each (store, step) at one size."""
    return {(r["store"], r["step"]): float(r["wall"]) for r in results
            if r["size"] == size and r.get("wall") is not None}


def estimate(results: Iterable[Result], datasets: Mapping[str, Any],
             target: int) -> dict[str, Any] | None:
    """Seconds a run at `target` cases would take: per step a + b·cases through the two
    largest sizes measured (only b·cases from a single size); fixed-length steps as measured;
    plus generating the data (from the largest size's generation time)."""
    results = list(results)
    sizes = sorted({int(r["size"]) for r in results if r.get("wall") is not None})
    if not sizes:
        return None
    big = sizes[-1]
    small = sizes[-2] if len(sizes) > 1 else None
    walls_big = step_walls(results, big)
    walls_small = step_walls(results, small) if small else {}
    total = 0.0
    for key, wall in walls_big.items():
        if key[1] in FIXED_STEPS:
            total += wall
        elif small is not None and key in walls_small:
            slope = max((wall - walls_small[key]) / (big - small), 0.0)
            total += max(wall + slope * (target - big), wall)
        else:
            total += wall * target / big
    generated = (datasets.get(str(big)) or {}).get("generate_seconds") or 0.0
    total += float(generated) * target / big
    return {"target": target, "seconds": total, "from_sizes": [s for s in (small, big) if s]}


def machine_line(machine: Mapping[str, Any]) -> str:
    """One line describing the machine, the load and the code measured."""
    load = machine.get("load_at_start") or []
    state = "loaded" if machine.get("loaded") else "quiet"
    git = machine.get("git") or {}
    return (f"{machine.get('cpu')}, {machine.get('cores')} cores, {machine.get('memory_gib')} GiB;"
            f" Python {machine.get('python')}; PostgreSQL {machine.get('postgres')};"
            f" Kafka: {machine.get('kafka')}; load average at start "
            f"{' / '.join(f'{x:.2f}' for x in load)} ({state}); commit "
            f"{str(git.get('commit', ''))[:10]}{' + local changes' if git.get('dirty') else ''}")


def merge(runs: list[Mapping[str, Any]]) -> dict[str, Any]:
    """Several runs as one report (sizes and stores united; a later run's step result wins)."""
    results: dict[tuple[Any, ...], Mapping[str, Any]] = {}
    sizes: list[int] = []
    stores: list[str] = []
    datasets: dict[str, Any] = {}
    for run in runs:
        params = run.get("params", {})
        sizes += [s for s in params.get("sizes", []) if s not in sizes]
        stores += [s for s in params.get("stores", []) if s not in stores]
        datasets.update(run.get("datasets", {}))
        for r in run.get("results", []):
            results[(r["size"], r["store"], r["step"])] = r
    merged = list(results.values())
    return {"machine": runs[-1].get("machine", {}),
            "machines": [r.get("machine", {}) for r in runs],
            "params": {"sizes": sorted(sizes), "stores": stores}, "datasets": datasets,
            "results": merged, "estimate": estimate(merged, datasets, 1_000_000)}


def markdown(run: Mapping[str, Any]) -> str:
    """The whole report: machine, date and one table per size, with failures listed."""
    results = list(run.get("results", []))
    stores = run.get("params", {}).get("stores", ["sqlite", "postgres"])
    machines = run.get("machines") or [run.get("machine", {})]
    out = [f"### bench/run — {', '.join(str(m.get('date', '')) for m in machines)}", ""]
    for m in machines:
        out += [("- " if len(machines) > 1 else "") + machine_line(m)]
    out.append("")
    if run.get("load_at_end"):
        load = " / ".join(f"{x:.2f}" for x in run["load_at_end"])
        out += [f"Load average at the end {load}; the run took {fmt_seconds(run.get('seconds'))}.",
                ""]
    for size in run.get("params", {}).get("sizes", []):
        if not any(r["size"] == size for r in results):
            continue
        data = run.get("datasets", {}).get(str(size), {})
        actions = data.get("actions")
        shown = f", {actions:,} actions" if actions else ""
        out += [f"#### {size:,} cases{shown}", "", size_table(results, size, stores), ""]
    failed = [r for r in results if not r.get("ok")]
    if failed:
        out += ["Failed steps:", ""]
        out += [f"- {r['size']:,} · {r['store']} · {r['step']}: {r.get('error')}" for r in failed]
        out.append("")
    guess = run.get("estimate")
    if guess:
        basis = " and ".join(f"{s:,}" for s in guess["from_sizes"])
        out += [f"Estimated duration of a {guess['target']:,}-case tier: about "
                f"{guess['seconds'] / 3600:.1f} h (each step's wall time extrapolated from "
                f"{basis} cases; end-to-end latency fixed; data generation included).", ""]
    return "\n".join(out)

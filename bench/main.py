"""`bench/run`: each measurement at each size and store beside its baseline, as JSON + Markdown."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from bench import broker as kafka_broker
from bench import machine, report
from bench.data import Dataset, data_dir
from bench.proc import REPO, python_argv, run_command, run_step, step_env
from bench.stores import (
    POSTGRES,
    STORES,
    Places,
    Target,
    ensure_database,
    postgres_url,
    server_url,
)
from wenzheng.store.kek import KEK_ENV, new_kek_text

STEPS = ("apply", "raw_save", "rebuild", "raw_read", "queries", "app_render", "relay",
         "raw_produce", "projector", "raw_consume", "e2e")
KAFKA_STEPS = ("relay", "raw_produce", "projector", "raw_consume", "e2e")
APP_RENDER = REPO / "bench" / "app_render.py"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The harness's options."""
    p = argparse.ArgumentParser(prog="bench/run", description=__doc__)
    p.add_argument("--sizes", default="10000,100000,1000000", help="cases per tier")
    p.add_argument("--stores", default="sqlite,postgres", help="sqlite,postgres")
    p.add_argument("--steps", default=",".join(STEPS), help="which steps (apply always runs)")
    p.add_argument("--out", help="results folder (default $BENCH_DATA/results/<time>)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--year", type=int, default=2025)
    p.add_argument("--order", choices=["case", "time"], default="case",
                   help="order of the bulk actions (default case: each case's together)")
    p.add_argument("--e2e-rate", type=float, default=200.0, help="actions/s (default 200)")
    p.add_argument("--e2e-seconds", type=float, default=60.0, help="measured phase (default 60)")
    p.add_argument("--e2e-warmup", type=int, default=100, help="actions before measuring")
    p.add_argument("--repeat", type=int, default=3, help="runs of each query (default 3)")
    p.add_argument("--step-timeout", type=float, default=900.0,
                   help="seconds per step, plus 0.02 s per case")
    p.add_argument("--keep", action="store_true", help="keep the stores and schemas afterwards")
    p.add_argument("--reuse", action="store_true",
                   help="keep each applied store in $BENCH_DATA/stores (PostgreSQL: schema "
                        "bstore_…) and reuse it in later runs instead of applying again")
    p.add_argument("--render", metavar="RESULTS_JSON", nargs="+",
                   help="only print the Markdown table of earlier runs' results.json files "
                        "(several: merged, a later file's figure wins)")
    args = p.parse_args(argv)
    args.sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    args.stores = [s for s in args.stores.split(",") if s.strip()]
    args.steps = [s for s in args.steps.split(",") if s.strip()]
    unknown = [s for s in args.stores if s not in STORES] + [s for s in args.steps
                                                              if s not in STEPS]
    if unknown:
        p.error(f"unknown store or step: {', '.join(unknown)}")
    return args


def say(text: str) -> None:
    """A progress line with the time."""
    print(f"[{datetime.now():%H:%M:%S}] {text}", file=sys.stderr, flush=True)


class Run:
    """One invocation: the results so far, written after every step."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.id = uuid.uuid4().hex[:6]
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        self.out = Path(args.out or data_dir() / "results" / stamp).resolve()
        self.out.mkdir(parents=True, exist_ok=True)
        self.pg_url = postgres_url()
        self.places = Places(data_dir() / "work" / f"{stamp}-{self.id}", self.id, self.pg_url,
                             data_dir() / "stores")
        self.doc: dict[str, Any] = {
            "harness": "bench/run", "run_id": self.id,
            "params": {"sizes": args.sizes, "stores": args.stores, "steps": args.steps,
                       "seed": args.seed, "year": args.year, "order": args.order,
                       "e2e_rate": args.e2e_rate, "e2e_seconds": args.e2e_seconds,
                       "repeat": args.repeat},
            "machine": machine.describe(server_url(self.pg_url), kafka_broker.describe()),
            "datasets": {}, "results": [],
        }

    def timeout(self, size: int) -> float:
        """A step's time limit at this size."""
        return float(self.args.step_timeout + 0.02 * size)

    def record(self, size: int, store: str, step: str, ok: bool, wall: float | None,
               rss: float | None, data: dict[str, Any], error: str | None = None) -> dict[str, Any]:
        """Keep a step's outcome and rewrite the result files."""
        entry = {"size": size, "store": store, "step": step, "ok": ok, "error": error,
                 "wall": round(wall, 3) if wall is not None else None,
                 "peak_rss_mib": round(rss, 1) if rss is not None else None, "data": data}
        self.doc["results"].append(entry)
        self.save()
        return entry

    def step(self, size: int, store: str, name: str, target: Target,
             params: dict[str, Any]) -> dict[str, Any] | None:
        """Run one step in its own process; its data, or None when it failed."""
        if name not in self.args.steps and name != "apply":
            return None
        say(f"{size:,} cases · {store} · {name} …")
        env = step_env(None, **target.env())
        try:
            finished, data = run_step(name, params, env, self.timeout(size))
        except Exception as exc:  # the harness itself must go on
            self.record(size, store, name, False, None, None, {}, repr(exc))
            say(f"  ✗ {name}: {exc!r}")
            return None
        ok = finished.returncode == 0 and "error" not in data
        error = None if ok else str(data.get("error") or f"exit status {finished.returncode}")
        self.record(size, store, name, ok, finished.seconds, finished.peak_rss_mib,
                    data if ok else {}, error)
        summary = report.step_summary(data) if ok else ""
        say(f"  {'✓' if ok else '✗'} {name} {summary} ({finished.seconds:,.1f} s, peak "
            f"{finished.peak_rss_mib:,.0f} MiB){'' if ok else ': ' + str(error)[-300:]}")
        return data if ok else None

    def skip(self, size: int, store: str, name: str, why: str) -> None:
        """Note a step that could not run because another failed."""
        if name in self.args.steps:
            self.record(size, store, name, False, None, None, {}, f"skipped: {why}")

    def save(self) -> None:
        """Write results.json and results.md."""
        (self.out / "results.json").write_text(
            json.dumps(self.doc, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
        (self.out / "results.md").write_text(report.markdown(self.doc), encoding="utf-8")


def app_render(run: Run, size: int, store: str, target: Target) -> None:
    """The app's scorecard render time via bench/app_render.py, when that script exists."""
    if "app_render" not in run.args.steps or not APP_RENDER.is_file():
        return
    say(f"{size:,} cases · {store} · app_render …")
    argv = python_argv(str(APP_RENDER), "--home", str(target.home), "--repeat",
                       str(run.args.repeat))
    if "--year" in APP_RENDER.read_text(encoding="utf-8"):
        argv += ["--year", str(run.args.year)]
    done = run_command(argv, step_env(None, **target.env()), run.timeout(size))
    data: dict[str, Any] = {}
    for line in reversed(done.output.strip().splitlines()):
        if line.startswith("{"):
            try:
                data = json.loads(line)
            except json.JSONDecodeError:
                continue
            break
    ok = done.returncode == 0 and bool(data)
    error = None if ok else f"exit {done.returncode}: {done.output[-500:]}"
    run.record(size, store, "app_render", ok, done.seconds, done.peak_rss_mib, data, error)
    say(f"  {'✓' if ok else '✗'} app_render {report.step_summary(data)} ({done.seconds:,.1f} s)")


def kafka_steps(run: Run, size: int, store: str, applied: Target, events: int) -> None:
    """Relay, projector and end-to-end latency against one broker for this size and store."""
    if not any(s in run.args.steps for s in KAFKA_STEPS):
        return
    tag = f"{run.id}-{size}-{store}"
    topic = f"bench-events-{tag}"
    if "raw_produce" in run.args.steps:  # a broker of its own: a memory broker holds one copy
        with kafka_broker.broker() as kafka:
            run.step(size, store, "raw_produce", applied, {
                "bootstrap": kafka.bootstrap, "topic": f"{topic}-raw", "events": events})
            peak = kafka.peak_rss_mib()
        if peak is not None:
            run.record(size, store, "broker_raw", True, None, peak, {})
    with kafka_broker.broker() as kafka:
        base = {"bootstrap": kafka.bootstrap, "topic": topic}
        relayed = run.step(size, store, "relay", applied, {**base, "events": events})
        if relayed is None:
            for name in ("projector", "raw_consume"):
                run.skip(size, store, name, "the relay failed")
        else:
            messages = int(relayed["events"])
            run.step(size, store, "projector", applied, {
                **base, "group": f"bench-projector-{tag}", "messages": messages,
                "readmodels": run.places.fresh(store, size, "projector").readmodels()})
            run.step(size, store, "raw_consume", applied, {**base, "messages": messages})
        run.step(size, store, "e2e", applied, {
            "bootstrap": kafka.bootstrap, "tag": tag, "rate": run.args.e2e_rate,
            "seconds": run.args.e2e_seconds, "warmup": run.args.e2e_warmup,
            "year": run.args.year + 1, "seed": run.args.seed,
            "readmodels": applied.readmodels(), "logdir": str(run.out / f"e2e-{size}-{store}")})
        peak = kafka.peak_rss_mib()
        if peak is not None:
            run.record(size, store, "broker", True, None, peak, {"bootstrap": kafka.bootstrap})


def applied_store(run: Run, size: int, store: str,
                  dataset: dict[str, Any]) -> tuple[Target, dict[str, Any] | None]:
    """Apply the dataset into a fresh store, or with --reuse take the kept one if complete."""
    data = Dataset(size, run.args.seed, run.args.year, run.args.order)
    params = {"data": str(data.path), "actions": dataset.get("actions")}
    if not run.args.reuse:
        target = run.places.fresh(store, size, "apply")
        return target, run.step(size, store, "apply", target, params)
    target = run.places.kept(store, data.key)
    marker = target.home / "applied.json"
    if marker.is_file():
        kept = json.loads(marker.read_text(encoding="utf-8"))
        say(f"{size:,} cases · {store} · apply: reusing {target.home} (applied {kept['date']})")
        run.record(size, store, "apply", True, kept["wall"], kept["peak_rss_mib"],
                   {**kept["data"], "reused_from": kept["date"]})
        return target, dict(kept["data"])
    run.places.wipe(target)
    done = run.step(size, store, "apply", target, params)
    if done is not None:
        entry = run.doc["results"][-1]
        marker.write_text(json.dumps({**entry, "date": run.doc["machine"]["date"]},
                                     ensure_ascii=False), encoding="utf-8")
    return target, done


def one_store(run: Run, size: int, store: str, dataset: dict[str, Any]) -> None:
    """Every step at one size on one store."""
    applied, done = applied_store(run, size, store, dataset)
    if done is None:
        for name in STEPS[1:]:
            run.skip(size, store, name, "apply failed")
        return
    events = int(done["events"])
    raw = run.places.fresh(store, size, "rawsave")
    run.step(size, store, "raw_save", applied, {"batch": done["batch"], "events": events,
                                                "dest": raw.as_dict()})
    run.places.discard(raw)
    run.step(size, store, "rebuild", applied, {})
    run.step(size, store, "raw_read", applied, {})
    year = run.args.year
    as_of = demo_as_of(year, applied.home)
    run.step(size, store, "queries", applied, {"year": year, "as_of": as_of,
                                               "repeat": run.args.repeat})
    app_render(run, size, store, applied)
    kafka_steps(run, size, store, applied, events)


def demo_as_of(year: int, home: Path) -> str:
    """The demonstration's "now" for the year (31 January of the next year)."""
    from wenzheng.demogen import demo_as_of as as_of
    from wenzheng.home import Home

    return as_of(Home(home).settings().deadline_policy(), year).isoformat()


def main(argv: list[str] | None = None) -> int:
    """Run every size, store and step; print the Markdown table at the end."""
    args = parse_args(argv)
    os.environ.setdefault(KEK_ENV, new_kek_text())  # the stores' homes need a KEK to register
    if args.render:
        docs = [json.loads(Path(p).read_text(encoding="utf-8")) for p in args.render]
        print(report.markdown(docs[0] if len(docs) == 1 else report.merge(docs)))
        return 0
    run = Run(args)
    m = run.doc["machine"]
    say(f"results → {run.out}")
    say(report.machine_line(m))
    if POSTGRES in args.stores:
        try:
            ensure_database(run.pg_url)
        except Exception as exc:  # no server: report it and measure the other store
            say(f"  ✗ PostgreSQL at {run.pg_url}: {exc!r}; measuring without it")
            for size in args.sizes:
                run.record(size, POSTGRES, "apply", False, None, None, {},
                           f"PostgreSQL unavailable: {exc!r}")
            args.stores = [s for s in args.stores if s != POSTGRES]
    started = time.monotonic()
    for size in args.sizes:
        dataset = Dataset(size, args.seed, args.year, args.order)
        say(f"{size:,} cases: data {dataset.path} …")
        try:
            meta = dataset.ensure(run.timeout(size))
        except Exception as exc:
            run.record(size, "-", "data", False, None, None, {}, repr(exc))
            say(f"  ✗ data: {exc!r}")
            continue
        run.doc["datasets"][str(size)] = meta
        say(f"  ✓ data: {meta['actions']:,} actions"
            f"{' (cached)' if meta.get('cached') else ''}")
        for store in args.stores:
            try:
                one_store(run, size, store, meta)
            finally:
                if not args.keep:
                    run.places.drop(size, store)
        run.doc["estimate"] = report.estimate(run.doc["results"], run.doc["datasets"],
                                              1_000_000)
        run.save()
    run.doc["finished"] = datetime.now().astimezone().isoformat(timespec="seconds")
    run.doc["seconds"] = round(time.monotonic() - started, 1)
    run.doc["load_at_end"] = machine.load_average()
    run.save()
    if not args.keep:
        run.places.remove()
    text = report.markdown(run.doc)
    print(text)
    say(f"written: {run.out / 'results.json'} and {run.out / 'results.md'}")
    return 0 if all(r["ok"] for r in run.doc["results"]) else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())

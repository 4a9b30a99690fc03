"""End-to-end latency through Kafka: action accepted on the intake topic → visible in read models.

The pipeline is the product's three processes on the applied store: `wenzheng intake`,
`wenzheng relay` (its position on the new events topic set to the store's head first, so it
publishes only what the intake adds) and `wenzheng consume --transport kafka` into the store's
read models. New cases (the demonstration city's following year, time order) are produced to
the intake topic, keyed by case number, at a steady rate; an action is *accepted* when the
broker acknowledges it and *visible* when the case's row in rm_cases reaches the version the
action makes. A watcher polls the read model every POLL_S. A warm-up (not counted) lets the
consumer groups join before the measured phase.
"""

from __future__ import annotations

import json
import os
import statistics
import threading
import time
from itertools import islice
from pathlib import Path
from typing import Any

from bench.e2e_stages import TopicWatcher, percentile, stage_figures
from bench.proc import Child, python_argv, step_env
from wenzheng.bootstrap.service import open_service, store_env

POLL_S = 0.02
CHUNK = 500
JOIN_TIMEOUT_S = 120.0
DRAIN_TIMEOUT_S = 60.0


def actions_for(year: int, seed: int, count: int, prefix: str) -> list[dict[str, Any]]:
    """The first `count` actions, in time order, of a demonstration year of new cases.

    Case numbers get `prefix` in front, so that a store measured again (bench/run --reuse)
    never receives the same cases twice."""
    from wenzheng.demogen import DemoSpec, generate
    from wenzheng.home import Home

    settings = Home.resolve().settings()
    departments = [(d.code, d.name, d.group) for d in settings.departments]
    spec = DemoSpec(cases=max(count // 3, 200), seed=seed, year=year, order="time")
    actions = list(islice(generate(spec, settings.deadline_policy(), departments), count))
    for action in actions:
        action["case"] = f"{prefix}{action['case']}"
        if "id" in action:
            action["id"] = f"{prefix}{action['id']}"
    return actions


class Watcher(threading.Thread):
    """Notes when each awaited (case, version) first shows in the read model."""

    def __init__(self, readmodels: str, expected_total: int) -> None:
        super().__init__(daemon=True)
        self.readmodels = readmodels
        self.lock = threading.Lock()
        self.awaited: dict[str, list[tuple[int, int]]] = {}
        self.seen: list[float | None] = [None] * expected_total
        self.seen_wall: list[float | None] = [None] * expected_total
        self.stop = threading.Event()
        self.error: str | None = None

    def expect(self, case: str, version: int, index: int) -> None:
        """Wait for this case to reach this version (action number `index`)."""
        with self.lock:
            self.awaited.setdefault(case, []).append((version, index))

    def pending(self) -> int:
        """Actions not yet visible."""
        with self.lock:
            return sum(len(v) for v in self.awaited.values())

    def run(self) -> None:
        """Poll the read model until stopped."""
        from projections.db import Database
        from projections.tables import CASES

        target = self.readmodels
        try:
            db = Database.postgres(target) if target.startswith("postgres") \
                else Database.sqlite(target)
        except Exception as exc:
            self.error = repr(exc)
            return
        try:
            while not self.stop.is_set():
                with self.lock:
                    cases = list(self.awaited)
                for i in range(0, len(cases), CHUNK):
                    part = cases[i:i + CHUNK]
                    marks = ", ".join("?" for _ in part)
                    try:
                        rows = db.fetchall(f"SELECT case_id, version FROM {CASES} "
                                           f"WHERE case_id IN ({marks})", part)
                    except Exception:  # the table may not exist before the first batch
                        rows = []
                    now, wall = time.perf_counter(), time.time()
                    with self.lock:
                        for case, version in rows:
                            waiting = self.awaited.get(case, [])
                            done = [w for w in waiting if w[0] <= int(version)]
                            for _, index in done:
                                self.seen[index] = now
                                self.seen_wall[index] = wall
                            rest = [w for w in waiting if w[0] > int(version)]
                            if rest:
                                self.awaited[case] = rest
                            else:
                                self.awaited.pop(case, None)
                self.stop.wait(POLL_S)
        finally:
            db.close()


def run(p: dict[str, Any]) -> dict[str, Any]:
    """Start the pipeline, feed it at the rate, measure each action's latency, stop it."""
    from kafka import KafkaProducer

    from consumers.kafkaio import ensure_topics
    from consumers.positions import open_positions
    from consumers.settings import KafkaSettings
    from domain.case import case_id
    from wenzheng.home import Home

    rate, seconds, warmup = float(p["rate"]), float(p["seconds"]), int(p["warmup"])
    measured = int(rate * seconds)
    prefix = "E" + str(p["tag"]).split("-")[0] + "-"
    actions = actions_for(int(p["year"]), int(p["seed"]), warmup + measured, prefix)
    names = {"WENZHENG_EVENTS_TOPIC": f"bench-e2e-events-{p['tag']}",
             "WENZHENG_INTAKE_TOPIC": f"bench-e2e-actions-{p['tag']}",
             "WENZHENG_DEAD_LETTER_TOPIC": f"bench-e2e-dead-{p['tag']}",
             "WENZHENG_PROJECTOR_GROUP": f"bench-e2e-projector-{p['tag']}",
             "WENZHENG_INTAKE_GROUP": f"bench-e2e-intake-{p['tag']}",
             "KAFKA_BOOTSTRAP_SERVERS": p["bootstrap"],
             "WENZHENG_KAFKA_SESSION_TIMEOUT_MS": "6000"}
    env = step_env(os.environ, **names, WENZHENG_DATABASE_URL=os.environ.get(
        "WENZHENG_DATABASE_URL"))
    home = Home.resolve()
    settings = KafkaSettings.resolve(home.settings().section("kafka"), env=env)
    ensure_topics(settings, [settings.events_topic, settings.intake_topic,
                             settings.dead_letter_topic])
    service = open_service(home)
    positions = open_positions(store_env(home))
    try:
        positions.advance(settings.events_topic, int(service.recorder.max_notification_id() or 0))
    finally:
        positions.close()
        service.close()
    logs = Path(p["logdir"])
    logs.mkdir(parents=True, exist_ok=True)
    children = {
        "intake": Child(python_argv("-m", "wenzheng.cli", "intake"), env, logs / "intake.log"),
        "relay": Child(python_argv("-m", "wenzheng.cli", "relay", "--quiet"), env,
                       logs / "relay.log"),
        "projector": Child(python_argv("-m", "wenzheng.cli", "consume", "--transport", "kafka"),
                           env, logs / "projector.log"),
    }
    watcher = Watcher(p["readmodels"], len(actions))
    topic_watcher = TopicWatcher(p["bootstrap"], settings.events_topic, len(actions))
    acked: list[float | None] = [None] * len(actions)
    acked_wall: list[float | None] = [None] * len(actions)
    producer = KafkaProducer(bootstrap_servers=[p["bootstrap"]], acks="all", linger_ms=0)
    versions: dict[str, int] = {}
    try:
        watcher.start()
        topic_watcher.start()

        def on_ack(index: int) -> None:
            acked[index], acked_wall[index] = time.perf_counter(), time.time()

        def send(index: int) -> None:
            action = actions[index]
            case = str(case_id(action["case"]))
            versions[case] = versions.get(case, 0) + 1
            watcher.expect(case, versions[case], index)
            topic_watcher.expect(case, versions[case], index)
            future = producer.send(settings.intake_topic, key=action["case"].encode(),
                                   value=json.dumps(action, ensure_ascii=False).encode())
            future.add_callback(lambda _meta, i=index: on_ack(i))

        def paced(first: int, count: int, deadline: float) -> tuple[float, float]:
            began = time.perf_counter()
            for k in range(count):
                delay = began + k / rate - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                send(first + k)
            producer.flush(timeout=30)
            ended = time.perf_counter()
            while watcher.pending() and time.perf_counter() < ended + deadline:
                if any(not c.running() for c in children.values()):
                    raise RuntimeError("a pipeline process exited early; see " + str(logs))
                time.sleep(0.05)
            return began, ended

        paced(0, warmup, JOIN_TIMEOUT_S)
        if watcher.pending():
            raise RuntimeError(f"warm-up actions never became visible; see {logs}")
        began, ended = paced(warmup, measured, DRAIN_TIMEOUT_S)
    finally:
        watcher.stop.set()
        topic_watcher.stop.set()
        producer.close(timeout=10)
        for child in children.values():
            child.interrupt()
        finished = {name: child.reap(60) for name, child in children.items()}
    watcher.join(timeout=10)
    topic_watcher.join(timeout=10)
    latencies = [s - a for s, a in zip(watcher.seen[warmup:], acked[warmup:], strict=True)
                 if s is not None and a is not None]
    tenth = max(len(latencies) // 10, 1)
    return {
        "rate_target": rate, "seconds_target": seconds, "warmup": warmup, "actions": measured,
        "rate_achieved": measured / (ended - began) if ended > began else None,
        "visible": len(latencies), "not_visible": measured - len(latencies),
        "p50": percentile(latencies, 0.5), "p90": percentile(latencies, 0.9),
        "p99": percentile(latencies, 0.99), "max": max(latencies, default=None),
        "mean": statistics.fmean(latencies) if latencies else None,
        # A pipeline that cannot keep up shows as latency growing from the first tenth to the last.
        "p50_first_tenth": percentile(latencies[:tenth], 0.5),
        "p50_last_tenth": percentile(latencies[-tenth:], 0.5),
        "poll_interval": POLL_S, "watcher_error": watcher.error,
        "stages": stage_figures(warmup, acked_wall, topic_watcher.recorded,
                                topic_watcher.published, watcher.seen_wall),
        "topic_watcher_error": topic_watcher.error,
        "processes": {name: {"exit": f.returncode, "peak_rss_mib": round(f.peak_rss_mib, 1),
                             "last_line": (f.output.strip().splitlines() or [""])[-1]}
                      for name, f in finished.items()},
    }

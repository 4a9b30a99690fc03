"""Duplicate and out-of-order redelivery into the Kafka projector and the intake."""

from __future__ import annotations

import tempfile
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kafka import KafkaProducer

from consumers.envelope import decode, encode
from consumers.projector import KafkaCaseProjection
from projections.caserow import ProjectionGap
from projections.record import EventRecord
from tests.faults.intakepipe import as_message, open_pipe
from tests.faults.support import (
    assert_read_models_equal_rebuild,
    fault_env,
    open_target,
    project_store,
    rebuilt,
    seeded,
    stored_events,
)
from tests.integration.kafka_support import (
    apply_actions,
    read_model_tables,
    run_cli,
    sample_actions,
)
from wenzheng.bootstrap.service import open_service
from wenzheng.home import Home

pytestmark = [pytest.mark.faults]
CASES = 8
Delivery = list[tuple[int, EventRecord]]  # (partition, record) in the order the broker gives


def to_record(value: bytes) -> EventRecord:
    """The EventRecord a message carries (the projector's decoding, spelled out)."""
    body = decode(value)
    return EventRecord.from_dict({**body, "fields": body["payload"]})


def envelopes(home: Home) -> list[tuple[bytes, bytes]]:
    """(key, value) of every stored event exactly as the relay publishes it."""
    service = open_service(home)
    try:
        numbers: dict[Any, str] = {}
        out = []
        for n in service.recorder.select_notifications(1, 100_000):
            event = service.mapper.to_domain_event(n)
            numbers.setdefault(event.originator_id, getattr(event, "number", ""))
            message = encode(event, n.id, numbers[event.originator_id])
            out.append((message.key, message.value))
        return out
    finally:
        service.close()


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Home, list[tuple[
        bytes, bytes]], dict[str, list[tuple[Any, ...]]]]]:
    """A store of eight full cases, its messages, and its read models rebuilt from scratch."""
    root = tmp_path_factory.mktemp("redelivery")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("WENZHENG_DATABASE_URL", raising=False)
        home = Home(root / "home")
        home.init()
        apply_actions(home, sample_actions(CASES, home.settings().department_codes()))
        yield home, envelopes(home), rebuilt(home, root / "rebuild.sqlite")


@st.composite
def redeliveries(draw: st.DrawFn, messages: list[tuple[bytes, bytes]]) -> Delivery:
    """Each case's events in order with replays of earlier stretches and repeated messages,
    the cases interleaved as partitions allow (a case keeps to one partition)."""
    per_case: dict[bytes, list[EventRecord]] = {}
    for key, value in messages:
        per_case.setdefault(key, []).append(to_record(value))
    streams: list[list[tuple[int, EventRecord]]] = []
    for records in per_case.values():
        part = draw(st.integers(0, 2))
        stream: list[tuple[int, EventRecord]] = []
        i = 0
        while i < len(records):
            stream.append((part, records[i]))
            roll = draw(st.integers(0, 9))
            if roll == 0:  # the relay repeats a stretch (killed before recording its position)
                back = draw(st.integers(0, i))
                stream += [(part, r) for r in records[back:i + 1]]
            elif roll == 1:  # the same message twice
                stream.append((part, records[i]))
            i += 1
        streams.append(stream)
    merged: Delivery = []
    while any(streams):
        live = [s for s in streams if s]
        merged.append(draw(st.sampled_from(live)).pop(0))
    return merged


def apply_in_batches(projection: KafkaCaseProjection, delivery: Delivery,
                     sizes: list[int]) -> None:
    """Feed the delivery in polled batches, with each partition's next offset."""
    offsets: Counter[int] = Counter()
    i = 0
    for size in sizes * (len(delivery) // max(min(sizes), 1) + 1):
        chunk = delivery[i:i + size]
        if not chunk:
            return
        batch: dict[int, list[EventRecord]] = {}
        for part, rec in chunk:
            batch.setdefault(part, []).append(rec)
            offsets[part] += 1
        projection.apply_partitions(batch, {p: offsets[p] for p in batch}, "topic-id")
        i += size


def test_the_projector_turns_any_redelivery_into_the_rebuilt_read_models(
    history: tuple[Home, list[tuple[bytes, bytes]], dict[str, list[tuple[Any, ...]]]],
    tmp_path: Path,
) -> None:
    home, messages, want = history
    calendar = home.settings().deadline_policy().calendar

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(redeliveries(messages), st.lists(st.integers(1, 40), min_size=1, max_size=5))
    def one(delivery: Delivery, sizes: list[int]) -> None:
        path = Path(tempfile.mkstemp(dir=tmp_path, suffix=".sqlite")[1])
        db = open_target(path)
        try:
            apply_in_batches(KafkaCaseProjection(db, calendar, "g", "t"), delivery, sizes)
        finally:
            db.close()
        assert read_model_tables(path) == want

    one()


def test_a_version_gap_is_refused_and_nothing_of_its_batch_is_written(
    history: tuple[Home, list[tuple[bytes, bytes]], dict[str, list[tuple[Any, ...]]]],
    tmp_path: Path,
) -> None:
    home, messages, _ = history
    records = [to_record(v) for _, v in messages]
    first, second = sorted({r.case_id for r in records})[:2]
    a = [r for r in records if r.case_id == first]
    b = [r for r in records if r.case_id == second]
    db = open_target(tmp_path / "gap.sqlite")
    try:
        projection = KafkaCaseProjection(db, home.settings().deadline_policy().calendar, "g", "t")
        projection.apply_partitions({0: a[:3]}, {0: 3}, "topic-id")
        before = read_model_tables(tmp_path / "gap.sqlite"), projection.stored()
        with pytest.raises(ProjectionGap):
            projection.apply_partitions({0: [b[0], a[4]], 1: b[1:3]}, {0: 5, 1: 2}, "topic-id")
        assert (read_model_tables(tmp_path / "gap.sqlite"), projection.stored()) == before
    finally:
        db.close()


@pytest.mark.kafka
def test_redelivered_messages_on_the_event_topic_give_the_rebuilt_read_models(
    history: tuple[Home, list[tuple[bytes, bytes]], dict[str, list[tuple[Any, ...]]]],
    tmp_path: Path, kafka_bootstrap: str,
) -> None:
    home, messages, _ = history
    rng = seeded("redelivery")
    per_key: dict[bytes, list[bytes]] = {}
    for key, value in messages:
        per_key.setdefault(key, []).append(value)
    topic = f"events.redelivery-{uuid.uuid4().hex[:8]}"
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    sent = 0
    try:
        for key, values in per_key.items():
            for i, value in enumerate(values):
                stretch = values[rng.randrange(i + 1):i + 1] if rng.random() < 0.3 else [value]
                for v in [*stretch, *([value] if rng.random() < 0.1 else [])]:
                    producer.send(topic, key=key, value=v)
                    sent += 1
        producer.flush(timeout=30)
    finally:
        producer.close()
    target = tmp_path / "kafka.sqlite"
    done = run_cli(fault_env(home, kafka_bootstrap), "consume", "--transport", "kafka",
                   "--topic", topic, "--group", f"redelivery-{uuid.uuid4().hex[:8]}",
                   "--readmodels", str(target), "--once", timeout=300)
    assert done.returncode == 0, done.stderr
    assert sent > len(messages)
    assert assert_read_models_equal_rebuild(home, target, tmp_path / "rb.sqlite") == len(messages)


@pytest.mark.kafka
def test_the_intake_counts_redelivered_and_reordered_actions_once(
    tmp_path: Path, kafka_bootstrap: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WENZHENG_DATABASE_URL", raising=False)
    rng = seeded("intake-redelivery")
    home = Home(tmp_path / "home")
    home.init()
    depts = home.settings().department_codes()
    in_order = sample_actions(6, depts)
    with open_pipe(home, kafka_bootstrap) as pipe:
        report = pipe.feed([as_message(a) for a in in_order])
        assert (report.applied, report.dead_lettered) == (len(in_order), 0)
        before = stored_events(home)
        again = [*in_order, *rng.sample(in_order, 10)]
        rng.shuffle(again)
        report = pipe.feed([as_message(a) for a in again])
        assert (report.applied, report.duplicates, report.dead_lettered) == (0, len(again), 0)
        assert stored_events(home) == before
        shuffled = sample_actions(6, depts, start=6)
        rng.shuffle(shuffled)
        first = pipe.feed([as_message(a) for a in shuffled])
        assert first.applied + first.dead_lettered == len(shuffled) and first.duplicates == 0
        applied_once = {e["action_id"] for e in stored_events(home)}
        second = pipe.feed([as_message(a) for a in sample_actions(6, depts, start=6)])
        assert second.duplicates == first.applied
    events = stored_events(home)
    assert len(events) == len({e["action_id"] for e in events})  # nothing stored twice
    assert applied_once <= {e["action_id"] for e in events}
    project_store(home, tmp_path / "inc.sqlite")
    assert assert_read_models_equal_rebuild(home, tmp_path / "inc.sqlite",
                                            tmp_path / "rb.sqlite") == len(events)
    print(f"intake redelivery: {len(again)} redelivered, all duplicates; {len(shuffled)} "
          f"out of order: {first.applied} applied, {first.dead_lettered} dead-lettered; "
          f"in order again: {second.applied} more applied")

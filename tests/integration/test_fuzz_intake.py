"""Fuzzing the intake topic: each poison message is dead-lettered, the next good one is applied."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.faults.intakepipe import Pipe, open_pipe
from tests.faults.support import assert_each_action_once, stored_events
from tests.integration.kafka_support import read_topic, sample_actions
from wenzheng.home import Home

pytestmark = pytest.mark.kafka
AT = "2025-03-03T10:00:00+08:00"


@pytest.fixture
def pipe(tmp_path: Path, kafka_bootstrap: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Pipe]:
    """An in-process intake on the embedded store, joined to its consumer group once."""
    monkeypatch.delenv("WENZHENG_DATABASE_URL", raising=False)
    home = Home(tmp_path / "home")
    home.init()
    with open_pipe(home, kafka_bootstrap) as opened:
        yield opened


def claim(case: str, **fields: Any) -> dict[str, Any]:
    """A claim line with fields replaced."""
    return {"action": "claim", "case": case, "at": AT, "by": "x", **fields}


# Poison by category: a strategy giving the message value. None of these can ever be applied.
POISON: dict[str, st.SearchStrategy[bytes | None]] = {
    "malformed JSON": st.text(max_size=60).map(lambda t: ("{\"action\": " + t).encode()),
    "not an object": st.one_of(st.integers(), st.lists(st.integers(), max_size=3),
                               st.text(max_size=10)).map(lambda v: json.dumps(v).encode()),
    "random bytes": st.binary(max_size=200),
    "empty": st.sampled_from([None, b"", b"   ", b"\n"]),
    "wrong type": st.sampled_from([123, 1.5, True, [], {}]).map(
        lambda v: json.dumps(claim("K-1", by=v)).encode()),
    "missing field": st.sampled_from(["case", "at", "by", "action"]).map(
        lambda f: json.dumps({k: v for k, v in claim("K-1").items() if k != f}).encode()),
    "naive time": st.datetimes().map(
        lambda d: json.dumps(claim("K-1", at=d.isoformat())).encode()),
    "absurd date": st.one_of(st.integers(1, 1999), st.integers(2100, 9999)).map(
        lambda y: json.dumps(claim("K-1", at=f"{y:04d}-06-01T10:00:00+08:00")).encode()),
    "oversized text": st.integers(20_001, 30_000).map(lambda n: json.dumps(
        {**claim("K-1"), "action": "publish_reply", "text": "长" * n},
        ensure_ascii=False).encode()),
    "control character": st.sampled_from([chr(c) for c in range(9)] + ["\x1b", "\x7f"]).map(
        lambda c: json.dumps(claim("K-1", by=f"op{c}1")).encode()),
    "unknown department": st.text("ABCXYZ", min_size=3, max_size=8).map(lambda d: json.dumps(
        {**claim("K-1"), "action": "assign", "department": "NO" + d}).encode()),
    "illegal transition": st.sampled_from(["claim", "close", "archive", "rate"]).map(
        lambda a: json.dumps({**claim(f"NEVER-{a}"), "action": a, "rating": "满意"}
                             if a == "rate" else {**claim(f"NEVER-{a}"), "action": a}).encode()),
    "poison bytes": st.binary(min_size=1, max_size=8).map(
        lambda b: b'{"action": "claim", "case": "' + b"\xff" + b + b'"}'),
}


# One fixed message of each category, fed first so that every category is always exercised.
FIXED: dict[str, bytes | None] = {
    "malformed JSON": b'{"action": "claim", "case": ', "not an object": b"[1, 2, 3]",
    "random bytes": b"\x00\x9f\xc3\x28 binary", "empty": None,
    "wrong type": json.dumps(claim("K-1", working_days="three", action="extend")).encode(),
    "missing field": json.dumps({"action": "claim", "case": "K-1", "by": "x"}).encode(),
    "naive time": json.dumps(claim("K-1", at="2025-03-03T10:00:00")).encode(),
    "absurd date": json.dumps(claim("K-1", at="0001-01-01T00:00:00+08:00")).encode(),
    "oversized text": json.dumps({**claim("K-1"), "action": "opinion", "text": "长" * 20_001},
                                 ensure_ascii=False).encode(),
    "control character": json.dumps(claim("K-1", by="op\x1b[2J")).encode(),
    "unknown department": json.dumps({**claim("K-1"), "action": "assign",
                                      "department": "NOWHERE"}).encode(),
    "illegal transition": json.dumps(claim("NEVER-REGISTERED")).encode(),
    "poison bytes": b'{"action": "claim", "case": "K-\xff\xfe"}',
}


@st.composite
def batches(draw: st.DrawFn) -> list[tuple[str, bytes | None]]:
    """A run of poison messages (category, value) with a few good slots (category 'good')."""
    picks = draw(st.lists(st.sampled_from(sorted(POISON)), min_size=1, max_size=8))
    out: list[tuple[str, bytes | None]] = [(c, draw(POISON[c])) for c in picks]
    for _ in range(draw(st.integers(1, 4))):
        out.insert(draw(st.integers(0, len(out))), ("good", None))
    return out


def test_every_poison_message_is_dead_lettered_and_the_next_good_one_applied(
    pipe: Pipe, kafka_bootstrap: str
) -> None:
    def one_batch(drawn: list[tuple[str, bytes | None]]) -> None:
        good = sample_actions(1, pipe.home.settings().department_codes(), start=next(pipe.cases))
        slots = iter(good)
        messages: list[tuple[bytes | None, bytes | None]] = []
        for category, value in drawn:
            if category == "good":
                for action in itertools.islice(slots, len(good) // 2 + 1):
                    messages.append((action["case"].encode(),
                                     json.dumps(action, ensure_ascii=False).encode()))
                    pipe.good.add(action["id"])
            else:
                messages.append((b"poison", value))
                pipe.poison[category] += 1
        for action in slots:  # the rest of the lifecycle after the last slot
            messages.append((action["case"].encode(), json.dumps(action).encode()))
            pipe.good.add(action["id"])
        report = pipe.feed(messages)
        poison = sum(1 for c, _ in drawn if c != "good")
        assert (report.applied, report.duplicates, report.dead_lettered) == (
            len(messages) - poison, 0, poison)

    one_batch([(c, FIXED[c]) for c in sorted(FIXED)] + [("good", None)])
    settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))(
        given(batches())(one_batch))()
    assert_each_action_once(stored_events(pipe.home), pipe.good)
    letters = read_topic(kafka_bootstrap, pipe.dead)
    assert len(letters) == sum(pipe.poison.values())
    assert all(r.headers["reason"].decode("utf-8").strip() for r in letters)
    assert {r.headers["stage"] for r in letters} <= {b"parse", b"rejected"}
    print(f"intake fuzz: {sum(pipe.poison.values())} poison messages {dict(pipe.poison)}, "
          f"{len(pipe.good)} good actions applied once")
    assert set(pipe.poison) == set(POISON)


def test_a_poison_message_at_the_size_limit_is_dead_lettered_cut_and_the_next_one_applied(
    pipe: Pipe, kafka_bootstrap: str
) -> None:
    big = b"{" + b"x" * (1_048_576 - 200) + b"}"  # fits the topic; with headers it would not
    good = sample_actions(1, pipe.home.settings().department_codes(), start=900)
    messages: list[tuple[bytes | None, bytes | None]] = [(b"big", big)] + [
        (a["case"].encode(), json.dumps(a).encode()) for a in good]
    report = pipe.feed(messages)
    assert (report.applied, report.dead_lettered) == (len(good), 1)
    assert_each_action_once(stored_events(pipe.home), {a["id"] for a in good})
    (letter,) = read_topic(kafka_bootstrap, pipe.dead)
    assert letter.headers["truncated-from"] == str(len(big)).encode()
    assert big.startswith(letter.value) and len(letter.value) < len(big)
    assert letter.headers["source-offset"] == b"0" and "JSON" in letter.headers["reason"].decode()

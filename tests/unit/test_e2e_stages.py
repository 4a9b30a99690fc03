"""The end-to-end phase's stage split: pure arithmetic over the recorded moments."""

from __future__ import annotations

from bench.e2e_stages import percentile, stage_figures


def test_each_stage_spans_from_one_moment_to_the_next_after_the_warm_up() -> None:
    acked = [0.0, 10.0, 20.0, 30.0]
    recorded = [5.0, 10.5, 20.25, None]  # the last action's event was never seen on the topic
    published = [6.0, 11.0, 21.25, None]
    seen = [7.0, 12.0, 21.5, 31.0]

    stages = stage_figures(1, acked, recorded, published, seen)

    assert stages["intake"] == {"count": 2, "p50": 0.25, "p99": 0.5, "max": 0.5}
    assert stages["relay"] == {"count": 2, "p50": 0.5, "p99": 1.0, "max": 1.0}
    assert stages["projector"] == {"count": 2, "p50": 0.25, "p99": 1.0, "max": 1.0}


def test_a_stage_with_no_complete_span_has_no_figures() -> None:
    stages = stage_figures(0, [1.0], [None], [None], [2.0])
    assert stages["relay"] == {"count": 0, "p50": None, "p99": None, "max": None}


def test_the_percentile_is_the_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile([], 0.5) is None

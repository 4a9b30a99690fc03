"""The benchmark's result table: ratios, targets, failures and the duration estimate (pure)."""

from __future__ import annotations

from typing import Any

from bench import report


def result(step: str, data: dict[str, Any], size: int = 10_000, store: str = "sqlite",
           ok: bool = True, wall: float | None = 10.0, rss: float | None = 100.0
           ) -> dict[str, Any]:
    """One step's entry as bench/run records it."""
    return {"size": size, "store": store, "step": step, "ok": ok, "error": None if ok else "boom",
            "wall": wall, "peak_rss_mib": rss, "data": data if ok else {}}


def apply_pair() -> report.RatePair:
    """The apply row's definition."""
    return next(p for p in report.RATE_PAIRS if p.step == "apply")


def test_ratio_is_missing_without_a_baseline() -> None:
    assert report.ratio(8.0, 10.0) == 0.8
    assert report.ratio(8.0, None) is None
    assert report.ratio(8.0, 0) is None


def test_numbers_are_formatted_for_reading() -> None:
    assert report.fmt_rate(12345.6) == "12,346/s"
    assert report.fmt_ratio(0.834) == "0.83×"
    assert report.fmt_seconds(0.0421) == "0.042 s"
    assert report.fmt_seconds(3.14) == "3.1 s"
    assert report.fmt_seconds(1234.0) == "1,234 s"
    assert report.fmt_seconds(None) == "—"


def test_apply_meets_its_target_only_with_ratio_and_sqlite_floor() -> None:
    results = [result("apply", {"rate": 12_000.0}), result("raw_save", {"rate": 14_000.0})]
    row = report.rate_row(results, 10_000, "sqlite", apply_pair())
    assert row[2:5] == ["12,000/s", "14,000/s", "0.86×"]
    assert row[6] == "✓"
    slow = [result("apply", {"rate": 9_000.0}), result("raw_save", {"rate": 10_000.0})]
    assert report.rate_row(slow, 10_000, "sqlite", apply_pair())[6] == "✗"


def test_the_sqlite_floor_does_not_apply_to_postgres() -> None:
    results = [result("apply", {"rate": 5_000.0}, store="postgres"),
               result("raw_save", {"rate": 6_000.0}, store="postgres")]
    row = report.rate_row(results, 10_000, "postgres", apply_pair())
    assert row[5] == "≥ 0.8×"
    assert row[6] == "✓"


def test_a_failed_baseline_shows_as_failed_and_is_not_judged() -> None:
    results = [result("apply", {"rate": 12_000.0}), result("raw_save", {}, ok=False)]
    row = report.rate_row(results, 10_000, "sqlite", apply_pair())
    assert row[3] == "failed"
    assert row[4] == "—"
    assert row[6] == "✓"  # only the absolute floor could be judged


def test_query_latency_over_a_second_is_a_miss() -> None:
    data = {"metrics": {"best": 1.4, "first": 2.0, "runs": [2.0, 1.4], "cli_wall": 3.0},
            "cli_startup": 1.0}
    rows = report.query_rows([result("queries", data)], 10_000, "sqlite")
    metrics = rows[0]
    assert metrics[2] == "1.4 s"
    assert metrics[6] == "✗"
    assert rows[1][6] == "—"  # scorecard not measured: not judged


def test_end_to_end_p99_and_unseen_actions_decide_the_mark() -> None:
    data = {"actions": 12_000, "rate_target": 200.0, "p50": 0.2, "p99": 0.6, "max": 0.9,
            "not_visible": 0, "processes": {"intake": {"peak_rss_mib": 120.0}}}
    row = report.e2e_row([result("e2e", data)], 10_000, "sqlite")
    assert row is not None
    assert row[2] == "0.200 s / 0.600 s"
    assert row[6] == "✓"
    lost = report.e2e_row([result("e2e", {**data, "not_visible": 3})], 10_000, "sqlite")
    assert lost is not None and lost[6] == "✗"


def test_estimate_extrapolates_each_step_through_two_sizes() -> None:
    results = [result("apply", {}, size=10_000, wall=12.0),
               result("apply", {}, size=100_000, wall=102.0),
               result("e2e", {}, size=100_000, wall=70.0)]
    guess = report.estimate(results, {"100000": {"generate_seconds": 50.0}}, 1_000_000)
    assert guess is not None
    # apply: 2 s + 0.001 s per case → 1,002 s; e2e fixed 70 s; generation 500 s
    assert round(guess["seconds"]) == 1002 + 70 + 500
    assert guess["from_sizes"] == [10_000, 100_000]


def test_markdown_names_the_machine_load_and_failures() -> None:
    run = {"machine": {"date": "2026-01-01T00:00:00+08:00", "cpu": "EPYC", "cores": 2,
                       "memory_gib": 23.5, "python": "3.11.7", "postgres": "15.20",
                       "kafka": "Tansu", "load_at_start": [2.5, 2.0, 1.0], "loaded": True,
                       "git": {"commit": "abcdef0123456", "dirty": False}},
           "params": {"sizes": [10_000], "stores": ["sqlite"]},
           "datasets": {"10000": {"actions": 84_000}},
           "results": [result("apply", {"rate": 5_000.0}), result("raw_save", {}, ok=False)]}
    text = report.markdown(run)
    assert "2 cores" in text and "(loaded)" in text and "PostgreSQL 15.20" in text
    assert "#### 10,000 cases, 84,000 actions" in text
    assert "10,000 · sqlite · raw_save: boom" in text


def test_progress_lines_show_each_step_s_headline_figure() -> None:
    assert report.step_summary({"rate": 1500.0}) == "1,500/s"
    assert report.step_summary({"p50": 0.25, "p99": 0.75}) == "p50 0.250 s, p99 0.750 s"
    assert report.step_summary({"metrics": {"best": 0.5}, "cli_startup": 1.0}) == "metrics 0.500 s"


def test_merged_runs_keep_every_store_and_the_later_figure() -> None:
    first = {"machine": {"date": "d1"}, "params": {"sizes": [10_000], "stores": ["sqlite"]},
             "datasets": {"10000": {"actions": 84_000}},
             "results": [result("apply", {"rate": 1_000.0})]}
    second = {"machine": {"date": "d2"}, "params": {"sizes": [10_000], "stores": ["postgres"]},
              "results": [result("apply", {"rate": 2_000.0}),
                          result("apply", {"rate": 3_000.0}, store="postgres")]}
    merged = report.merge([first, second])
    assert merged["params"] == {"sizes": [10_000], "stores": ["sqlite", "postgres"]}
    rates = {(r["store"], r["step"]): r["data"]["rate"] for r in merged["results"]}
    assert rates == {("sqlite", "apply"): 2_000.0, ("postgres", "apply"): 3_000.0}
    assert "### bench/run — d1, d2" in report.markdown(merged)


def test_the_end_to_end_row_names_each_stage_when_the_run_timed_them() -> None:
    stages = {"intake": {"p50": 0.1, "p99": 0.3}, "relay": {"p50": 0.05, "p99": 0.2},
              "projector": {"p50": 0.02, "p99": 4.0}}
    data = {"actions": 12_000, "rate_target": 200.0, "p50": 0.2, "p99": 4.5, "max": 5.0,
            "not_visible": 0, "processes": {}, "stages": stages}
    row = report.e2e_row([result("e2e", data)], 10_000, "sqlite")
    assert row is not None
    assert row[3].endswith("stages p50 / p99: intake 0.100 s / 0.300 s, relay 0.050 s / "
                           "0.200 s, projector 0.020 s / 4.0 s")
    assert row[6] == "✗"
    older = report.e2e_row([result("e2e", {k: v for k, v in data.items() if k != "stages"})],
                           10_000, "sqlite")
    assert older is not None and "stages" not in older[3]

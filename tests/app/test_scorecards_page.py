"""部门考核: the ranking equals `wenzheng scorecard`, filters, charts, drill-down, downloads."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from scorecards.inert import md_escape
from tests.app.conftest import Downloads, page_as, texts
from wenzheng.cli import main

PAGE = "app_pages/department_scores.py"
AS_OF_DAY = date(2026, 1, 31)


@pytest.fixture(scope="module")
def expected(demo_home: Path) -> dict[str, Any]:
    """`wenzheng scorecard --year 2025 --as-of 2026-01-31 --format json` on the demo home."""
    out = io.StringIO()
    from contextlib import redirect_stdout

    with redirect_stdout(out):
        assert main(["--home", str(demo_home), "scorecard", "--year", "2025", "--as-of",
                     AS_OF_DAY.isoformat(), "--format", "json"]) == 0
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def scores_page(**widgets: Any) -> AppTest:
    """The page as a leader, as of 2026-01-31, with other widgets set."""
    at = page_as(PAGE, "leader")
    at.selectbox(key="score_year").set_value(2025).run()
    at.date_input(key="score_as_of").set_value(AS_OF_DAY).run()
    for key, value in widgets.items():
        at.selectbox(key=key).set_value(value).run()
    assert not at.exception
    return at


def test_the_ranking_equals_the_scorecard_command(home: Path, expected: dict[str, Any]) -> None:
    at = scores_page()
    frame = at.dataframe[0].value
    cards = {c["code"]: c for c in expected["cards"]}
    assert sorted(frame["代码"]) == sorted(cards)
    ranked = 0
    for row in frame.to_dict("records"):
        card = cards[row["代码"]]
        assert row["受理"] == card["received"]
        assert (row["得分"] == pytest.approx(card["score"]) if card["score"] is not None
                else row["得分"] != row["得分"] or row["得分"] is None)
        if card["rank"] is not None:
            ranked += 1
            assert row["排名"] == str(card["rank"]) and row["等级"] == (card["grade"] or "—")
        elif card["received"]:
            assert row["排名"] == "不参与排名"  # never None
        for rate in card["rates"]:
            label = {"response": "响应率", "resolution": "解决率", "satisfaction": "满意率"}[
                rate["key"]]
            if rate["value"] is not None:
                assert row[label] == pytest.approx(rate["value"])
                low, high = (float(x.strip(" %")) / 100 for x in
                             row[f"{label}区间"].strip("[]").split(","))
                assert low - 1e-3 <= rate["value"] <= high + 1e-3
    assert ranked >= 5
    assert expected["rules_version"] in " ".join(c.value for c in at.caption)


def test_rates_are_progress_columns(home: Path) -> None:
    at = scores_page()
    config = json.loads(at.dataframe[0].proto.columns)
    for label in ("响应率", "解决率", "满意率"):
        assert config[label]["type_config"]["type"] == "progress"
        assert config[label]["type_config"]["max_value"] == 1.0


def test_the_peer_group_filter_shows_only_that_group(
        home: Path, expected: dict[str, Any]) -> None:
    at = scores_page(score_group="县市区")
    frame = at.dataframe[0].value
    in_group = {c["code"] for c in expected["cards"] if c["group"] == "县市区"}
    assert set(frame["分组"]) == {"县市区"}
    assert set(frame["代码"]) == in_group
    ranks = [int(r) for r in frame["排名"] if r.isdigit()]
    assert sorted(ranks) == sorted(c["rank"] for c in expected["cards"]
                                   if c["group"] == "县市区" and c["rank"] is not None)


def test_the_year_filter_offers_the_years_with_assigned_cases_newest_first(home: Path) -> None:
    at = page_as(PAGE, "leader")
    # the demonstration year 2025, and its last messages assigned in January 2026
    assert at.selectbox(key="score_year").options == ["2026", "2025"]
    year = at.selectbox(key="score_year").value
    assert f"统计 {year} 年交办的案件" in at.caption[0].value


def test_there_is_a_chart_per_measure(home: Path) -> None:
    at = scores_page()
    assert [t.label for t in at.tabs] == ["得分", "响应率", "解决率", "满意率"]
    for tab in at.tabs:
        charts = [e for e in tab.children.values() if getattr(e, "type", "") == "vega_lite_chart"]
        assert len(charts) == 1


def test_drilling_down_shows_the_explanation_and_the_cases_behind_each_deduction(
        home: Path, expected: dict[str, Any]) -> None:
    card = max(expected["cards"], key=lambda c: (c["deducted"], c["code"]))
    assert card["deducted"] > 0
    at = scores_page(score_unit=card["code"])
    shown = "\n".join(m.value for m in at.markdown)
    for line in card["explanation"]:  # the first few cases of each line; the tables list all
        assert md_escape(line.split("：")[0]) in shown  # shown as literal text, never as Markdown
    assert "SF" in shown
    deductions = at.dataframe[1].value
    items = {(d["label"], item) for d in card["deductions"] for item in d["items"]}
    assert set(zip(deductions["扣分项"], deductions["案件"], strict=True)) == items
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["得分"] == f"{card['score']:.2f}" and metrics["扣分"] == f"{card['deducted']:g}"


def test_downloads_give_the_scorecards_as_csv_and_excel(
        home: Path, expected: dict[str, Any], downloads: Downloads) -> None:
    at = scores_page()
    assert {getattr(b, "label", "") for b in at.get("download_button")} == {"下载 CSV",
                                                                             "下载 Excel"}
    csv_text = downloads.bytes_of("scorecard-2025.csv").decode("utf-8-sig")
    assert csv_text.startswith("code,name,group,received")
    assert len(csv_text.strip().splitlines()) == len(expected["cards"]) + 1
    book = openpyxl.load_workbook(io.BytesIO(downloads.bytes_of("scorecard-2025.xlsx")))
    assert book.sheetnames == ["考核结果", "扣分明细", "说明"]
    assert book["考核结果"].max_row == len(expected["cards"]) + 1
    details = book["扣分明细"]
    assert details.max_row - 1 == sum(len(d["items"]) for c in expected["cards"]
                                      for d in c["deductions"])


def test_the_page_shows_a_precomputed_snapshot_with_when_it_was_computed(
        home: Path, expected: dict[str, Any]) -> None:
    import streamlit as st

    from domain.calendar import BUSINESS_TZ, end_of_day
    from scorecards import snapshot
    from wenzheng.bootstrap.readside import open_readmodels
    from wenzheng.bootstrap.scorer import context, rules_for
    from wenzheng.home import Home

    db = open_readmodels(Home(home))
    try:
        stored = snapshot.compute(db, context(Home(home)), rules_for(Home(home), 2025, None),
                                  2025, end_of_day(AS_OF_DAY),
                                  datetime(2026, 2, 1, 9, 30, tzinfo=BUSINESS_TZ))
    finally:
        db.close()
    st.cache_data.clear()
    at = scores_page()
    caption = at.caption[0].value
    assert "数据截至 2026-01-31 23:59，计算于 2026-02-01 09:30" in caption
    ranks = dict(zip(at.dataframe[0].value["代码"], at.dataframe[0].value["排名"], strict=True))
    for card in expected["cards"]:
        if card["rank"] is not None:
            assert ranks[card["code"]] == str(card["rank"])
    assert stored.summary.card(expected["cards"][0]["code"]).received == \
        expected["cards"][0]["received"]


def test_the_leader_first_sees_the_ranking_the_red_and_black_lists_and_the_parts(
        home: Path, expected: dict[str, Any]) -> None:
    at = scores_page()
    headings = [h.value for h in at.subheader]
    assert headings[:3] == ["同类单位排名", "得分构成", "全部单位"]
    assert "月度趋势" in headings
    shown = texts(at)
    for group in ("市直部门", "县市区"):
        ranked = sorted((c for c in expected["cards"] if c["group"] == group and c["rank"]),
                        key=lambda c: c["rank"])
        if ranked:
            assert f"1. {ranked[0]['name']} {ranked[0]['score']:.2f}" in shown
    assert "红榜（前 5 名）" in shown and "黑榜（后 5 名）" in shown
    frame = at.dataframe[0].value
    assert "None" not in frame["排名"].astype(str).tolist()
    if any(c["rank"] is None and c["received"] for c in expected["cards"]):
        assert "不参与排名" in frame["排名"].tolist()
    assert {"扣分·超期", "扣分·曝光台条目", "较上年"} <= set(frame.columns)
    charts = [e for e in at.get("vega_lite_chart")]
    assert len(charts) >= 3  # a ranking per peer group shown, the parts, the trend


def test_the_page_reads_as_of_the_demo_clock_and_says_so(home: Path) -> None:
    at = page_as(PAGE, "leader")
    assert not at.exception
    assert at.date_input(key="score_as_of").value == AS_OF_DAY  # [demo] now, not the wall
    assert at.selectbox(key="score_year").value == 2025
    caption = at.caption[0].value
    assert "数据截至 2026-01-31 23:59" in caption and "[demo] now" in caption

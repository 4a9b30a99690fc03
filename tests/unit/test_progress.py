"""The one progress display: a tqdm bar on a terminal, sparse plain lines otherwise."""

from __future__ import annotations

import io

import pytest

from wenzheng import progress
from wenzheng.progress import Progress


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_without_a_terminal_it_prints_whole_lines_no_more_often_than_every_few_seconds(
        monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter([0.0, 1.0, progress.PLAIN_EVERY_S + 1, progress.PLAIN_EVERY_S + 2])
    monkeypatch.setattr(progress.time, "monotonic", lambda: next(clock))
    out = io.StringIO()
    with Progress("已处理", 5000, "行", stream=out) as shown:
        shown.show(1000)  # at 1 s: too soon
        shown.show(3000)  # at 6 s: a line
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("已处理 3000/5000 行（60%，") and "\r" not in out.getvalue()
    assert lines[1].startswith("已处理 3000/5000 行") and lines[1].endswith("秒）")
    assert len(lines) == 2  # the last count when it closes


def test_a_note_and_a_moving_total_are_shown() -> None:
    out = io.StringIO()
    with Progress("已校验", unit="件", stream=out) as shown:
        shown.show(40, note="300 个事件")
    assert out.getvalue().startswith("已校验 40 件（") and "，300 个事件）" in out.getvalue()
    out = io.StringIO()
    with Progress("投影进度", stream=out) as shown:
        shown.show(50, 200)
    assert out.getvalue().startswith("投影进度 50/200（25%，")


def test_a_disabled_progress_shows_nothing() -> None:
    out = Terminal()
    with Progress("已生成动作", enabled=False, stream=out) as shown:
        shown.show(10)
    assert out.getvalue() == ""


def test_on_a_terminal_it_draws_a_tqdm_bar_and_ends_the_line() -> None:
    out = Terminal()
    with Progress("已处理", 10, "行", stream=out) as shown:
        for done in range(1, 11):
            shown.show(done)
    text = out.getvalue()
    assert "\r" in text and "已处理" in text and "10/10" in text and text.endswith("\n")

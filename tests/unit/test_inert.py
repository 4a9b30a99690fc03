"""Typed text made inert: Markdown escaping and spreadsheet/CSV formula neutralisation (pure)."""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scorecards.inert import MD_SPECIAL, csv_cell, md_escape, md_literal_block, sheet_text

LINK = "[点此登录](http://x.example/phish) ![t](http://x.example/track.png)"
HTML = '<img src=x onerror="alert(1)">'
FORMULA = '=HYPERLINK("http://x.example","点我查看")'


def unescape(markdown: str) -> str:
    """CommonMark's reading of backslash escapes of ASCII punctuation."""
    return re.sub(r"\\([" + re.escape(string.punctuation) + "])", r"\1", markdown)


def test_a_link_and_an_image_become_literal_text() -> None:
    shown = md_escape(LINK)
    assert "](" not in shown and "![" not in shown and "http://" not in shown
    assert unescape(shown) == LINK


def bare_punctuation(markdown: str) -> list[str]:
    """Marks that open Markdown syntax which a parser would see unescaped."""
    bare, i = [], 0
    while i < len(markdown):
        if markdown[i] == "\\" and i + 1 < len(markdown) and markdown[i + 1] in string.punctuation:
            i += 2
            continue
        if markdown[i] in MD_SPECIAL:
            bare.append(markdown[i])
        i += 1
    return bare


def test_html_and_a_bare_address_cannot_be_parsed_as_markup() -> None:
    assert bare_punctuation(md_escape(HTML)) == [] and unescape(md_escape(HTML)) == HTML
    assert bare_punctuation(md_escape("见 www.x.example 或 a|b 或 z@x.example")) == []
    assert md_escape("SF2025-000013") == "SF2025-000013"  # hyphens inside text stay


@given(st.text())
def test_every_mark_opening_markdown_is_escaped_and_no_line_break_survives(text: str) -> None:
    shown = md_escape(text)
    assert "\n" not in shown and "\r" not in shown
    assert bare_punctuation(shown) == [] and unescape(shown) == " ".join(text.splitlines())
    assert not shown.startswith(("-", "+", "="))  # no list item or heading underline


def test_a_literal_block_fence_is_longer_than_any_backticks_inside() -> None:
    block = md_literal_block(["a ```` b", "c"])
    assert block[0] == "`````text" and block[-1] == "`````"


@pytest.mark.parametrize("typed", [FORMULA, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
                                   "\t=1", "\r=1", "＝1+1"])
def test_text_starting_like_a_formula_gets_a_leading_quote(typed: str) -> None:
    assert sheet_text(typed) == "'" + typed
    assert csv_cell(typed) == "'" + typed


@pytest.mark.parametrize("typed", ["-1.5", "+3", "—", "市公安局", "95.0%"])
def test_plain_numbers_and_ordinary_text_are_left_as_they_are(typed: str) -> None:
    assert sheet_text(typed) == typed


def test_csv_cells_keep_numbers_and_write_none_as_empty() -> None:
    assert csv_cell(None) == "" and csv_cell(3) == "3" and csv_cell(0.5) == "0.5"


def test_a_bulletins_changes_file_lists_hostile_differences_inside_a_fence() -> None:
    from wenzheng.commands.scoring import changes_text

    old = {"content_hash": "a" * 64, "content": {"month": "2025-11", "t": "旧"}}
    new = {"content_hash": "b" * 64, "content": {"month": "2025-11", "t": LINK + "\n```\n" + HTML}}
    text = changes_text(old, new)
    fence = next(line for line in text.splitlines() if line.startswith("```"))
    assert fence == "````text"  # longer than the three backticks inside
    inside = text.split(fence, 1)[1]
    assert LINK in inside and inside.rstrip().endswith("````")

"""Masking personal data in free text: phones, ID cards, e-mails, long numbers (pure)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scorecards.masking import mask_citizen, mask_entry, mask_name, mask_phone, mask_text

CASES = [
    ("我的电话13812345678请尽快回电", "我的电话138****5678请尽快回电"),
    ("电话 138-1234-5678", "电话 138-****-5678"),
    ("+86 138 1234 5678 找我", "+86 138 **** 5678 找我"),
    ("8613812345678", "86138****5678"),
    ("１３８１２３４５６７８", "１３８****５６７８"),
    ("身份证11010519491231002X", "身份证110*************2X"),
    ("身份证号110105194912310021。", "身份证号110*************21。"),
    ("邮箱 zhang.san@example.cn 谢谢", "邮箱 z***@example.cn 谢谢"),
    ("座机0755-86001234", "座机0755-******34"),
    ("QQ 123456789", "QQ *******89"),
]


@pytest.mark.parametrize(("typed", "shown"), CASES)
def test_contact_patterns_in_free_text_are_masked(typed: str, shown: str) -> None:
    assert mask_text(typed) == shown


@pytest.mark.parametrize("text", ["2025-10-11停水", "案件 SF2025-000031", "3 个工作日", "", "无"])
def test_dates_short_numbers_and_plain_text_are_left_alone(text: str) -> None:
    assert mask_text(text) == text


def test_an_ids_check_letter_and_its_digits_never_show_in_full() -> None:
    shown = mask_text("11010519491231002X")
    assert "1949" not in shown and shown.count("*") == 13


def test_a_phone_field_keeps_three_and_four_digits_and_short_numbers_reveal_little() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("12345678") == "****78"  # no longer 7 of 8 digits shown
    assert mask_phone("123") == "****" and mask_phone(None) is None
    assert mask_name("欧阳娜娜") == "欧***"


def test_an_exposure_entry_has_its_demand_reason_and_handling_masked_and_its_number_kept() -> None:
    entry = {"case": "13812345678", "demand": "电话13812345678", "reason": "超期",
             "handling": "已回电13900001111", "rule": "overdue"}
    masked = mask_entry(entry)
    assert masked["case"] == "13812345678"  # an identifier, not free text
    assert masked["demand"] == "电话138****5678" and masked["handling"] == "已回电139****1111"


@given(st.text())
def test_masking_is_idempotent_and_leaves_no_run_of_seven_digits(text: str) -> None:
    once = mask_text(text)
    assert mask_text(once) == once
    assert not re.search(r"\d{7,}", once)


def test_the_command_line_and_the_app_mask_a_citizen_alike() -> None:
    from wenzheng.commands.cases import mask_personal_data
    from wenzheng.webapp.masking import mask_personal

    citizen = {"name": "欧阳娜娜", "phone": "13812345678"}
    event = {"citizen": dict(citizen), "content": "电话 13812345678"}
    mask_personal_data(event)
    assert event["citizen"] == mask_citizen(citizen) == {"name": "欧***", "phone": "138****5678"}
    assert mask_personal({"citizen": citizen})["citizen"] == event["citizen"]

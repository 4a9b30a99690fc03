"""月度通报 (issued bulletins, downloadable) and 系统状态 (positions and lag)."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import openpyxl
import pytest

from domain.bulletin import BulletinLedger
from tests.app.conftest import Downloads, page_as, texts
from wenzheng.bootstrap.service import open_service
from wenzheng.home import Home
from wenzheng.webapp.bulletinview import bulletin_from_content

BULLETINS = "app_pages/bulletins.py"
STATUS = "app_pages/status.py"


def ledger(home: Path) -> BulletinLedger:
    """The home's issued bulletins."""
    return BulletinLedger(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                               "SQLITE_DBNAME": str(home / "bulletins.sqlite")})


@pytest.mark.parametrize("role", ["leader", "supervisor", "admin"])
def test_the_issued_bulletins_are_listed_newest_first(home: Path, role: str) -> None:
    at = page_as(BULLETINS, role)
    assert not at.exception
    listed = at.dataframe[0].value
    year = [f"2025-{m:02d}" for m in range(12, 0, -1)]  # `wenzheng demo` issues all twelve
    assert list(listed["月份"]) == year
    assert at.selectbox(key="bulletin_month").options == year


def test_a_bulletin_downloads_as_word_and_excel_rendered_from_its_recorded_content(
        home: Path, downloads: Downloads) -> None:
    at = page_as(BULLETINS, "leader")
    at.selectbox(key="bulletin_month").set_value("2025-11").run()
    assert not at.exception
    recorded = ledger(home).issued("2025-11")
    assert recorded is not None
    assert any(recorded["content_hash"] in s.value for s in at.success)
    word = docx.Document(io.BytesIO(downloads.bytes_of("bulletin-2025-11.docx")))
    assert "示范市网络问政工作2025年11月通报" in word.paragraphs[0].text
    assert word.core_properties.subject == recorded["content_hash"]
    book = openpyxl.load_workbook(io.BytesIO(downloads.bytes_of("bulletin-2025-11.xlsx")))
    assert book.sheetnames[:2] == ["总体情况", "单位排名"]
    assert book.properties.subject == recorded["content_hash"]
    assert "2025年11月通报" in texts(at)


def test_rebuilding_a_bulletin_from_its_content_keeps_its_hash(home: Path) -> None:
    for month in ("2025-10", "2025-11", "2025-12"):
        recorded = ledger(home).issued(month)
        assert recorded is not None
        assert bulletin_from_content(recorded["content"]).content_hash() == \
            recorded["content_hash"]


def test_the_status_page_shows_the_store_head_and_no_projection_lag(home: Path) -> None:
    at = page_as(STATUS, "admin")
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    service = open_service(Home(home))
    head = int(service.recorder.max_notification_id() or 0)
    service.close()
    assert head > 0
    assert shown["事件库位置"] == str(head)
    assert shown["投影落后（事件）"] == "0"
    rows = dict(zip(*(at.dataframe[0].value[c] for c in ("项目", "数值")), strict=True))
    assert rows["投影位置（跟随事件库）"] == str(head)
    assert rows["传输方式"] == "跟随事件库"
    assert "Kafka" in rows and "password" not in texts(at).lower()


def test_the_status_page_lists_recent_case_views(home: Path) -> None:
    page_as("app_pages/audit.py", "supervisor", "viewer-9").text_input(
        key="audit_number").input("SF2025-000031").run()
    at = page_as(STATUS, "admin")
    views = at.dataframe[1].value
    assert ("viewer-9", "SF2025-000031") in set(zip(views["查阅人"], views["案件编号"],
                                                    strict=True))

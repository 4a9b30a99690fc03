"""Citizen-typed text stays inert: no live Markdown on the pages, masked contact numbers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from domain.calendar import BUSINESS_TZ
from tests.integration.test_bulletin_golden import act, handled
from tests.integration.test_projection_sqlite import write_jsonl
from wenzheng.cli import main

ROOT = Path(__file__).resolve().parents[2]
NOV = datetime(2025, 11, 3, 9, 0, tzinfo=BUSINESS_TZ)
LINK = "[点此登录](http://x.example/phish) ![t](http://x.example/track.png)"
HTML = '<img src=x onerror="alert(1)">看这里'
FORMULA = '=HYPERLINK("http://x.example","点我查看")'
PHONE = "我的电话13812345678请尽快回电"
ID_CARD = "身份证11010519491231002X"
ADDRESS = "http://x.example/p"  # a case number may hold ':' '/' '.': it must not become a link
TITLES = {"P-LINK": LINK, "P-HTML": HTML, "P-FORMULA": FORMULA, "P-PHONE": PHONE,
          "P-ID": ID_CARD, ADDRESS: "编号像网址的案件"}
RAW = ("13812345678", "11010519491231002X")
LIVE = ("](", "![", "<img", "http://")


def neglected(case: str, title: str) -> list[dict[str, object]]:
    """A case assigned to 市公安局 and never claimed: overdue, supervised, exposed."""
    return [act(NOV, case, "register", 0, source="12345", title=title, content=title,
                category="求助", priority="一般", region="清河区",
                citizen={"name": "李四", "phone": "13912345678"}),
            act(NOV, case, "assign", 1, department="GAJ"),
            act(NOV, case, "supervise", 30, level="督办", note=title)]


def build_payload_home(home: Path) -> Path:
    """A home whose November cases carry hostile titles, with November's bulletin issued."""
    assert main(["--home", str(home), "init"]) == 0
    with (home / "wenzheng.toml").open("a", encoding="utf-8") as config:
        config.write('\n[[scoring.rules]]\nversion = "测试-1"\nmin_volume_year = 1\n'
                     "min_volume_month = 1\n")
    actions = [*handled(NOV, "N-1", "CGJ"), *handled(NOV, "N-2", "GAJ")]
    for case, title in TITLES.items():
        actions += neglected(case, title)
    lines = write_jsonl(home / "payload.jsonl", actions)
    assert main(["--home", str(home), "apply", str(lines)]) == 0
    assert main(["--home", str(home), "bulletins", "--since", "2025-11", "--out",
                 str(home / "bulletins"), "--now", "2025-12-31T23:00:00+08:00"]) == 0
    return home


@pytest.fixture(scope="module")
def payload_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The payload home, built once for this module."""
    return build_payload_home(tmp_path_factory.mktemp("payload-home"))


@pytest.fixture
def home(payload_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The payload home through WENZHENG_HOME."""
    monkeypatch.setenv("WENZHENG_HOME", str(payload_home))
    for name in ("WENZHENG_DATABASE_URL", "WENZHENG_ENV", "WENZHENG_TRANSPORT",
                 "KAFKA_BOOTSTRAP_SERVERS"):
        monkeypatch.delenv(name, raising=False)
    yield payload_home


def run_page(page_file: str, role: str, **widgets: object) -> AppTest:
    """A page file run with a signed-in role, widgets set by key."""
    at = AppTest.from_file(str(ROOT / page_file), default_timeout=120)
    if role != "public":
        at.session_state["wz_user"] = {"name": role, "role": role, "via": "password"}
    at.run()
    for key, value in widgets.items():
        at.selectbox(key=key).set_value(value) if key != "audit_number" else \
            at.text_input(key=key).input(str(value))
        at.run()
    assert not at.exception
    return at


def interpreted(at: AppTest) -> list[str]:
    """Every value the page hands to Streamlit's Markdown renderer."""
    values: list[str] = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "info", "success",
                 "warning", "error"):
        values += [str(getattr(e, "value", "")) for e in at.get(kind)]
    values += [f"{m.label} {m.value}" for m in at.metric]
    values += [str(getattr(e, "label", "")) for e in at.get("expander")]
    return values


def plain(at: AppTest) -> str:
    """What the page shows without interpreting it: st.text and every table cell."""
    parts = [str(getattr(t, "value", "")) for t in at.get("text")]
    parts += [str(cell) for frame in at.dataframe for cell in frame.value.to_numpy().ravel()]
    return "\n".join(parts)


def assert_inert(at: AppTest) -> None:
    """No Markdown value carries a live link, image or tag; no raw contact number anywhere."""
    for value in interpreted(at):
        for live in LIVE:
            assert live not in value, value
    shown = "\n".join([*interpreted(at), plain(at)])
    for raw in RAW:
        assert raw not in shown


def test_the_bulletin_page_shows_hostile_titles_as_plain_text_with_numbers_masked(
        home: Path) -> None:
    at = run_page("app_pages/bulletins.py", "leader", bulletin_month="2025-11")
    assert_inert(at)
    shown = plain(at)
    assert LINK in shown and HTML in shown and FORMULA in shown  # shown, as text
    assert "我的电话138****5678请尽快回电" in shown and "身份证110*************2X" in shown


def test_the_public_exposure_page_shows_hostile_titles_inert_and_masked(home: Path) -> None:
    at = run_page("app_pages/exposure.py", "public")
    assert_inert(at)
    demands = set(at.dataframe[0].value["群众诉求"])
    assert {LINK, HTML, FORMULA, "我的电话138****5678请尽快回电"} <= demands


def test_the_audit_page_masks_numbers_in_titles_for_an_admin(home: Path) -> None:
    at = run_page("app_pages/audit.py", "admin", audit_number="P-PHONE")
    assert_inert(at)
    assert "我的电话138****5678请尽快回电" in plain(at)


def test_a_cleared_supervisor_sees_the_number_in_the_title_as_typed(home: Path) -> None:
    at = run_page("app_pages/audit.py", "supervisor", audit_number="P-PHONE")
    assert PHONE in plain(at)
    for value in interpreted(at):
        assert "13812345678" not in value and "](" not in value


def test_a_case_number_shaped_like_an_address_is_shown_escaped(home: Path) -> None:
    at = run_page("app_pages/audit.py", "supervisor", audit_number=ADDRESS)
    assert [s.value for s in at.subheader] == ["案件 http\\://x\\.example/p"]
    assert_inert(at)

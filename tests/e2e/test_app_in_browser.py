"""The served app in headless Chromium: every page for every role, in Chinese, with screenshots."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By

from domain.calendar import WorkingCalendar
from domain.policy import DeadlinePolicy, TimeLimits
from tests.e2e.browser import (
    choose,
    click_button,
    downloaded,
    grid_text,
    main_text,
    page_text,
    platform_fonts,
    screenshot,
    settled,
    sidebar_links,
    type_into,
    wait_for_app,
    wait_until,
)
from tests.e2e.conftest import DEMO_CASES
from wenzheng.democity import DEPARTMENTS
from wenzheng.demogen import DemoSpec, generate

pytestmark = pytest.mark.e2e

# The contract of docs/app.md: url path and title of each page, and who sees which.
TITLES = {"exposure": "曝光台", "scorecards": "部门考核", "audit": "案件审计",
          "bulletins": "月度通报", "status": "系统状态", "login": "登录"}
NAVIGATION = {
    "public": ["exposure", "login"],
    "leader": ["exposure", "scorecards", "bulletins"],
    "supervisor": ["exposure", "audit", "bulletins"],
    "admin": ["exposure", "scorecards", "audit", "bulletins", "status"],
}
DEMO_PASSWORDS = {"leader": "demo-leader", "supervisor": "demo-supervisor",
                  "admin": "demo-admin"}


DEMO_YEAR = "2025"


def demo_registrations() -> list[dict[str, Any]]:
    """The register actions of the demonstration home (the generator is seeded)."""
    policy = DeadlinePolicy(TimeLimits(), WorkingCalendar())
    return [a for a in generate(DemoSpec(cases=DEMO_CASES), policy, DEPARTMENTS)
            if a["action"] == "register"]


def demo_citizens() -> tuple[set[str], set[str]]:
    """Names and phone numbers of the citizens in the demonstration home."""
    registered = demo_registrations()
    return ({a["citizen"]["name"] for a in registered},
            {a["citizen"]["phone"] for a in registered})


def headings(driver: webdriver.Chrome) -> list[str]:
    """The text of the page's h1 headings."""
    return [str(h.text).strip() for h in driver.find_elements(By.TAG_NAME, "h1")]


def assert_rendered_in_chinese(driver: webdriver.Chrome, title: str) -> None:
    """The page's title is an h1 drawn with a CJK font, glyph for glyph."""
    wait_until(driver, lambda d: any(title in h for h in headings(d)), f"the h1 「{title}」")
    fonts = platform_fonts(driver, "h1")
    cjk = sum(f.glyphs for f in fonts if "CJK" in f.family)
    chinese = sum(1 for ch in title if "\u4e00" <= ch <= "\u9fff")
    assert cjk >= chinese, f"the title 「{title}」 was drawn with {fonts}"


def sign_in(driver: webdriver.Chrome, url: str, user: str, password: str) -> None:
    """Sign in through the login page's form."""
    driver.get(f"{url}/login")
    wait_for_app(driver, TITLES["login"])
    type_into(driver, "login_user", user)
    type_into(driver, "login_password", password)
    click_button(driver, "login_submit")
    wait_until(driver, lambda d: TITLES["login"] not in sidebar_links(d) and settled(d),
               f"the navigation and landing page of a signed-in {user}")


def visit(driver: webdriver.Chrome, key: str) -> None:
    """Open a page through the navigation and wait until it has rendered."""
    title = TITLES[key]
    link = wait_until(driver, lambda d: settled(d) and sidebar_links(d).get(title),
                      f"the link 「{title}」")
    link.click()
    wait_until(driver, lambda d: any(title in h for h in headings(d)), f"the h1 「{title}」")
    wait_for_app(driver, title)


def test_the_public_sees_the_exposure_platform_in_chinese_without_personal_data(
        app_url: str, browser: webdriver.Chrome, shots: Path) -> None:
    browser.get(app_url)
    wait_for_app(browser, TITLES["exposure"])
    assert_rendered_in_chinese(browser, TITLES["exposure"])
    assert sorted(sidebar_links(browser)) == sorted(TITLES[k] for k in NAVIGATION["public"])
    text = page_text(browser)
    names, phones = demo_citizens()
    assert not [p for p in phones if p in text], "a citizen's phone number is on the public page"
    assert not [n for n in names if len(n) >= 3 and n in text], "a citizen's name is public"
    print(f"screenshot: {screenshot(browser, shots, 'public-exposure')}")


def test_the_public_cannot_open_a_staff_page_by_its_address(
        app_url: str, browser: webdriver.Chrome, shots: Path) -> None:
    browser.get(f"{app_url}/audit")
    wait_until(browser, lambda d: "无权访问" in main_text(d) or TITLES["exposure"] in main_text(d),
               "the refusal or the public default page")
    assert TITLES["audit"] not in headings(browser)
    assert TITLES["audit"] not in sidebar_links(browser)
    print(f"screenshot: {screenshot(browser, shots, 'public-audit-refused')}")


@pytest.mark.parametrize("role", ["leader", "supervisor", "admin"])
def test_each_role_signs_in_and_sees_its_pages_rendered_in_chinese(
        app_url: str, browser: webdriver.Chrome, shots: Path, role: str) -> None:
    sign_in(browser, app_url, role, DEMO_PASSWORDS[role])
    assert sorted(sidebar_links(browser)) == sorted(TITLES[k] for k in NAVIGATION[role])
    for key in NAVIGATION[role]:
        visit(browser, key)
        assert_rendered_in_chinese(browser, TITLES[key])
        assert "Traceback" not in page_text(browser)
        assert not browser.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]')
        print(f"screenshot: {screenshot(browser, shots, f'{role}-{key}')}")


def test_a_leader_filters_the_scorecards_by_year_and_drills_down_to_a_department(
        app_url: str, browser: webdriver.Chrome, shots: Path) -> None:
    sign_in(browser, app_url, "leader", DEMO_PASSWORDS["leader"])
    visit(browser, "scorecards")
    choose(browser, "score_year", DEMO_YEAR)
    wait_until(browser, lambda d: f"统计 {DEMO_YEAR} 年" in main_text(d), "the year's caption")
    assert "市直部门" in grid_text(browser)
    print(f"screenshot: {screenshot(browser, shots, 'leader-scorecards-year')}")
    unit = next(name for code, name, _ in DEPARTMENTS if code == "CGJ")
    choose(browser, "score_unit", f"{unit}（CGJ）")
    wait_until(browser, lambda d: "扣分所涉案件" in main_text(d), "the drill-down")
    print(f"screenshot: {screenshot(browser, shots, 'leader-scorecards-drilldown')}")


@pytest.mark.parametrize(("role", "cleared"), [("supervisor", True), ("admin", False)])
def test_the_audit_shows_a_cases_timeline_with_personal_data_only_to_the_cleared(
        app_url: str, browser: webdriver.Chrome, shots: Path, role: str, cleared: bool) -> None:
    case = demo_registrations()[0]
    number, name = case["case"], case["citizen"]["name"]
    sign_in(browser, app_url, role, DEMO_PASSWORDS[role])
    visit(browser, "audit")
    type_into(browser, "audit_number", number)
    wait_for_app(browser, f"案件 {number}")
    wait_until(browser, lambda d: "登记" in grid_text(d) and role in grid_text(d),
               "the timeline and this view in the view log")
    cells = grid_text(browser)
    phone = case["citizen"]["phone"]
    if cleared:
        assert name in cells and phone in cells
    else:
        assert name not in cells and phone not in cells
        assert name[0] + "*" in cells
    print(f"screenshot: {screenshot(browser, shots, f'{role}-audit-case')}")


def test_a_leader_reads_the_issued_bulletin_and_downloads_it_as_word_and_excel(
        app_url: str, browser: webdriver.Chrome, shots: Path, tmp_path: Path) -> None:
    sign_in(browser, app_url, "leader", DEMO_PASSWORDS["leader"])
    visit(browser, "bulletins")
    choose(browser, "bulletin_month", "2025-12")
    wait_until(browser, lambda d: "内容摘要与发布记录一致" in main_text(d), "the hash check")
    cells = grid_text(browser)
    assert "2025-11" in cells and "2025-12" in cells
    print(f"screenshot: {screenshot(browser, shots, 'leader-bulletin')}")
    for key, suffix, part in (("bulletin_docx", "docx", "word/document.xml"),
                              ("bulletin_xlsx", "xlsx", "xl/workbook.xml")):
        click_button(browser, key)
        path = downloaded(tmp_path / "downloads", f"bulletin-2025-12.{suffix}")
        with zipfile.ZipFile(path) as document:
            assert part in document.namelist()
            text = "".join(document.read(n).decode("utf-8", "replace")
                           for n in document.namelist() if n.endswith(".xml"))
        assert "示范市" in text

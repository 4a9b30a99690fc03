"""The served app in headless Chromium: every page for every role, in Chinese, with screenshots."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By

from domain.calendar import WorkingCalendar
from domain.policy import DeadlinePolicy, TimeLimits
from tests.e2e.browser import (
    click_button,
    main_text,
    page_text,
    platform_fonts,
    screenshot,
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


def demo_citizens() -> tuple[set[str], set[str]]:
    """Names and phone numbers of the citizens in the demonstration home."""
    policy = DeadlinePolicy(TimeLimits(), WorkingCalendar())
    registered = [a for a in generate(DemoSpec(cases=DEMO_CASES), policy, DEPARTMENTS)
                  if a["action"] == "register"]
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
    wait_until(driver, lambda d: TITLES["login"] not in sidebar_links(d),
               f"the navigation of a signed-in {user}")


def visit(driver: webdriver.Chrome, key: str) -> None:
    """Open a page through the navigation and wait until it has rendered."""
    title = TITLES[key]
    link = wait_until(driver, lambda d: sidebar_links(d).get(title), f"the link 「{title}」")
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

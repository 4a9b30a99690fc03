"""In Chromium: a signed-in session survives a reload; hostile titles never become links or
images on 月度通报 and 曝光台 (screenshots of the sign-in page and both pages)."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By

from tests.app.test_inert_outputs import build_payload_home
from tests.e2e.browser import main_text, page_text, screenshot, settled, sidebar_links, wait_until
from tests.e2e.test_app_in_browser import DEMO_PASSWORDS, TITLES, sign_in, visit
from wenzheng.webapp.auth import COOKIE
from wenzheng.webapp.users import ensure_demo_users, users_path

pytestmark = pytest.mark.e2e
HOSTILE = "x.example"  # the host every hostile title points at


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Hostile titles in November 2025, its bulletin issued, and the demo users."""
    home = build_payload_home(tmp_path_factory.mktemp("e2e-payload") / "home")
    ensure_demo_users(users_path(home))
    return home


def live_references(driver: webdriver.Chrome) -> list[str]:
    """Links, images and frames in the page pointing at the hostile host."""
    script = f"""return [...document.querySelectorAll('a[href], img[src], iframe[src]')]
                 .map(e => e.href || e.src).filter(u => u.includes('{HOSTILE}'));"""
    return list(driver.execute_script(script))


def test_a_signed_in_session_survives_a_reload(app_url: str, browser: webdriver.Chrome,
                                               shots: Path) -> None:
    browser.get(f"{app_url}/login")
    wait_until(browser, lambda d: TITLES["login"] in main_text(d) and settled(d), "登录")
    assert "demo-leader" in page_text(browser)  # a demo home lists its public accounts
    print(f"screenshot: {screenshot(browser, shots, 'signin-page')}")
    sign_in(browser, app_url, "leader", DEMO_PASSWORDS["leader"])
    wait_until(browser, lambda d: d.get_cookie(COOKIE) is not None, "the session cookie")
    cookie = browser.get_cookie(COOKIE)
    assert cookie is not None and cookie["sameSite"] == "Strict"
    browser.refresh()
    wait_until(browser, lambda d: settled(d) and TITLES["bulletins"] in sidebar_links(d),
               "the leader's navigation after the reload")
    assert TITLES["login"] not in sidebar_links(browser)
    assert "当前用户：leader" in page_text(browser, '[data-testid="stSidebar"]')
    print(f"screenshot: {screenshot(browser, shots, 'after-reload')}")


def test_hostile_titles_stay_text_on_the_bulletin_page(app_url: str, browser: webdriver.Chrome,
                                                       shots: Path) -> None:
    sign_in(browser, app_url, "leader", DEMO_PASSWORDS["leader"])
    visit(browser, "bulletins")
    wait_until(browser, lambda d: "通报全文" in main_text(d) and settled(d), "the bulletin")
    text = page_text(browser)
    assert "13812345678" not in text and "11010519491231002X" not in text
    assert live_references(browser) == []
    assert browser.find_elements(By.CSS_SELECTOR, "img[onerror]") == []
    print(f"screenshot: {screenshot(browser, shots, 'bulletin-hostile-titles')}")


def test_hostile_titles_stay_text_on_the_public_exposure_page(
        app_url: str, browser: webdriver.Chrome, shots: Path) -> None:
    browser.get(app_url)
    wait_until(browser, lambda d: TITLES["exposure"] in main_text(d) and settled(d), "曝光台")
    assert live_references(browser) == []
    assert "13812345678" not in page_text(browser)
    print(f"screenshot: {screenshot(browser, shots, 'exposure-hostile-titles')}")

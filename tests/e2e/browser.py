"""Debian's headless Chromium driven through chromedriver, with helpers for a Streamlit page."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WINDOW = (1440, 1400)
MAX_SHOT_HEIGHT = 8000
WAIT_S = 60.0
INSTALL_HINT = ("the e2e test needs Debian's chromium, chromium-driver and fonts-noto-cjk "
                "(./run test installs them as root)")


@dataclass(frozen=True)
class PlatformFont:
    """A font Chromium used to draw an element's text, and how many glyphs it drew."""

    family: str
    glyphs: int


def open_chromium(profile: Path, log: Path, downloads: Path) -> webdriver.Chrome:
    """A headless Chromium with a fresh profile, Chinese as its language, saving downloads."""
    for binary in (CHROMIUM, CHROMEDRIVER):
        if not binary.exists():
            raise RuntimeError(f"{binary} is missing: {INSTALL_HINT}")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--lang=zh-CN", f"--window-size={WINDOW[0]},{WINDOW[1]}",
                f"--user-data-dir={profile}", "--no-first-run", "--disable-extensions"):
        options.add_argument(arg)
    service = Service(executable_path=str(CHROMEDRIVER), log_output=str(log))
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_window_size(*WINDOW)
    downloads.mkdir(parents=True, exist_ok=True)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                           {"behavior": "allow", "downloadPath": str(downloads)})
    return driver


def downloaded(folder: Path, name: str) -> Path:
    """Wait until Chromium has finished downloading `name` into `folder`."""
    path = folder / name
    partial = folder / f"{name}.crdownload"
    deadline = time.monotonic() + WAIT_S
    while not (path.is_file() and path.stat().st_size > 0 and not partial.exists()):
        if time.monotonic() > deadline:
            raise AssertionError(f"{name} was not downloaded; {folder} holds "
                                 f"{sorted(p.name for p in folder.iterdir())}")
        time.sleep(0.2)
    return path


def wait_until(driver: webdriver.Chrome, test: Callable[[webdriver.Chrome], Any],
               what: str, timeout: float = WAIT_S) -> Any:
    """Wait until `test(driver)` is truthy and return it; fail naming `what` and the page text."""
    def guarded(d: webdriver.Chrome) -> Any:
        try:
            return test(d)
        except StaleElementReferenceException:
            return False
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.25).until(guarded)
    except TimeoutException:
        raise AssertionError(f"timed out waiting for {what}; page text:\n{page_text(driver)}"
                             ) from None


def page_text(driver: webdriver.Chrome, css: str = "body") -> str:
    """The visible text of the page's body (or of its first `css` element)."""
    try:
        return str(driver.find_element(By.CSS_SELECTOR, css).text)
    except Exception:  # the page may be between documents, or the element not there yet
        return ""


def main_text(driver: webdriver.Chrome) -> str:
    """The visible text of the main area (the page itself, without the navigation)."""
    return page_text(driver, '[data-testid="stMain"]')


def app_idle(driver: webdriver.Chrome) -> bool:
    """True when the Streamlit app has rendered and no script run is in progress."""
    script = """
        const app = document.querySelector('[data-testid="stApp"]');
        if (!app || app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
        if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
        return !document.querySelector('[data-testid="stStatusWidgetRunningIcon"]');
    """
    return bool(driver.execute_script(script))


# A signature of what is drawn, or null while a shown data grid has not painted its cells yet
# (grids in a closed expander are not painted, so they are left out).
DRAWN_JS = """
    if (document.querySelector('[data-testid="stSkeleton"]')) return null;
    const shown = [...document.querySelectorAll('[data-testid="stDataFrame"]')]
        .filter(f => f.checkVisibility() && f.getBoundingClientRect().height > 0);
    const grids = shown.map(f => {
        const c = f.querySelector('canvas');
        const ctx = c && c.width ? c.getContext('2d') : null;
        if (!ctx) return -1;
        const px = ctx.getImageData(0, 0, c.width, Math.min(c.height, 120)).data;
        let dark = 0;
        for (let i = 0; i < px.length; i += 4) if (px[i + 3] > 0 && px[i] < 200) dark++;
        return dark;
    });
    if (grids.some(n => n <= 0)) return null;
    return document.body.innerText.length + ':' + grids.join(',');
"""


def settled(driver: webdriver.Chrome) -> bool:
    """True when the run is over, every data grid is painted and nothing changed since 0.3 s."""
    if not app_idle(driver):
        return False
    first = driver.execute_script(DRAWN_JS)
    time.sleep(0.3)
    return first is not None and first == driver.execute_script(DRAWN_JS) and app_idle(driver)


def wait_for_app(driver: webdriver.Chrome, text: str) -> None:
    """Wait until the run is over, the grids are drawn, and `text` is in the main area."""
    wait_until(driver, lambda d: text in main_text(d) and settled(d), f"「{text}」")


def keyed(driver: webdriver.Chrome, key: str, css: str) -> WebElement:
    """The `css` element inside the Streamlit widget created with `key=`."""
    return wait_until(driver, lambda d: d.find_element(By.CSS_SELECTOR, f".st-key-{key} {css}"),
                      f"the widget key={key}")


def type_into(driver: webdriver.Chrome, key: str, value: str) -> None:
    """Type `value` into the text input with `key=` and commit it."""
    field = keyed(driver, key, "input")
    field.click()
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(value + Keys.ENTER)
    # "Press Enter to apply" stays until the value is sent to the app
    pending = f'.st-key-{key} [data-testid="InputInstructions"]'
    wait_until(driver, lambda d: "Enter" not in page_text(d, pending) and settled(d),
               f"the value of key={key} to be applied")


def click_button(driver: webdriver.Chrome, key: str) -> None:
    """Click the button created with `key=`."""
    keyed(driver, key, "button").click()


def choose(driver: webdriver.Chrome, key: str, option: str) -> None:
    """Pick the option shown as `option` in the selectbox created with `key=`."""
    box = keyed(driver, key, '[role="combobox"]')
    if box.get_attribute("value") == option:
        return
    box.click()
    box.send_keys(option)  # filters the list, so a long one need not be scrolled
    wait_until(driver, lambda d: next((o for o in d.find_elements(By.CSS_SELECTOR,
                                                                  '[role="option"]')
                                       if str(o.text).strip() == option), None),
               f"the option 「{option}」 of key={key}").click()
    wait_until(driver, lambda d: keyed(d, key, '[role="combobox"]').get_attribute("value")
               == option and settled(d), f"the choice 「{option}」 of key={key}")


def grid_text(driver: webdriver.Chrome) -> str:
    """The cells of every data grid (drawn on canvas; read from the grid's accessible table)."""
    script = """return [...document.querySelectorAll('[data-testid="stDataFrame"] table')]
                  .map(t => t.textContent).join('\\n');"""
    return str(driver.execute_script(script))


def sidebar_links(driver: webdriver.Chrome) -> dict[str, WebElement]:
    """The navigation's links by their visible label (an icon's ligature name left out)."""
    links = driver.find_elements(By.CSS_SELECTOR, '[data-testid="stSidebarNav"] a')
    links += driver.find_elements(By.CSS_SELECTOR, '[data-testid="stTopNavLinkContainer"] a')
    labels = [(str(a.text).strip().splitlines() or [""])[-1].strip() for a in links]
    return {label: a for label, a in zip(labels, links, strict=True) if label}


def platform_fonts(driver: webdriver.Chrome, css: str) -> list[PlatformFont]:
    """The system fonts Chromium used to draw the first `css` element's text (DevTools CSS)."""
    driver.execute_cdp_cmd("DOM.enable", {})
    driver.execute_cdp_cmd("CSS.enable", {})
    root = driver.execute_cdp_cmd("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = driver.execute_cdp_cmd("DOM.querySelector", {"nodeId": root, "selector": css})
    if not node.get("nodeId"):
        return []
    fonts = driver.execute_cdp_cmd("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})
    return [PlatformFont(f["familyName"], int(f["glyphCount"])) for f in fonts["fonts"]]


def screenshot(driver: webdriver.Chrome, folder: Path, name: str) -> Path:
    """Save a PNG of the whole page as folder/name.png (window stretched to the content)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    height = driver.execute_script(
        "const m = document.querySelector('[data-testid=\"stMain\"]');"
        "return m ? m.scrollHeight : document.body.scrollHeight;")
    tall = min(max(int(height or 0) + 80, WINDOW[1]), MAX_SHOT_HEIGHT)
    try:
        if tall > WINDOW[1]:
            driver.set_window_size(WINDOW[0], tall)
            wait_until(driver, settled, "the page to settle at its full height")
        if not driver.save_screenshot(str(path)):
            raise AssertionError(f"chromium could not save the screenshot {path}")
    finally:
        driver.set_window_size(*WINDOW)
    return path

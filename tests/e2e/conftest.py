"""Fixtures of the browser test: a demonstration home, the served app, a Chromium per test."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from selenium import webdriver

from tests.e2e.browser import open_chromium, screenshot
from tests.e2e.server import StreamlitServer, build_demo_home

DEMO_CASES = 300
SCREENSHOT_DIRS = pytest.StashKey[list[Path]]()
CALL_FAILED = pytest.StashKey[bool]()


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demonstration city (`wenzheng demo --cases 300`), bulletins 2025-11/12 issued."""
    folder = tmp_path_factory.mktemp("e2e-home")
    home = folder / "home"
    build_demo_home(home, DEMO_CASES, folder / "demo.log")
    return home


@pytest.fixture(scope="module")
def app_url(demo_home: Path) -> Iterator[str]:
    """`streamlit run app.py` on the demonstration home; stopped with SIGTERM afterwards."""
    server = StreamlitServer(demo_home, demo_home.parent / "streamlit.log")
    url = server.start()
    yield url
    status = server.stop()
    if status != 0:
        pytest.fail(f"streamlit exited with {status} on SIGTERM: {server.log.read_text()}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                              ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep the call phase's outcome on the item, so the browser fixture knows of a failure."""
    report = yield
    if report.when == "call":
        item.stash[CALL_FAILED] = report.failed
    return report


@pytest.fixture
def browser(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[webdriver.Chrome]:
    """A fresh headless Chromium (its own profile, so its own Streamlit session)."""
    driver = open_chromium(tmp_path / "chromium-profile", tmp_path / "chromedriver.log",
                           tmp_path / "downloads")
    try:
        yield driver
        if request.node.stash.get(CALL_FAILED, False):
            path = screenshot(driver, tmp_path / "screenshots", "failure")
            print(f"screenshot of the failure: {path}")
    finally:
        driver.quit()


@pytest.fixture
def shots(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """The folder for this test's screenshots (listed at the end of the run)."""
    folder = tmp_path / "screenshots"
    request.config.stash.setdefault(SCREENSHOT_DIRS, []).append(folder)
    return folder


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter,
                            config: pytest.Config) -> None:
    """Say where the screenshots went."""
    folders = [f for f in config.stash.get(SCREENSHOT_DIRS, []) if f.is_dir()]
    if folders:
        terminalreporter.section("e2e screenshots")
        for folder in folders:
            count = len(list(folder.glob("*.png")))
            terminalreporter.write_line(f"{folder} ({count} png)")

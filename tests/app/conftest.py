"""A small demonstration home for the app tests (built once), and AppTest helpers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from wenzheng.cli import main
from wenzheng.webapp.users import DEMO_USERS

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
CASES = 300
NOW = "2026-01-31T23:59:59+08:00"
# Lower volume thresholds than the defaults, so 300 cases give ranked departments.
TEST_RULES = """
[[scoring.rules]]
version = "测试-1"
min_volume_year = 8
min_volume_month = 2
"""
PASSWORDS = {role: password for _, password, role in DEMO_USERS}


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with 300 demonstration cases of 2025 and its twelve bulletins (issued by the
    demo; `bulletins` afterwards finds nothing due)."""
    home = tmp_path_factory.mktemp("app-home")
    assert main(["--home", str(home), "init"]) == 0
    with (home / "wenzheng.toml").open("a", encoding="utf-8") as config:
        config.write(TEST_RULES)
    assert main(["--home", str(home), "demo", "--cases", str(CASES), "--quiet"]) == 0
    assert main(["--home", str(home), "bulletins", "--since", "2025-10", "--out",
                 str(home / "bulletins"), "--now", NOW]) == 0
    return home


@pytest.fixture
def home(demo_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The demo home selected through WENZHENG_HOME (SQLite, not production).

    Its users and sign-in state are put back afterwards: adding a real user removes the demo
    users, and failed sign-ins lock accounts out.
    """
    monkeypatch.setenv("WENZHENG_HOME", str(demo_home))
    monkeypatch.delenv("WENZHENG_DATABASE_URL", raising=False)
    monkeypatch.delenv("WENZHENG_ENV", raising=False)
    monkeypatch.delenv("WENZHENG_TRANSPORT", raising=False)
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)
    users = (demo_home / "users.toml").read_bytes()
    yield demo_home
    (demo_home / "users.toml").write_bytes(users)
    (demo_home / "signin.sqlite").unlink(missing_ok=True)


def app() -> AppTest:
    """The app's router, not yet run."""
    return AppTest.from_file(str(APP), default_timeout=120)


def sign_in(role: str, password: str | None = None) -> AppTest:
    """The app after signing in through the form as the demo user of a role."""
    at = app().run()
    at.switch_page("app_pages/login.py").run()
    at.text_input(key="login_user").input(role)
    at.text_input(key="login_password").input(password or PASSWORDS[role])
    at.button(key="login_submit").click().run()
    return at


def page_as(page_file: str, role: str, name: str | None = None) -> AppTest:
    """A page file run directly with a user of a role already in the session."""
    at = AppTest.from_file(str(ROOT / page_file), default_timeout=120)
    if role != "public":
        at.session_state["wz_user"] = {"name": name or role, "role": role, "via": "password"}
    return at.run()


def titles(at: AppTest) -> list[str]:
    """The page titles shown."""
    return [t.value for t in at.title]


def errors(at: AppTest) -> list[str]:
    """The error messages shown."""
    return [e.value for e in at.error]


def texts(at: AppTest) -> str:
    """Every text the page shows: markdown, captions, metrics, alerts and table cells."""
    parts: list[str] = []
    for kind in ("markdown", "caption", "title", "subheader", "header", "info", "success",
                 "warning", "error"):
        parts += [str(getattr(e, "value", "")) for e in at.get(kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    for frame in at.dataframe:
        parts.append(frame.value.to_csv(index=False))
    return "\n".join(parts)


class Downloads(dict[str, Callable[[], Any]]):
    """The file makers the page's download buttons registered, by file name."""

    def bytes_of(self, file_name: str) -> bytes:
        """Make the file as a click would, and return its bytes."""
        data = self[file_name]()
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> Iterator[Downloads]:
    """Spy on Streamlit's media file manager: what each (deferred) download would produce."""
    seen = Downloads()
    original = MediaFileManager.add_deferred

    def spy(self: MediaFileManager, data_callable: Callable[[], Any], mimetype: str | None,
            coordinates: str, file_name: str | None = None, **kwargs: Any) -> str:
        if file_name:
            seen[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    yield seen

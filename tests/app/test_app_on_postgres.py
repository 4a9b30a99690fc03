"""The app on PostgreSQL read models and event store: pages, search safety, the view log."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from projections.db import Database
from tests.app.conftest import page_as
from tests.fixtures.postgres import with_schema
from wenzheng.cli import main
from wenzheng.webapp.viewlog import views_of

pytestmark = pytest.mark.postgres
CASES = 120


@pytest.fixture(scope="module")
def pg_home(tmp_path_factory: pytest.TempPathFactory, postgres_url: str) -> tuple[Path, str]:
    """A home whose store and read models are in a fresh PostgreSQL schema, with demo cases."""
    home = tmp_path_factory.mktemp("app-pg-home")
    schema = f"app_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    url = with_schema(postgres_url, schema)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WENZHENG_DATABASE_URL", url)
        assert main(["--home", str(home), "demo", "--cases", str(CASES), "--quiet"]) == 0
    return home, url


@pytest.fixture
def on_postgres(pg_home: tuple[Path, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """WENZHENG_HOME and WENZHENG_DATABASE_URL pointing at the PostgreSQL home."""
    home, url = pg_home
    monkeypatch.setenv("WENZHENG_HOME", str(home))
    monkeypatch.setenv("WENZHENG_DATABASE_URL", url)
    monkeypatch.delenv("WENZHENG_ENV", raising=False)
    yield url


@pytest.mark.parametrize(("page", "role", "title"), [
    ("app_pages/exposure.py", "public", "曝光台"),
    ("app_pages/department_scores.py", "leader", "部门考核"),
    ("app_pages/audit.py", "supervisor", "案件审计"),
    ("app_pages/status.py", "admin", "系统状态")])
def test_each_page_renders_on_postgresql(on_postgres: str, page: str, role: str,
                                         title: str) -> None:
    at = page_as(page, role)
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == [title]
    assert not at.error


def test_status_names_postgresql_without_its_password(on_postgres: str) -> None:
    at = page_as("app_pages/status.py", "admin")
    rows = dict(zip(*(at.dataframe[0].value[c] for c in ("项目", "数值")), strict=True))
    assert rows["事件库"].startswith("PostgreSQL") and rows["读模型库"] == "PostgreSQL"


@pytest.mark.parametrize("text", ["' OR '1'='1", "%", "_", "\\", "'; DROP TABLE rm_cases; --",
                                  "SF2025-000001'::text --", "$$; SELECT 1; $$"])
def test_injection_strings_are_harmless_on_postgresql(on_postgres: str, text: str) -> None:
    db = Database.postgres(on_postgres)
    before = db.fetchone("SELECT COUNT(*) FROM rm_cases")
    at = page_as("app_pages/audit.py", "supervisor")
    at.text_input(key="audit_number").input(text).run()
    assert not at.exception
    assert "找到 0 件" in [c.value for c in at.caption]
    assert db.fetchone("SELECT COUNT(*) FROM rm_cases") == before
    db.close()


def test_a_view_is_recorded_in_the_postgresql_read_model_database(on_postgres: str) -> None:
    at = page_as("app_pages/audit.py", "supervisor", "pg-inspector")
    at.text_input(key="audit_number").input("SF2025-000007").run()
    assert not at.exception
    assert len(at.dataframe[1].value) >= 3  # the timeline
    db = Database.postgres(on_postgres)
    views = views_of(db, "SF2025-000007")
    db.close()
    assert [v.username for v in views] == ["pg-inspector"]


def test_a_broken_read_model_connection_is_opened_again(on_postgres: str) -> None:
    from wenzheng.webapp.resources import home_key, readmodels

    page_as("app_pages/status.py", "admin")
    readmodels(home_key()).value.conn.close()  # as after a database restart
    at = page_as("app_pages/status.py", "admin")
    assert not at.exception and [t.value for t in at.title] == ["系统状态"]
    assert not readmodels(home_key()).value.conn.closed

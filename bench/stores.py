"""Where a step keeps its events and read models: a home folder, and for PostgreSQL a schema.

Every step gets its own home (SQLite) or schema (PostgreSQL) so that steps do not share
state except where one reads what another wrote (the applied store). PostgreSQL schemas are
made in the database of BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/
wenzheng_bench, created when missing) and dropped at the end of each size unless --keep.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlparse, urlunparse

SQLITE, POSTGRES = "sqlite", "postgres"
STORES = (SQLITE, POSTGRES)
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/wenzheng_bench"


def postgres_url() -> str:
    """The benchmark database's URL (without a schema)."""
    return os.environ.get("BENCH_DATABASE_URL", "").strip() or DEFAULT_URL


def server_url(url: str) -> str:
    """The same server's maintenance database."""
    return urlunparse(urlparse(url)._replace(path="/postgres", query=""))


def ensure_database(url: str) -> None:
    """Create the benchmark database when it does not exist."""
    import psycopg
    from psycopg import sql

    name = urlparse(url).path.lstrip("/")
    with psycopg.connect(server_url(url), autocommit=True, connect_timeout=10) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not found:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


@dataclass(frozen=True)
class Target:
    """A home folder and, for PostgreSQL, the URL naming its schema."""

    kind: str
    home: Path
    url: str | None = None

    @property
    def schema(self) -> str | None:
        """The PostgreSQL schema, if any."""
        if not self.url:
            return None
        query = urlparse(self.url).query
        return query.split("=", 1)[1] if query.startswith("schema=") else None

    def env(self) -> dict[str, str | None]:
        """Environment entries that point `wenzheng` at this target (None unsets)."""
        return {"WENZHENG_HOME": str(self.home), "WENZHENG_DATABASE_URL": self.url}

    def readmodels(self) -> str:
        """The read-model database as `--readmodels` takes it (URL or SQLite path)."""
        return self.url or str(self.home / "readmodels.sqlite")

    def as_dict(self) -> dict[str, str | None]:
        """JSON form for a step's parameters."""
        return {"kind": self.kind, "home": str(self.home), "url": self.url}


class Places:
    """Makes fresh targets for one run and cleans them up."""

    def __init__(self, work: Path, run_id: str, pg_url: str, kept: Path | None = None) -> None:
        self.work, self.run_id, self.pg_url = work, run_id, pg_url
        self.kept_root = kept or work.parent / "stores"
        self.schemas: list[str] = []

    def _url(self, schema: str) -> str:
        """The benchmark database's URL naming a schema."""
        return urlunparse(urlparse(self.pg_url)._replace(query=urlencode({"schema": schema})))

    def kept(self, kind: str, key: str) -> Target:
        """The applied store kept between runs (bench/run --reuse) for a dataset and store."""
        home = self.kept_root / f"{key}-{kind}"
        home.mkdir(parents=True, exist_ok=True)
        if kind == SQLITE:
            return Target(kind, home)
        return Target(kind, home, self._url(f"bstore_{key}".replace("-", "_")[:63]))

    def wipe(self, target: Target) -> None:
        """Empty a kept target (an apply that did not finish is started again)."""
        shutil.rmtree(target.home, ignore_errors=True)
        target.home.mkdir(parents=True)
        if target.schema:
            self._drop_schemas([target.schema])

    def fresh(self, kind: str, size: int, purpose: str) -> Target:
        """A new, empty target for a step."""
        home = self.work / f"{size}" / kind / purpose
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        if kind == SQLITE:
            return Target(kind, home)
        schema = f"b{self.run_id}_{size}_{purpose}"[:63]
        self.schemas.append(schema)
        return Target(kind, home, self._url(schema))

    def remove(self) -> None:
        """Remove the run's work folder."""
        shutil.rmtree(self.work, ignore_errors=True)

    def discard(self, target: Target) -> None:
        """Remove one target's folder and schema."""
        shutil.rmtree(target.home, ignore_errors=True)
        if target.schema:
            self._drop_schemas([target.schema])

    def drop(self, size: int, kind: str) -> None:
        """Remove the folders and schemas of one size and store."""
        shutil.rmtree(self.work / f"{size}" / kind, ignore_errors=True)
        if kind == POSTGRES:
            self._drop_schemas([s for s in self.schemas if s.startswith(f"b{self.run_id}_{size}_")])

    def _drop_schemas(self, mine: list[str]) -> None:
        """DROP SCHEMA … CASCADE for each."""
        if not mine:
            return
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.pg_url, autocommit=True, connect_timeout=10) as conn:
            for schema in mine:
                conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                    sql.Identifier(schema)))
                if schema in self.schemas:
                    self.schemas.remove(schema)

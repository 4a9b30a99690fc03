"""The case service on a home's store: the one place the write side is put together."""

from __future__ import annotations

import os

from domain.service import CaseService
from wenzheng.home import Home, tighten
from wenzheng.store.env import postgres_env, sqlite_env
from wenzheng.store.kek import KEK_ENV, KEK_FILE_ENV
from wenzheng.store.pgconnect import connect_postgres, ensure_schema, schema_lock


def store_env(home: Home) -> dict[str, str]:
    """eventsourcing's environment: PostgreSQL if WENZHENG_DATABASE_URL is set, else SQLite."""
    url = os.environ.get("WENZHENG_DATABASE_URL", "").strip()
    env = postgres_env(url) if url else sqlite_env(home.events_db)
    if (not os.environ.get(KEK_ENV, "").strip() and not os.environ.get(KEK_FILE_ENV, "").strip()
            and home.demo_kek.is_file()):
        env[KEK_FILE_ENV] = str(home.demo_kek)
    return env


def open_service(home: Home) -> CaseService:
    """The case service on the home's store; a fresh home is made first (with the demonstration
    city's wenzheng.toml), as every command that writes needs it."""
    home.init()
    settings = home.settings()
    env = store_env(home)
    if "POSTGRES_SCHEMA" not in env:
        service = CaseService(settings.deadline_policy(), settings.department_codes(), env=env,
                              default_rating=settings.rating.default)
    else:
        with schema_lock(env):  # two processes starting on a fresh schema must not race
            ensure_schema(env)
            service = CaseService(settings.deadline_policy(), settings.department_codes(),
                                  env=env, default_rating=settings.rating.default)
    from wenzheng.store.legacy_keys import migrate_legacy_keys  # psycopg: only when opening

    try:
        migrate_legacy_keys(env, service.vault, connect_postgres)
    except BaseException:
        service.close()
        raise
    tighten(home.root)
    return service

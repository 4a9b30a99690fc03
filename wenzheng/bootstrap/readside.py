"""The read path: the read-model database, caught up with the event store, then closed."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple

from domain.case import case_id
from domain.errors import UnknownCase
from domain.service import CaseService
from projections.db import Database, open_database
from projections.follower import StoreSource, catch_up
from projections.writer import CaseProjection
from scorecards.audit import CaseAudit, audit, load_history
from wenzheng.bootstrap.service import open_service
from wenzheng.clock import parse_moment
from wenzheng.democlock import default_moment
from wenzheng.home import Home


def open_readmodels(home: Home) -> Database:
    """The read-model database: WENZHENG_DATABASE_URL's database/schema, else readmodels.sqlite."""
    url = os.environ.get("WENZHENG_DATABASE_URL", "").strip() or None
    return open_database(url, home.readmodels_db)


def projection_for(home: Home, db: Database) -> CaseProjection:
    """The case projection with the configured working-day calendar."""
    return CaseProjection(db, home.settings().deadline_policy().calendar)


class ReadModels(NamedTuple):
    """Read models caught up with the store: the open database and the store position."""

    db: Database
    position: int


def open_caught_up(home: Home, service: CaseService | None = None) -> ReadModels:
    """The read models brought up to date (the caller closes `.db`); a service of its own is
    opened and closed unless one is given."""
    app = service or open_service(home)
    try:
        db = open_readmodels(home)
        try:
            projection = projection_for(home, db)
            catch_up(StoreSource(app), projection)
            return ReadModels(db, projection.position())
        except BaseException:
            db.close()
            raise
    finally:
        if service is None:
            app.close()


@contextmanager
def caught_up(home: Home, service: CaseService | None = None) -> Iterator[ReadModels]:
    """Open the stores, catch the read models up, yield them, close."""
    read = open_caught_up(home, service)
    try:
        yield read
    finally:
        read.db.close()


def bring_up_to_date(home: Home, service: CaseService) -> None:
    """Catch the read models up with the store (after a write, before the command returns)."""
    with caught_up(home, service):
        pass


def update_read_models(home: Home, service: CaseService, quiet: bool = True) -> None:
    """Leave the read models current after a write, so figures can be read at once."""
    if not quiet:
        print("\n正在更新读模型……", file=sys.stderr, flush=True)
    started = time.monotonic()
    try:
        bring_up_to_date(home, service)
    except Exception as exc:  # the events are stored; the read models can catch up later
        print(f"警告：读模型未能更新（{exc}）；请运行 wenzheng project", file=sys.stderr)
        return
    if not quiet:
        print(f"读模型已更新，用时 {time.monotonic() - started:.1f} 秒", file=sys.stderr)


def case_audit(home: Home, service: CaseService, number: str,
               as_of: str | None = None) -> CaseAudit:
    """The audit view of a case as of now, read from the (caught-up) history projection."""
    with caught_up(home, service) as read:
        history = load_history(read.db, str(case_id(number)))
    if not history:
        raise UnknownCase(number)
    moment = parse_moment(as_of) if as_of else default_moment(home.settings())
    return audit(history, moment, home.settings().deadline_policy().calendar)

"""Issued bulletins: listing them from the ledger and rendering each on demand into bytes."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from domain.bulletin import BulletinLedger
from scorecards.bulletin import BulletinContent, CaseLine, Figure, RankRow
from scorecards.render_docx import render_docx
from scorecards.render_md import footer, render_markdown, sections, title
from scorecards.render_xlsx import render_xlsx

PAGE = 500


@dataclass(frozen=True)
class IssuedBulletin:
    """A bulletin as recorded when issued (and corrected)."""

    month: str
    rules_version: str
    position: int
    as_of: str
    content_hash: str
    corrections: int
    content: dict[str, Any]


def issued_months(ledger: BulletinLedger) -> list[str]:
    """Every month with an issued bulletin, newest first (read from the ledger's log)."""
    months: set[str] = set()
    start = 1
    while True:
        page = ledger.recorder.select_notifications(start, PAGE)
        for notification in page:
            event = ledger.mapper.to_domain_event(notification)
            month = getattr(event, "month", None)
            if month:
                months.add(str(month))
        if len(page) < PAGE:
            return sorted(months, reverse=True)
        start = page[-1].id + 1


def issued(ledger: BulletinLedger, month: str) -> IssuedBulletin | None:
    """The recorded bulletin of a month (latest content), or None."""
    found = ledger.issued(month)
    if found is None:
        return None
    return IssuedBulletin(found["month"], found["rules_version"], int(found["position"]),
                          found["as_of"], found["content_hash"], len(found["corrections"]),
                          found["content"])


def bulletin_from_content(c: dict[str, Any]) -> BulletinContent:
    """The Bulletin again from its recorded content (its hash is the recorded hash)."""
    def many(cls: Callable[..., Any], key: str) -> tuple[Any, ...]:
        return tuple(cls(**item) for item in c[key])

    return BulletinContent(
        month=c["month"], city=c["city"], office=c["office"], rules_version=c["rules_version"],
        as_of=c["as_of"], previous_month=c["previous_month"], overall=many(Figure, "overall"),
        rankings=many(RankRow, "rankings"), unranked=many(RankRow, "unranked"),
        praise=many(RankRow, "praise"), criticism=many(RankRow, "criticism"),
        to_explain=many(CaseLine, "to_explain"), overdue=many(CaseLine, "overdue"),
        supervised=many(CaseLine, "supervised"), new_exposure=many(CaseLine, "new_exposure"),
        categories=tuple((str(name), int(n)) for name, n in c["categories"]))


def _rendered(b: BulletinContent, render: Callable[[BulletinContent, Path], Path],
              suffix: str) -> bytes:
    """Bytes of a renderer that writes a file (through a private temporary folder)."""
    with tempfile.TemporaryDirectory(prefix="wenzheng-bulletin-") as folder:
        return render(b, Path(folder) / f"bulletin-{b.month}{suffix}").read_bytes()


def docx_bytes(b: BulletinContent) -> bytes:
    """The bulletin as a Word document."""
    return _rendered(b, render_docx, ".docx")


def xlsx_bytes(b: BulletinContent) -> bytes:
    """The bulletin's Excel appendix."""
    return _rendered(b, render_xlsx, ".xlsx")


def markdown(b: BulletinContent) -> str:
    """The bulletin as Markdown (for the preview)."""
    return render_markdown(b)


@dataclass(frozen=True)
class ShownSection:
    """A section of the bulletin for the page: static title, intro and a table of its rows."""

    title: str
    intro: str
    table: pd.DataFrame | None


def shown(b: BulletinContent) -> tuple[str, str, list[ShownSection], str]:
    """Title, office, sections and footer as plain values for the page (no Markdown).

    The page shows them with st.text and st.dataframe, so typed text is never interpreted.
    """
    parts = [ShownSection(s.title, s.intro,
                          pd.DataFrame(list(s.rows), columns=list(s.header)) if s.rows else None)
             for s in sections(b)]
    return title(b), b.office, parts, footer(b)

"""Masking personal data: a citizen's name and phone, and contact patterns in free text (pure)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# Full-width digits (０-９) count: Python's \d matches every Unicode decimal digit.
_SEP = r"[ \-\u3000\uff0d]"
_PATTERNS = re.compile(
    r"(?P<email>[\w.+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)"
    r"|(?P<id>(?<![0-9A-Za-z])\d{17}[\dXxＸｘ](?![0-9A-Za-z])|(?<!\d)\d{15}(?!\d))"
    rf"|(?P<prefix>(?<!\d)(?:\+|00)?(?:86|８６){_SEP}?)?"
    rf"(?P<mobile>(?(prefix)|(?<!\d))[1１][3-9３-９]\d(?:{_SEP}?\d{{4}}){{2}}(?!\d))"
    rf"|(?P<landline>(?<!\d)0\d{{2,3}}{_SEP}?\d{{7,8}}(?!\d))"
    r"|(?P<run>\d{7,})"
)
STAR = "*"
ID_DIGITS = 15  # the shorter ID card number


def _star(text: str, head: int, tail: int) -> str:
    """Digits (and an ID's final X) starred except the first `head` and last `tail`."""
    positions = [i for i, ch in enumerate(text) if ch.isdigit() or ch in "XxＸｘ"]
    keep = set(positions[:head]) | set(positions[len(positions) - tail:] if tail else [])
    return "".join(STAR if i in positions and i not in keep else ch
                   for i, ch in enumerate(text))


def mask_phone(phone: str | None) -> str | None:
    """A phone as 138****5678 (11 digits or more), else all but its last 2 digits starred."""
    if not phone:
        return phone
    digits = sum(ch.isdigit() for ch in phone)
    if digits >= 11:
        return phone[:3] + "****" + phone[-4:]
    return "****" + phone[-2:] if digits >= 6 else "****"


def mask_name(name: str | None) -> str | None:
    """'张三' → '张*', '欧阳娜娜' → '欧***'."""
    if not name:
        return name
    return name[0] + STAR * max(len(name) - 1, 1)


def mask_citizen(citizen: Mapping[str, Any]) -> dict[str, str | None]:
    """A citizen's name and phone as shown to anyone reading without clearance."""
    return {"name": mask_name(citizen.get("name")), "phone": mask_phone(citizen.get("phone"))}


def _mask_email(address: str) -> str:
    """'zhang.san@example.cn' → 'z***@example.cn'."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def _replace(m: re.Match[str]) -> str:
    """The masked form of one match."""
    if m.group("email"):
        return _mask_email(m.group("email"))
    if m.group("id"):
        return _star(m.group("id"), 3, 2)
    if m.group("mobile"):
        return (m.group("prefix") or "") + _star(m.group("mobile"), 3, 4)
    if m.group("landline"):
        area = re.match(r"0\d{2,3}", m.group("landline"))
        cut = area.end() if area and len(m.group("landline")) > 10 else 0
        return m.group("landline")[:cut] + _star(m.group("landline")[cut:], 0, 2)
    return _star(m.group("run"), 0, 2)


def mask_text(text: str) -> str:
    """Free text with phone, mobile, ID-card, e-mail and other long numbers masked.

    Mobiles keep 3 + 4 digits (138****5678), ID cards 3 + 2, e-mails their first letter,
    landlines their area code and last 2 digits, any other run of 7+ digits its last 2.
    """
    return _PATTERNS.sub(_replace, text) if text else text


def hide_contacts(text: str, hidden: str) -> str:
    """Free text with each contact mask_text finds replaced whole by `hidden` (dead letters).

    A run of digits that is no contact pattern is hidden only when it is long enough to be an
    ID card number typed next to letters; shorter ones (case numbers, times) stay readable.
    """
    def replace(m: re.Match[str]) -> str:
        run = m.group("run")
        return m.group(0) if run is not None and len(run) < ID_DIGITS else hidden

    return _PATTERNS.sub(replace, text) if text else text


FREE_TEXT = ("demand", "reason", "handling")


def mask_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """An exposure entry (as a dict) with its free text masked."""
    return {k: mask_text(v) if k in FREE_TEXT and isinstance(v, str) else v
            for k, v in entry.items()}

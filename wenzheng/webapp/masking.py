"""Masking a citizen's personal data for roles without clearance (rules in scorecards.masking)."""

from __future__ import annotations

from typing import Any

from scorecards.masking import mask_citizen, mask_text
from scorecards.masking import mask_name as mask_name  # re-exported

MASKED = "（已遮蔽：无查阅个人信息权限）"


def mask_personal(data: dict[str, Any]) -> dict[str, Any]:
    """Citizen name and phone masked, free text (content) withheld, other fields kept."""
    out = dict(data)
    citizen = out.get("citizen")
    if isinstance(citizen, dict):
        out["citizen"] = {**{k: MASKED for k in citizen}, **mask_citizen(citizen)}
    if "content" in out:
        out["content"] = MASKED
    return out


def personal_rows(data: dict[str, Any]) -> list[dict[str, str]]:
    """Personal data as 项目/内容 rows for a table."""
    labels = {"name": "姓名", "phone": "电话"}
    rows: list[dict[str, str]] = []
    citizen = data.get("citizen")
    if isinstance(citizen, dict):
        rows += [{"项目": labels.get(str(k), str(k)), "内容": str(v or "")}
                 for k, v in citizen.items()]
    if "content" in data:
        rows.append({"项目": "留言内容", "内容": str(data.get("content") or "")})
    return rows


def shown_text(text: str, cleared: bool) -> str:
    """Free text as a role may see it: whole when cleared, else with contact patterns masked."""
    return text if cleared else mask_text(text)

"""Monthly bulletins written out and issued once each (`bulletin`, `bulletins`, `demo`)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from domain.bulletin import BulletinLedger
from domain.calendar import BUSINESS_TZ
from scorecards.assess import bulletin_for, cut_off
from scorecards.bulletin import BulletinContent, MonthInputs, differences
from scorecards.inert import md_literal_block
from scorecards.render_docx import render_docx
from scorecards.render_md import Anchor, render_markdown
from scorecards.render_xlsx import render_xlsx
from wenzheng.bootstrap.anchoring import issue_checkpoint, signing_key_path
from wenzheng.bootstrap.readside import caught_up
from wenzheng.bootstrap.scorer import context, rules_for
from wenzheng.bootstrap.service import store_env
from wenzheng.home import Home
from wenzheng.store.anchor import summary_lines
from wenzheng.store.verify import head_at


def write_bulletin(b: BulletinContent, out: Path, anchor: Anchor = (),
                   documents: bool = True) -> list[Path]:
    """Markdown, Word, Excel and content JSON of a bulletin in a folder, each with the log's
    checkpoint when given (`documents=False`: Markdown and JSON only; Word and Excel are made
    from the content on demand).

    When the folder already holds this month's content with another hash, the differences
    are written to `bulletin-YYYY-MM.changes.md` and the earlier content is kept by hash.
    """
    out.mkdir(parents=True, exist_ok=True)
    stem = f"bulletin-{b.month}"
    content = out / f"{stem}.json"
    new = {"content_hash": b.content_hash(), "content": b.as_dict()}
    if content.exists():
        old = json.loads(content.read_text(encoding="utf-8"))
        if old["content_hash"] != new["content_hash"]:
            kept = out / f"{stem}.{old['content_hash'][:12]}.json"
            content.replace(kept)
            (out / f"{stem}.changes.md").write_text(changes_text(old, new), encoding="utf-8")
    content.write_text(json.dumps(new, ensure_ascii=False, indent=1, default=str),
                       encoding="utf-8")
    md = out / f"{stem}.md"
    md.write_text(render_markdown(b, anchor), encoding="utf-8")
    if not documents:
        return [md, content]
    return [md, content, render_docx(b, out / f"{stem}.docx", anchor),
            render_xlsx(b, out / f"{stem}.xlsx", anchor)]


def changes_text(old: dict[str, Any], new: dict[str, Any]) -> str:
    """The documented difference between an issued bulletin's content and a recomputation."""
    lines = [f"# {new['content']['month']} 月通报内容变化", "",
             f"- 原内容摘要：{old['content_hash']}", f"- 新内容摘要：{new['content_hash']}", "",
             "变化（路径: 原值 → 新值）：", ""]
    changed = [" ".join(line.splitlines()) for line in differences(old["content"], new["content"])]
    return "\n".join([*lines, *md_literal_block(changed), ""])


def plain(b: BulletinContent) -> dict[str, Any]:
    """The content as plain JSON values (lists, not tuples) for the event."""
    result: dict[str, Any] = json.loads(json.dumps(b.as_dict(), ensure_ascii=False))
    return result


def months_between(since: str, until: str) -> list[str]:
    """Every 'YYYY-MM' from since to until inclusive."""
    out, month = [], since
    while month <= until:
        out.append(month)
        year, mon = int(month[:4]), int(month[5:])
        month = f"{year + mon // 12}-{mon % 12 + 1:02d}"
    return out


def issue_due(home: Home, ledger: BulletinLedger, out: Path, since: str, now: datetime,
              key: Path | None = None, documents: bool = True,
              until: str | None = None) -> list[str]:
    """Issue every bulletin from `since` (to `until`) whose cut-off has passed and that is not
    issued yet."""
    issued = []
    memos: dict[tuple[int, str], dict[str, MonthInputs]] = {}  # (position, rules) → months
    last = min(until or "9999-12", now.strftime("%Y-%m"))
    for month in months_between(since, last):
        if ledger.issued(month) is not None:
            continue
        rules = rules_for(home, int(month[:4]), None)
        if now < cut_off(month, rules):
            continue
        with caught_up(home) as read:
            position = read.position
            bulletin = bulletin_for(read.db, context(home), rules, month,
                                    memos.setdefault((position, rules.version), {}))
        chain = head_at(store_env(home), position)
        if ledger.issue(month, rules.version, position, bulletin.as_of, bulletin.content_hash(),
                        plain(bulletin), chain):
            write_bulletin(bulletin, out, bulletin_anchor(home, out, position, key), documents)
            issued.append(month)
            print(f"已发布 {month} 通报：规则 {rules.version}，位置 {position}，"
                  f"摘要 {bulletin.content_hash()}，日志链头 {chain[1][:16]}")
    return issued


def bulletin_anchor(home: Home, out: Path, position: int, key: Path | str | None) -> Anchor:
    """The checkpoint printed in a bulletin: signed when the key is there, else the bare head."""
    key_path = signing_key_path(str(key) if key else None)
    if key_path is not None:
        path = issue_checkpoint(home, key_path, out, datetime.now(BUSINESS_TZ))
        print(f"已签发日志锚点：{path}")
        return summary_lines(json.loads(path.read_text(encoding="utf-8")))
    chain = head_at(store_env(home), position)
    return summary_lines({"head": chain[1], "position": chain[0], "events": "—",
                          "cases": "—", "case_heads_digest": "—"})

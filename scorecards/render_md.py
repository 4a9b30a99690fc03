"""The bulletin as Markdown; `sections` is the shared layout the Word renderer uses too."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scorecards.bulletin import BulletinContent, CaseLine, RankRow
from scorecards.inert import md_escape
from scorecards.masking import mask_text

RATE_KEYS = {"reply_rate", "on_time_rate", "completion_rate", "satisfaction_rate",
             "rework_rate", "resolution_rate"}


@dataclass(frozen=True)
class Section:
    """A titled section: an introduction and a table (header and rows of text)."""

    title: str
    intro: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def title(b: BulletinContent) -> str:
    """The bulletin's title."""
    year, month = b.month.split("-")
    return f"{b.city}网络问政工作{year}年{int(month)}月通报"


def fmt(key: str, value: Any, change: bool = False) -> str:
    """A figure as text: rates as percentages (points for a change), counts as integers."""
    if value is None:
        return "—"
    sign = "+" if change and value > 0 else ""
    if key in RATE_KEYS:
        return f"{sign}{value * 100:.1f}{'个百分点' if change else '%'}"
    return f"{sign}{value:g}"


def _rank_rows(rows: tuple[RankRow, ...], group: bool = True) -> tuple[tuple[str, ...], ...]:
    """Ranking lines as text."""
    return tuple(((r.group,) if group else ()) + (
        "" if r.rank is None else str(r.rank), r.name, str(r.received),
        "—" if r.score is None else f"{r.score:.2f}", r.grade or "—", f"{r.deducted:g}")
        for r in rows)


RANK_HEADER = ("排名", "单位", "受理件数", "得分", "等级", "扣分")


def _case_rows(lines: tuple[CaseLine, ...]) -> tuple[tuple[str, ...], ...]:
    """Case lines as text, free text masked again (content recorded before masking existed)."""
    return tuple((c.number, c.department, mask_text(c.title), mask_text(c.note)) for c in lines)


def sections(b: BulletinContent) -> list[Section]:
    """The bulletin's sections in order."""
    prev = b.previous_month
    return [
        Section("一、总体情况",
                f"本月（按交办日期统计，数据截至 {b.as_of[:10]}）与上月（{prev}）对比如下。",
                ("指标", "本月", "上月", "环比变化"),
                tuple((f.label, fmt(f.key, f.this), fmt(f.key, f.last),
                       fmt(f.key, f.change, change=True)) for f in b.overall)),
        Section("二、各单位排名", "按同类单位分组排名；受理件数不足最低件数的单位列示但不排名。",
                ("分组", *RANK_HEADER),
                _rank_rows(b.rankings) + _rank_rows(b.unranked)),
        Section("三、表扬名单", f"以下 {len(b.praise)} 个单位本月得分居前，予以通报表扬。",
                ("分组", *RANK_HEADER), _rank_rows(b.praise)),
        Section("四、批评名单", f"以下 {len(b.criticism)} 个单位本月得分居后，予以通报批评；"
                "有超期案件的单位须书面说明情况。", ("分组", *RANK_HEADER),
                _rank_rows(b.criticism)),
        Section("五、须作出说明的单位",
                "以下单位本月有超期案件，请于通报印发后 5 个工作日内说明原因。",
                ("单位", "超期案件"), tuple((c.department, c.note) for c in b.to_explain)),
        Section("六、超期和督办案件", "本月交办案件中超期及被督办的案件。",
                ("案件编号", "单位", "诉求", "情况"),
                _case_rows((*b.overdue, *b.supervised))),
        Section("七、曝光台新增条目", "自上月通报截数以来新增的曝光台条目。",
                ("案件编号", "单位", "诉求", "问题"),
                _case_rows(b.new_exposure)),
        Section("八、本月主要问题类别", "本月交办案件按类别统计（前五位）。", ("类别", "件数"),
                tuple((name, str(n)) for name, n in b.categories)),
    ]


def footer(b: BulletinContent) -> str:
    """Provenance: rules version, cut-off and content hash (and any provisional deadlines)."""
    return (provisional_note(b) + f"考核规则版本：{b.rules_version}；数据截至：{b.as_of}；"
            f"内容摘要（SHA-256）：{b.content_hash()}")


def provisional_note(b: BulletinContent) -> str:
    """The note that some figures rest on provisional deadlines, or ''."""
    if not b.provisional:
        return ""
    return (f"说明：{len(b.provisional)} 件案件（{'、'.join(b.provisional)}）的答复期限落在"
            "尚未公布放假安排的年份，按暂定日历（周末与固定日期法定节假日）计算；相关的超期、"
            "按时等数字为暂定，放假安排公布并修订期限后可能变化。\n\n")


ANCHOR_TITLE = "日志锚点（本通报发布时的事件日志链头）"
Anchor = tuple[tuple[str, str], ...]  # (label, value) rows of the log's signed checkpoint


def anchor_markdown(anchor: Anchor) -> list[str]:
    """The checkpoint printed at the end of the Markdown bulletin."""
    if not anchor:
        return []
    return ["", f"## {ANCHOR_TITLE}", "", "| 项目 | 内容 |", "|---|---|",
            *[f"| {md_escape(k)} | `{_code(v)}` |" for k, v in anchor], ""]


def _code(text: str) -> str:
    """A system-made value (hash, signature) as the body of a code span in a table cell."""
    return text.replace("`", "").replace("|", "").replace("\n", " ")


def render_markdown(b: BulletinContent, anchor: Anchor = ()) -> str:
    """The bulletin as Markdown, every text from data escaped, the checkpoint when given."""
    lines = [f"# {md_escape(title(b))}", "", md_escape(b.office), ""]
    for s in sections(b):
        lines += [f"## {s.title}", "", md_escape(s.intro), ""]
        if s.rows:
            lines.append("| " + " | ".join(s.header) + " |")
            lines.append("|" + "---|" * len(s.header))
            lines += ["| " + " | ".join(md_escape(c) for c in row) + " |" for row in s.rows]
        else:
            lines.append("（无）")
        lines.append("")
    return "\n".join([*lines, "---", "", md_escape(footer(b)), "", *anchor_markdown(anchor)])

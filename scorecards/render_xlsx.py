"""The bulletin's Excel appendix (XlsxWriter): figures as numbers, text as strings, a chart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import xlsxwriter

from scorecards.bulletin import BulletinContent
from scorecards.inert import write_cell, write_cells
from scorecards.masking import mask_text
from scorecards.render_md import RATE_KEYS, Anchor, title

SHEETS = ("总体情况", "单位排名", "超期督办", "曝光台新增", "问题类别", "说明")


def render_xlsx(b: BulletinContent, path: Path, anchor: Anchor = ()) -> Path:
    """Write the appendix workbook; rates are fractions formatted as percentages."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    book.set_properties({"title": title(b), "subject": b.content_hash()})
    head = book.add_format({"bold": True, "font_name": "黑体", "bg_color": "#DDDDDD",
                            "border": 1})
    pct = book.add_format({"num_format": "0.0%", "border": 1})
    plain = book.add_format({"border": 1})
    pts = book.add_format({"num_format": "+0.0%;-0.0%;0.0%", "border": 1})

    def table(name: str, header: tuple[str, ...], rows: list[list[Any]],
              formats: dict[int, Any] | None = None) -> Any:
        sheet = book.add_worksheet(name)
        write_cells(sheet, 0, 0, header, head)
        for i, row in enumerate(rows, start=1):
            for j, value in enumerate(row):
                write_cell(sheet, i, j, value, plain if value is None
                           else (formats or {}).get(j, plain))
        sheet.set_column(0, len(header) - 1, 16)
        return sheet

    overall = book.add_worksheet(SHEETS[0])
    write_cells(overall, 0, 0, ("指标", "代码", "本月", "上月", "环比变化"), head)
    for i, f in enumerate(b.overall, start=1):
        rate = f.key in RATE_KEYS
        write_cells(overall, i, 0, (f.label, f.key), plain)
        for j, value in ((2, f.this), (3, f.last), (4, f.change)):
            if value is None:
                overall.write_blank(i, j, None, plain)
            else:
                overall.write_number(i, j, value, (pts if j == 4 else pct) if rate else plain)
    overall.set_column(0, 4, 16)
    ranks = [r for r in b.rankings + b.unranked]
    sheet = table(SHEETS[1], ("分组", "排名", "代码", "单位", "受理件数", "得分", "等级", "扣分"),
                  [[r.group, r.rank, r.code, r.name, r.received, r.score, r.grade, r.deducted]
                   for r in ranks])
    if b.rankings:
        chart = book.add_chart({"type": "column"})
        chart.add_series({"name": "得分", "categories": [SHEETS[1], 1, 3, len(b.rankings), 3],
                          "values": [SHEETS[1], 1, 5, len(b.rankings), 5]})
        chart.set_title({"name": "参与排名单位得分"})
        chart.set_y_axis({"min": 0, "max": 100})
        chart.set_legend({"none": True})
        sheet.insert_chart(1, 9, chart, {"x_scale": 1.6, "y_scale": 1.3})
    table(SHEETS[2], ("案件编号", "单位", "诉求", "情况"),
          [[c.number, c.department, mask_text(c.title), mask_text(c.note)]
           for c in (*b.overdue, *b.supervised)])
    table(SHEETS[3], ("案件编号", "单位", "诉求", "问题"),
          [[c.number, c.department, mask_text(c.title), mask_text(c.note)]
           for c in b.new_exposure])
    table(SHEETS[4], ("类别", "件数"), [[name, n] for name, n in b.categories])
    table(SHEETS[5], ("项目", "内容"), [["月份", b.month], ["考核规则版本", b.rules_version],
                                      ["数据截至", b.as_of], ["内容摘要（SHA-256）",
                                                            b.content_hash()]])
    if anchor:
        log = book.add_worksheet("日志锚点")
        log.write_row(0, 0, ("项目", "内容"), head)
        for i, (label, text) in enumerate(anchor, start=1):
            log.write_string(i, 0, label, plain)
            log.write_string(i, 1, text, plain)
        log.set_column(0, 0, 22)
        log.set_column(1, 1, 100)
    book.close()
    return path

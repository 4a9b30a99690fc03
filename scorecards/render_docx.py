"""The bulletin as a Word document in official-document style (公文格式 fonts, tables, a chart)."""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.run import Run

from scorecards.bulletin import BulletinContent
from scorecards.chart import score_chart_png
from scorecards.render_md import ANCHOR_TITLE, Anchor, footer, sections, title

# East Asian fonts of the GB/T 9704 official-document style; Word substitutes a similar
# font when one is missing (e.g. 仿宋 for 仿宋_GB2312, 宋体 for 方正小标宋简体).
TITLE_FONT, HEADING_FONT, BODY_FONT = "方正小标宋简体", "黑体", "仿宋_GB2312"
LATIN_FONT = "Times New Roman"
CHART_CAPTION = "图1  本月参与排名单位得分（按分组着色，横轴为单位代码）"


def east_asian(run: Run, font: str, size: float, bold: bool = False) -> None:
    """Set a run's Latin and East Asian fonts (w:rFonts w:eastAsia) and size."""
    run.font.name = LATIN_FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), font)


def _style_defaults(doc: object) -> None:
    """The Normal style in 仿宋_GB2312 三号-ish (16 pt) body text."""
    normal = doc.styles["Normal"]  # type: ignore[attr-defined]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(12)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)


def render_docx(b: BulletinContent, path: Path, anchor: Anchor = ()) -> Path:
    """Write the bulletin as .docx: title, sections with tables, a chart, provenance."""
    doc = Document()
    _style_defaults(doc)
    for section in doc.sections:
        section.left_margin = section.right_margin = Cm(2.6)
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    east_asian(head.add_run(title(b)), TITLE_FONT, 22)
    sub = doc.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    east_asian(sub.add_run(b.office), BODY_FONT, 16)
    for s in sections(b):
        east_asian(doc.add_paragraph(style="Heading 1").add_run(s.title), HEADING_FONT, 16)
        east_asian(doc.add_paragraph().add_run(s.intro), BODY_FONT, 14)
        if s.rows:
            table = doc.add_table(rows=1, cols=len(s.header))
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, s.header, strict=True):
                east_asian(cell.paragraphs[0].add_run(text), HEADING_FONT, 10.5)
            for row in s.rows:
                cells = table.add_row().cells
                for cell, text in zip(cells, row, strict=True):
                    east_asian(cell.paragraphs[0].add_run(text), BODY_FONT, 10.5)
        else:
            east_asian(doc.add_paragraph().add_run("（无）"), BODY_FONT, 14)
        if s.title.startswith("二、"):
            doc.add_picture(io.BytesIO(score_chart_png(b)), width=Cm(15.5))
            cap = doc.add_paragraph()
            cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
            east_asian(cap.add_run(CHART_CAPTION), BODY_FONT, 10.5)
    east_asian(doc.add_paragraph().add_run(footer(b)), BODY_FONT, 9)
    if anchor:
        east_asian(doc.add_paragraph().add_run(ANCHOR_TITLE), HEADING_FONT, 10.5, bold=True)
        for label, value in anchor:
            east_asian(doc.add_paragraph().add_run(f"{label}：{value}"), BODY_FONT, 9)
    doc.core_properties.title = title(b)
    doc.core_properties.subject = b.content_hash()
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path

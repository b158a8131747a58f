"""The office's notice as a DOCX file, in the form of the bloc's documents.

A4, Times New Roman 13: the issuing bodies on the left ("ĐẢNG BỘ TỈNH …" over
"ĐẢNG ỦY KHỐI …", "*", "Số 45-TB/ĐUK") and "ĐẢNG CỘNG SẢN VIỆT NAM" with the place
and date on the right; the title; the body; "Nơi nhận" beside the signature
("T/L BAN THƯỜNG VỤ", "CHÁNH VĂN PHÒNG", the signer); then, on a new page, the
"PHỤ LỤC CHI TIẾT (Kèm theo Thông báo số …)" with its lists. The weekly digest's
notice and the roll-ups' use this one writer; every text passes `xml_text`.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from domain.notice import NoticeHeader
from messages.file_text import xml_text
from messages.render import render_plain


@dataclass(frozen=True)
class Section:
    """One list of the appendix: lines of text, or a table."""

    title: str
    lines: tuple[str, ...] = ()
    header: tuple[str, ...] = ()
    rows: tuple[tuple[Any, ...], ...] = ()
    empty: str = "Không có."


@dataclass(frozen=True)
class NoticeText:
    title: str  # "THÔNG BÁO"
    subject: tuple[str, ...]  # the lines under the title
    body: str  # "### heading" lines and paragraphs
    appendix: tuple[Section, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


def notice_context(notice: NoticeHeader) -> dict[str, Any]:
    names = notice.names
    return {
        "province": notice.value("province"),
        "bloc": notice.value("bloc"),
        "place": notice.value("place"),
        "signer": notice.value("signer"),
        "signer_title": names.signer_title,
        "reference": notice.reference,
        "day": notice.day.day,
        "month": notice.day.month,
        "year": notice.day.year,
        "date": f"{notice.day.day}/{notice.day.month}/{notice.day.year}",
    }


def notice_docx(notice: NoticeHeader, text: NoticeText, locale: str | None = None) -> bytes:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    ctx = notice_context(notice)
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin, section.right_margin = Cm(3.0), Cm(2.0)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)

    def lines_into(cell: Any, template: str, *, size: int = 13) -> None:
        """A template's lines into a table cell: *bold*, _italic_, a lone "*" as is."""
        lines = xml_text(render_plain(template, locale, **ctx)).splitlines()
        cell.paragraphs[0].text = ""
        for i, line in enumerate(lines):
            para = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            raw = line.strip()
            italic = len(raw) > 1 and raw.startswith("_") and raw.endswith("_")
            bold = len(raw) > 1 and raw.startswith("*") and raw.endswith("*")
            run = para.add_run(raw[1:-1] if bold or italic else raw)
            run.bold, run.italic = bold, italic
            run.font.size = Pt(size)

    header = doc.add_table(rows=1, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    lines_into(header.cell(0, 0), "notice_header_left")
    lines_into(header.cell(0, 1), "notice_header_right")

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(xml_text(text.title))
    run.bold, run.font.size = True, Pt(14)
    for line in text.subject:
        para = doc.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        para.add_run(xml_text(line)).bold = True
    doc.add_paragraph("-----").alignment = WD_ALIGN_PARAGRAPH.CENTER

    for block in xml_text(text.body).split("\n"):
        line = block.rstrip()
        if not line:
            continue
        if line.startswith("### "):
            doc.add_paragraph().add_run(line[4:]).bold = True
            continue
        para = doc.add_paragraph(line.removeprefix("- ") if line.startswith("- ") else line)
        para.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        para.paragraph_format.first_line_indent = Cm(1.0)

    sign = doc.add_table(rows=1, cols=2)
    recipients = sign.cell(0, 0)
    recipients.paragraphs[0].text = ""
    for i, line in enumerate(
        xml_text(render_plain("notice_recipients", locale, **ctx)).splitlines()
    ):
        para = recipients.paragraphs[0] if i == 0 else recipients.add_paragraph()
        run = para.add_run(line)
        run.font.size = Pt(12 if i == 0 else 11)
        run.bold = run.italic = i == 0
    lines_into(sign.cell(0, 1), "notice_signature")

    if text.appendix:
        doc.add_page_break()
        for i, line in enumerate(
            xml_text(render_plain("notice_appendix_title", locale, **ctx)).splitlines()
        ):
            para = doc.add_paragraph()
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = para.add_run(line)
            run.bold, run.italic = i == 0, i > 0
        for part in text.appendix:
            _appendix_section(doc, part)

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _appendix_section(doc: Any, part: Section) -> None:
    from docx.shared import Cm

    doc.add_paragraph().add_run(xml_text(part.title)).bold = True
    if part.header:
        if not part.rows:
            doc.add_paragraph(xml_text(part.empty))
            return
        grid = doc.add_table(rows=1, cols=len(part.header))
        grid.style = "Table Grid"
        for i, label in enumerate(part.header):
            grid.rows[0].cells[i].text = xml_text(label)
            for run in grid.rows[0].cells[i].paragraphs[0].runs:
                run.bold = True
        for row in part.rows:
            cells = grid.add_row().cells
            for i, value in enumerate(row):
                cells[i].text = "" if value is None else xml_text(str(value))
        return
    if not part.lines:
        doc.add_paragraph(xml_text(part.empty))
        return
    for line in part.lines:
        para = doc.add_paragraph(xml_text(line))
        para.paragraph_format.left_indent = Cm(0.5 if line.startswith("- ") else 0)


def numbered(rows: Sequence[Sequence[Any]]) -> tuple[tuple[Any, ...], ...]:
    return tuple((i, *row) for i, row in enumerate(rows, start=1))

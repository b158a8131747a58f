"""Invite codes for a whole bloc, to hand out: a CSV for the office, a sheet to print.

One code per unit. The sheet has a slip per unit (its name told apart from
namesakes, the role, the code in large letters, the link, the expiry and three
steps), to cut out and give to each secretary.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from domain.invite_codes import deep_link, display
from messages.render import render_plain, role_title

CSV_COLUMNS = ("unit_code", "unit", "role", "invite_code", "link", "expires")


@dataclass(frozen=True)
class SheetRow:
    unit_code: str
    unit_label: str  # told apart from namesakes (domain.unit_names)
    unit_kind: str
    role: str
    code: str
    expires_at: datetime


def invites_csv(rows: Sequence[SheetRow], username: str | None, tz: ZoneInfo) -> str:
    """unit_code, unit, role, invite_code, link (empty without the bot's username), expires."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            (
                row.unit_code,
                row.unit_label,
                row.role,
                display(row.code),
                deep_link(username, row.code) if username else "",
                f"{row.expires_at.astimezone(tz):%d/%m/%Y}",
            )
        )
    return out.getvalue()


def invites_docx(
    rows: Sequence[SheetRow], username: str | None, tz: ZoneInfo, locale: str | None = None
) -> bytes:
    """A printable sheet: one slip per unit, three to a page, separated by a cut line."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.0)
    section.top_margin = section.bottom_margin = Cm(1.5)
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    for index, row in enumerate(rows):
        text = render_plain(
            "invite_slip",
            locale,
            unit=row.unit_label,
            role=role_title(row.role, row.unit_kind, locale),
            code=display(row.code),
            link=deep_link(username, row.code) if username else None,
            username=username,
            expires=f"{row.expires_at.astimezone(tz):%d/%m/%Y}",
        )
        for line in text.splitlines():
            if line.startswith("# "):
                run = doc.add_paragraph().add_run(line[2:])
                run.bold, run.font.size = True, Pt(14)
            elif line.startswith("## "):  # the code: large, spaced, easy to read aloud
                para = doc.add_paragraph()
                para.alignment = WD_ALIGN_PARAGRAPH.CENTER
                run = para.add_run(line[3:])
                run.bold, run.font.size, run.font.name = True, Pt(22), "Courier New"
            elif line.strip():
                doc.add_paragraph(line)
        last = index == len(rows) - 1
        if not last and index % 3 == 2:
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif not last:
            cut = doc.add_paragraph("✂ " + "- " * 40)
            cut.alignment = WD_ALIGN_PARAGRAPH.CENTER
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()

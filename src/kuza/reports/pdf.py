"""Reports as PDF files: a title, a few lines about the report and one table, with fpdf2
(pure Python; docs/decisions.md). The built-in Helvetica covers Latin-1, so text is
brought into it: typographic marks become their plain forms, anything else '?'."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fpdf import FPDF
from fpdf.enums import TableCellFillMode

PLAIN = str.maketrans(
    {
        "\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-",
        "\u2014": "-", "\u2026": "...", "\u202f": " ", "\u00a0": " ", "\u2265": ">=",
        "\u2264": "<=", "\u2212": "-", "\u2192": "->", "\u00b7": "-",
    }
)  # fmt: skip


def latin1(text: str) -> str:
    return text.translate(PLAIN).encode("latin-1", "replace").decode("latin-1")


@dataclass(frozen=True)
class TableDoc:
    title: str
    about: Sequence[str]  # lines under the title
    header: Sequence[str]
    rows: Sequence[Sequence[str]]
    widths: Sequence[int]  # relative column widths
    right: frozenset[int] = frozenset()  # columns of figures, aligned right


def pdf_bytes(doc: TableDoc) -> bytes:
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_title(latin1(doc.title))
    pdf.set_creator("Kuza")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=14)
    pdf.multi_cell(0, 8, latin1(doc.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    for line in doc.about:
        pdf.multi_cell(0, 5, latin1(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", size=8)
    aligns = ["RIGHT" if i in doc.right else "LEFT" for i in range(len(doc.header))]
    with pdf.table(
        col_widths=tuple(doc.widths),
        text_align=tuple(aligns),
        cell_fill_color=240,
        cell_fill_mode=TableCellFillMode.ROWS,
        line_height=4.5,
        v_align="TOP",
        padding=1,
    ) as table:
        for cells in [doc.header, *doc.rows]:
            row = table.row()
            for cell in cells:
                row.cell(latin1(cell))
    return bytes(pdf.output())

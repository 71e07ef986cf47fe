"""Reports as PDF files: a title, a few lines about the report and one table, with fpdf2
(docs/decisions.md). Text is set in the Noto fonts shipped in ``fonts/`` (SIL OFL):
Noto Sans for Latin, Greek and Cyrillic, with Noto Sans Devanagari and Noto Naskh Arabic
as fallbacks for the characters it lacks, so one line may mix scripts. Text holding
such characters (or combining marks) is shaped by HarfBuzz (uharfbuzz): it joins Arabic
letters, orders right-to-left runs and builds Devanagari conjuncts. A document embeds
only the fonts its text needs, each cut down to the glyphs used."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from importlib.resources import as_file, files
from typing import Any

from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import TableCellFillMode

MAIN = "NotoSans"
FALLBACKS = ("NotoSansDevanagari", "NotoNaskhArabic")  # tried in this order
STYLES = {"": "Regular", "B": "Bold"}
# Marks none of the fonts draws, written plainly; any other such character becomes '?'
# (fpdf2 would leave it out silently).
PLAIN = str.maketrans({"\u2265": ">=", "\u2264": "<=", "\u2212": "-", "\u2192": "->"})


@dataclass(frozen=True)
class TableDoc:
    title: str
    about: Sequence[str]  # lines under the title
    header: Sequence[str]
    rows: Sequence[Sequence[str]]
    widths: Sequence[int]  # relative column widths
    right: frozenset[int] = frozenset()  # columns of figures, aligned right


def _font_file(family: str, style: str) -> str:
    return f"{family}-{STYLES[style]}.ttf"


@cache
def _cmap(family: str) -> frozenset[int]:
    """The code points a font family draws (its regular and bold cover the same)."""
    font_file = files("kuza.reports") / "fonts" / _font_file(family, "")
    with as_file(font_file) as path, TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap())


@cache
def _drawn() -> frozenset[int]:
    return frozenset().union(*(_cmap(f) for f in (MAIN, *FALLBACKS)))


def _drawable(text: str) -> str:
    drawn = _drawn()
    return "".join(c if ord(c) in drawn or c in "\n\t" else "?" for c in text.translate(PLAIN))


def _cleaned(doc: TableDoc) -> TableDoc:
    return replace(
        doc,
        title=_drawable(doc.title),
        about=[_drawable(line) for line in doc.about],
        header=[_drawable(cell) for cell in doc.header],
        rows=[[_drawable(cell) for cell in row] for row in doc.rows],
    )


def _fallbacks(texts: Iterable[str]) -> list[str]:
    """The fallback families drawing some character of ``texts`` that Noto Sans lacks."""
    missing = {ord(c) for text in texts for c in text} - _cmap(MAIN)
    return [f for f in FALLBACKS if missing & _cmap(f)]


def _needs_shaping(text: str) -> bool:
    """Characters beyond Noto Sans (Devanagari, Arabic) and combining marks need HarfBuzz;
    the rest is set as well without it, in under half the time."""
    main = _cmap(MAIN)
    return any(ord(c) not in main or unicodedata.combining(c) for c in text)


class _Document(FPDF):
    """Shapes each piece of text (a line, a table cell) only when it needs shaping: a
    long table of dates and amounts would otherwise go through HarfBuzz character by
    character (fpdf2 measures a line as it grows)."""

    def multi_cell(self, *args: Any, **kwargs: Any) -> Any:
        text = kwargs["text"] if "text" in kwargs else (args[2] if len(args) > 2 else "")
        self.set_text_shaping(_needs_shaping(text))
        return super().multi_cell(*args, **kwargs)


def _add_fonts(pdf: FPDF, doc: TableDoc) -> None:
    """Noto Sans in both styles; a fallback family in the style (bold: the title and the
    table's header) whose text needs it, since fpdf2 embeds every font added."""
    bold = _fallbacks([doc.title, *doc.header])
    plain = _fallbacks([*doc.about, *(cell for row in doc.rows for cell in row)])
    folder = files("kuza.reports") / "fonts"
    for family, style in [(MAIN, ""), (MAIN, "B"), *((f, "") for f in plain),
                          *((f, "B") for f in bold)]:  # fmt: skip
        with as_file(folder / _font_file(family, style)) as path:
            pdf.add_font(family, style=style, fname=path)
    if plain or bold:
        pdf.set_fallback_fonts([f for f in FALLBACKS if f in plain or f in bold])


def pdf_bytes(doc: TableDoc) -> bytes:
    doc = _cleaned(doc)
    pdf = _Document(orientation="portrait", unit="mm", format="A4")
    _add_fonts(pdf, doc)
    pdf.set_title(doc.title)
    pdf.set_creator("Kuza")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font(MAIN, style="B", size=14)
    pdf.multi_cell(0, 8, doc.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(MAIN, size=9)
    for line in doc.about:
        pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(MAIN, size=8)
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
                row.cell(cell)
    return bytes(pdf.output())

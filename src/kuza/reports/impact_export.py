"""The impact report as CSV text, an XLSX workbook or a PDF (one row per metric)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path

from openpyxl import Workbook

from kuza.reports.impact import ImpactReport
from kuza.reports.pdf import TableDoc, pdf_bytes

HEADER = ("code", "name", "value", "unit", "definition", "period_start", "period_end", "sources")


def rows(report: ImpactReport) -> list[list[str]]:
    return [
        [
            m.code,
            m.name,
            "" if m.value is None else str(m.value),
            m.unit,
            m.definition,
            report.start.isoformat(),
            report.end.isoformat(),
            " ".join(m.sources),
        ]
        for m in report.metrics
    ]


def to_csv(report: ImpactReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows(report))
    return out.getvalue()


def write_xlsx(report: ImpactReport, path: Path) -> None:
    """Values stay text so decimals are exact; a reader converts with ``Decimal``."""
    _workbook(report).save(path)


def xlsx_bytes(report: ImpactReport) -> bytes:
    out = io.BytesIO()
    _workbook(report).save(out)
    return out.getvalue()


def _workbook(report: ImpactReport) -> Workbook:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "impact"
    sheet.append(list(HEADER))
    for row in rows(report):
        sheet.append(row)
    info = book.create_sheet("about")
    info.append(["programme", report.programme_code])
    info.append(["currency", report.currency])
    info.append(["from", report.start.isoformat()])
    info.append(["to", report.end.isoformat()])
    return book


def to_pdf(
    report: ImpactReport,
    title: str,
    about: Sequence[str],
    header: Sequence[str],
    names: Mapping[str, str] | None = None,
) -> bytes:
    """The figures as a PDF table: code, value as in the CSV (exact decimal, empty when
    undefined), unit and name (``names`` per code, e.g. translated). No rows behind the
    figures: the PDF is the aggregate report a donor may be given."""
    shown = names or {}
    doc = TableDoc(
        title=title,
        about=about,
        header=header,
        rows=[
            [m.code, "" if m.value is None else str(m.value), m.unit, shown.get(m.code, m.name)]
            for m in report.metrics
        ],
        widths=(6, 3, 2, 9),
        right=frozenset({1}),
    )
    return pdf_bytes(doc)

"""The impact report as CSV text or an XLSX workbook (one row per metric)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import Workbook

from kuza.reports.impact import ImpactReport

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

"""docs/ledger.md lists every account of the chart (docs stay true to the code)."""

from __future__ import annotations

from pathlib import Path

from kuza.domain.ledger import DEFAULT_CHART

LEDGER_DOC = Path(__file__).resolve().parents[2] / "docs" / "ledger.md"


def test_every_chart_account_is_documented() -> None:
    text = LEDGER_DOC.read_text(encoding="utf-8")
    missing = [a.code.value for a in DEFAULT_CHART if f"| {a.code.value} |" not in text]
    assert missing == []

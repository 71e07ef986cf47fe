"""Bodies of the programme-settings routes: the three sections the admin page edits.
Numbers are decimal strings as the page stores them; a key left out takes its default."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from kuza.domain.loans.book import LoanKind
from kuza.domain.stability import Component
from kuza.domain.training import CompletionBasis
from kuza.web.api.schemas import Strict

Number = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{1,6}(\.[0-9]{1,4})?$"),
    Field(description="A decimal number ≥ 0, e.g. '20' or '12.5'"),
]
Whole = Annotated[int, Field(ge=1, le=10_000)]
GateName = Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=r"^[^\x00]*$")]


class StabilitySettings(Strict):
    weights: dict[Component, Number] = Field({}, description="Points per component")
    minimums: dict[Component, Number | None] = Field(
        {}, description="Percent a component must reach; null drops the default minimum"
    )
    grade_a_above: Number | None = None
    pass_mark: Number | None = None
    window_meetings: Whole | None = None
    posting_days: Whole | None = None
    lending_target: Number | None = Field(None, description="Percent lent of savings")


class TrainingSettings(Strict):
    basis: CompletionBasis | None = None
    min_percent: Number | None = None
    stage2_needs_stability: bool | None = None
    credit_module: Annotated[str, StringConstraints(max_length=60)] | None = None


class SettingsUpdate(Strict):
    """Each section given replaces that section whole; sections left out are kept."""

    stability: StabilitySettings | None = None
    training: TrainingSettings | None = None
    loan_gates: dict[LoanKind, Annotated[list[GateName], Field(max_length=20)]] | None = Field(
        None, description="Checks a loan of that kind must pass, e.g. credit_training"
    )


class SettingsPublic(BaseModel):
    programme_id: int
    stability: dict[str, Any]
    training: dict[str, Any]
    loan_gates: dict[str, Any]
    gates: list[str] = Field(description="The loan gates that may be named")

"""Bodies of the set-up routes: programmes, branches, field agents, training modules
and value chains."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from kuza.domain.training import MaterialFormat, TrainingCategory
from kuza.web.api.admin_schemas import Number
from kuza.web.api.schemas import Name, Page, Strict

Code = Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=r"^[^\x00]*$")]
Phone = Annotated[str, StringConstraints(max_length=40, pattern=r"^[^\x00]*$")]


class ProgrammeCreate(Strict):
    code: Annotated[Code, Field(max_length=40, description="Unique, no spaces, e.g. KE-SHG")]
    name: Name
    country: Annotated[
        str, StringConstraints(pattern=r"^[A-Za-z]{2}$"), Field(description="ISO 3166, e.g. KE")
    ]
    currency: Annotated[
        str, StringConstraints(pattern=r"^[A-Za-z]{3}$"), Field(description="ISO 4217, e.g. KES")
    ]


class ProgrammePublic(BaseModel):
    id: int
    code: str
    name: str
    country: str
    currency: str
    branches: int


class ProgrammesPublic(Page):
    items: list[ProgrammePublic]


class BranchCreate(Strict):
    name: Name


class BranchPublic(BaseModel):
    id: int
    programme_id: int
    name: str
    agents: int


class BranchesPublic(Page):
    items: list[BranchPublic]


class FieldAgentCreate(Strict):
    name: Name
    phone: Phone | None = None


class FieldAgentPublic(BaseModel):
    id: int
    programme_id: int
    branch_id: int
    name: str
    phone: str | None
    logins: list[str] = Field(description="The field-agent accounts linked to her")


class FieldAgentsPublic(Page):
    items: list[FieldAgentPublic]


class TrainingModuleCreate(Strict):
    code: Code
    name: Name
    category: TrainingCategory
    expected_hours: Number
    material_format: MaterialFormat = MaterialFormat.TEXT


class ValueChainCreate(Strict):
    code: Code
    name: Name


class ValueChainPublic(BaseModel):
    id: int
    programme_id: int
    code: str
    name: str


class ValueChainsPublic(Page):
    items: list[ValueChainPublic]

"""Bodies of the training, enterprise and job routes (``XCreate`` in, ``XPublic`` out)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from kuza.web.api.schemas import Amount, Id, Name, Page, Strict

Code = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[^\x00\s]+$")]


class TrainingModulePublic(BaseModel):
    id: int
    code: str
    name: str
    category: str
    expected_hours: str
    material_format: str


class TrainingModulesPublic(Page):
    programme_id: int | None
    items: list[TrainingModulePublic]


class TrainingSessionCreate(Strict):
    module_code: Code = Field(description="The module's code in the catalogue")
    trainer: Name
    held_on: date
    hours: Amount = Field(description="Length of the session in hours, e.g. '2' or '1.5'")
    present: Annotated[list[Id], Field(max_length=500)] = Field(
        [], description="Members who came; every other member on the roll is marked absent"
    )


class TrainingSessionPublic(BaseModel):
    id: int
    group_id: int
    held_on: date
    module: str
    module_name: str
    trainer: str
    hours: str
    present: int
    roll: int


class TrainingSessionsPublic(Page):
    group_id: int
    items: list[TrainingSessionPublic]


class ModuleProgressPublic(BaseModel):
    module: str
    module_name: str
    category: str
    sessions_held: int
    sessions_attended: int
    hours_attended: str
    percent: str
    completed: bool


class MemberTrainingPublic(Page):
    member_id: int
    name: str
    items: list[ModuleProgressPublic]

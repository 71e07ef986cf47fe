"""Bodies of the training, enterprise and job routes (``XCreate`` in, ``XPublic`` out)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from kuza.web.api.schemas import Amount, Id, Name, Page, Strict, Text

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


class EnterpriseSummaryPublic(BaseModel):
    id: int
    name: str
    sector: str
    value_chain: str
    branch: str
    status: str
    started_on: date
    jobs: int


class EnterprisesPublic(Page):
    items: list[EnterpriseSummaryPublic]


class JobEventPublic(BaseModel):
    id: int
    kind: str
    on: date
    work_time: str
    fte_change: str
    verified_on: date | None
    verified_by: str
    method: str


class JobPublic(BaseModel):
    id: int
    role: str
    worker: str
    events: list[JobEventPublic]


class OwnerPublic(BaseModel):
    member_id: int
    name: str


class EnterprisePublic(EnterpriseSummaryPublic):
    location: str
    registered: bool
    household_size: int
    owners: list[OwnerPublic]
    job_list: list[JobPublic] = Field(description="Each job with its events, oldest first")


class EnterpriseCreate(Strict):
    name: Name
    owner_ids: Annotated[list[Id], Field(min_length=1, max_length=20)] = Field(
        description="The members who own it, all in the caller's scope and one programme"
    )
    sector: Code = Field(description="One of the programme's sectors (settings.sectors)")
    started_on: date
    location: Text = ""
    value_chain: Code | None = Field(None, description="A value chain's code, if any")
    registered: bool = Field(False, description="Formally registered; then registration_no")
    registration_no: Text | None = None
    household_size: Annotated[int, Field(ge=1, le=1000)] | None = Field(
        None, description="Default: the owners' household sizes added"
    )


class JobCreate(Strict):
    role: Literal["owner", "employee"]
    on: date
    hours_per_week: Amount
    member_id: Id | None = Field(None, description="The owner, or a member employed")
    worker_name: Text = Field("", description="An employee who is not a member")
    worker_sex: Literal["F", "M", "X"] | None = None
    note: Text = ""


class JobEventCreate(Strict):
    kind: Literal["grown", "lost"]
    on: date
    hours_per_week: Amount | None = Field(None, description="grown: the new hours")
    note: Text = ""


class VerificationCreate(Strict):
    method: Literal["agent_visit", "phone", "document"]
    verified_on: date
    note: Text = ""


class JobEventRecordedPublic(BaseModel):
    enterprise_id: int
    event_id: int = Field(description="The job event recorded or verified")
    enterprise: EnterprisePublic


class LinkageWomanCreate(Strict):
    member_id: Id
    role: Literal["producer", "aggregator", "processor", "trader", "negotiator", "leader"]


class LinkageCreate(Strict):
    partner_id: Id = Field(description="A buyer, supplier or processor of the programme")
    started_on: date
    member_id: Id | None = Field(None, description="A member's own link; omitted: the group's")
    value_chain: Code | None = Field(None, description="The value chain's code")
    ended_on: date | None = None
    women: Annotated[list[LinkageWomanCreate], Field(max_length=500)] = Field(
        [], description="The women members involved and their role"
    )
    note: Text = ""


class LinkageWomanPublic(BaseModel):
    member_id: int
    role: str


class LinkagePublic(BaseModel):
    id: int
    partner_id: int
    partner: str
    partner_kind: str
    group_id: int | None
    member_id: int | None
    value_chain: str
    started_on: date
    ended_on: date | None
    note: str
    recorded_by: str
    women: list[LinkageWomanPublic]


class LinkagesPublic(Page):
    group_id: int
    items: list[LinkagePublic]


AnswerCode = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[^\x00]*$")]


class VisitCreate(Strict):
    scorecard: Code = Field(description="The programme's scorecard code")
    visited_on: date
    answers: Annotated[dict[AnswerCode, AnswerCode], Field(max_length=100)] = Field(
        description="Question code → the answer's code, as the scorecard lists them"
    )
    household_size: Annotated[int, Field(ge=0, le=1000)]
    note: Text = ""


class VisitPublic(BaseModel):
    visit_id: int
    member_id: int
    visited_on: date
    scorecard: str
    score: int
    likelihood: str = Field(description="Poverty likelihood, percent")


class VisitsPublic(Page):
    member_id: int
    items: list[VisitPublic]


class DependantCreate(Strict):
    name: Name
    relation: Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[^\x00]*$")]
    sex: Literal["F", "M", "X"]
    birth_year: Annotated[int, Field(ge=1900, le=2100)] | None = None


class EnrolmentCreate(Strict):
    plan_id: Id
    enrolled_on: date
    pays_from: Literal["cash", "passbook"] = "cash"
    dependants: Annotated[list[DependantCreate], Field(max_length=30)] = Field(
        [], description="Covered with her; each adds the dependant premium"
    )


class EnrolmentPublic(BaseModel):
    id: int
    plan_id: int
    plan: str
    member_id: int
    group_id: int
    enrolled_on: date
    ended_on: date | None
    pays_from: str
    dependants: int


class EnrolmentsPublic(Page):
    member_id: int
    items: list[EnrolmentPublic]


class ClaimCreate(Strict):
    incurred_on: date
    amount: Amount
    description: Name
    dependant_id: Id | None = Field(None, description="Care for a dependant of hers")
    submitted_on: date | None = Field(None, description="Default today")


class ClaimPublic(BaseModel):
    id: int
    enrolment_id: int
    dependant_id: int | None
    incurred_on: date
    description: str
    claimed: str
    approved: str | None
    currency: str
    status: str
    submitted_on: date
    decided_on: date | None
    paid_on: date | None


class ClaimsPublic(Page):
    enrolment_id: int
    items: list[ClaimPublic]

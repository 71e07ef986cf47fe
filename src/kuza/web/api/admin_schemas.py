"""Bodies of the admin routes: loan products, user accounts, the audit log and household
scorecards. A password goes in, never out: no schema here carries a hash."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from kuza.domain.access import Role
from kuza.domain.loans.book import LoanKind
from kuza.web.api.schemas import Amount, Id, Name, Page, Strict

Number = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{1,6}(\.[0-9]{1,4})?$"),
    Field(description="A decimal number ≥ 0, e.g. '3' or '12.5'"),
]
Code = Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=r"^[^\x00]*$")]
Cycle = Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{0,2}$")]
Password = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\x00]*$")]
Username = Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=r"^[^\x00]*$")]
Locale = Annotated[str, StringConstraints(min_length=2, max_length=10, pattern=r"^[A-Za-z_-]+$")]
Ids = Annotated[list[Id], Field(max_length=200)]

# ---- loan products ----------------------------------------------------------------------


class LoanProductCreate(Strict):
    """A product as ``kuza loan product-add`` reads it; ``terms`` is the calculator's input
    (rate, method, instalments, every ...), checked against the programme's currency."""

    name: Name
    kind: LoanKind
    terms: dict[str, Any] = Field(description="The loan calculator's input without amount")
    ceilings: dict[Cycle, Amount] = Field(
        {}, description="Loan cycle → the most she may borrow in it"
    )
    savings_multiple: Number | None = None
    guarantee_percent: Number | None = None
    penalty: dict[str, Any] | None = Field(
        None, description='{"flat": "0", "percent": "5", "after_days": 7}'
    )
    starter: bool = False
    allocation_order: Annotated[list[Code], Field(max_length=10)] | None = Field(
        None, description="e.g. penalties, fees, interest, principal"
    )


class LoanProductUpdate(Strict):
    active: bool = Field(description="false: no new application or approval names it")


class LoanProductPublic(BaseModel):
    id: int
    programme_id: int
    name: str
    kind: str
    terms: dict[str, Any]
    ceilings: dict[str, str]
    savings_multiple: str | None
    guarantee_percent: str | None
    starter: bool
    active: bool


class LoanProductsPublic(Page):
    items: list[LoanProductPublic]


# ---- user accounts ----------------------------------------------------------------------


class Assignment(Strict):
    """A role and the places its scope is built from (admin: none; branch manager: a
    branch; field agent: the field agent she is; donor: optionally her funded branches
    and value chains)."""

    role: Role
    programme_id: Id | None = None
    branch_id: Id | None = None
    agent_id: Id | None = None
    branch_ids: Ids = Field([], description="A donor's funded branches")
    value_chain_ids: Ids = Field([], description="A donor's funded value chains")


class UserCreate(Assignment):
    username: Username
    password: Password
    display_name: Annotated[str, StringConstraints(max_length=200, pattern=r"^[^\x00]*$")] = ""
    locale: Locale = "en"


class UserUpdate(Strict):
    """``assignment`` replaces her role and scope whole; ``active`` false ends her
    sessions and tokens at once. Either or both."""

    assignment: Assignment | None = None
    active: bool | None = None


class PasswordCreate(Strict):
    password: Password


class UserPublic(BaseModel):
    id: int
    username: str
    display_name: str
    role: str
    programme_id: int | None
    branch_id: int | None
    agent_id: int | None
    active: bool
    branch_ids: list[int] = Field(description="A donor's funded branches (none: all)")
    value_chain_ids: list[int] = Field(description="A donor's funded value chains")


class UsersPublic(Page):
    items: list[UserPublic]


class PasswordSetPublic(BaseModel):
    user_id: int
    api_tokens_revoked: int


# ---- audit log and scorecards -----------------------------------------------------------


class AuditEntryPublic(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    object_kind: str
    object_id: str
    programme_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditPublic(Page):
    items: list[AuditEntryPublic]


Likelihood = Annotated[
    Annotated[str, StringConstraints(pattern=r"^[0-9]{1,3}(\.[0-9]{1,4})?$")]
    | Annotated[int, Field(ge=0, le=100)],
    Field(description="Percent 0-100, e.g. '85' or '12.5'"),
]


class ScorecardQuestion(Strict):
    code: Code
    text: Annotated[str, StringConstraints(max_length=500, pattern=r"^[^\x00]*$")] = ""
    points: Annotated[dict[Code, Annotated[int, Field(ge=-10_000, le=10_000)]], Field(min_length=1)]


class ScorecardCreate(Strict):
    """The document ``kuza visit scorecard`` loads: questions with points per answer and
    the score → likelihood table, from score 0 up."""

    code: Code
    questions: Annotated[list[ScorecardQuestion], Field(min_length=1, max_length=200)]
    lookup: Annotated[
        list[tuple[Annotated[int, Field(ge=0, le=1_000_000)], Likelihood]],
        Field(min_length=1, max_length=200),
    ] = Field(description="[lowest score of the band, likelihood percent], from 0 up")


class ScorecardPublic(BaseModel):
    id: int
    programme_id: int
    code: str
    loaded_on: date
    loaded_by: str
    definition: dict[str, Any]


class ScorecardsPublic(Page):
    items: list[ScorecardPublic]

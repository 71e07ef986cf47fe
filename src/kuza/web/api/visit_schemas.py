"""API bodies of a household's score progress, and of referrals (a member referred to a
health, school, legal or social service) and their follow-ups; visits themselves are in
impact_schemas."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from kuza.web.api.schemas import Id, Name, Page, Strict, Text


class ReferralCreate(Strict):
    kind: Literal["health", "school", "legal", "social_services"]
    service: Name = Field(description="The service she is referred to")
    on: date
    visit_id: Id | None = Field(None, description="The household visit it came from")
    note: Text = ""


class FollowUpCreate(Strict):
    status: Literal["in_progress", "resolved", "dropped"]
    on: date
    note: Text = ""


class FollowUpPublic(BaseModel):
    on: date
    status: str
    note: str
    recorded_by: str


class ReferralPublic(BaseModel):
    id: int
    member_id: int
    member: str
    visit_id: int | None
    kind: str
    service: str
    referred_on: date
    referred_by: str
    status: str
    note: str
    follow_ups: list[FollowUpPublic]


class ReferralsPublic(Page):
    items: list[ReferralPublic]


class MemberReferralsPublic(ReferralsPublic):
    member_id: int


class ScoreProgressPublic(BaseModel):
    scorecard: str
    visits: int
    baseline_on: date = Field(description="Her first visit with this scorecard")
    baseline: int
    latest_on: date
    latest: int
    change: int = Field(description="Latest score minus the baseline")


class ScoreHistoryPublic(BaseModel):
    member_id: int
    items: list[ScoreProgressPublic]

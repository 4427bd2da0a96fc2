"""The committees a partnership plans to form (docs/rules.md P3), as its configuration file says.

A plan is data: each `[[committees]]` table of a partnership's TOML names the committee, its
preferred option, the bodies it will report to and its milestones in dependency order. The
formation aggregate (`domain.aggregates.committee`) takes the milestones as `PlanMilestone`
commands, so the file and the command are one model.
"""

from collections.abc import Iterable
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.organisations import Slug
from domain.text import Line, Name

_SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"


MilestoneRequirement = Literal["membership"]
"""What a milestone stands for besides its dependencies and agreements: "membership", a
membership confirmed against DCC Cabinet 2022 §19 (a)-(g)."""


class PlanMilestone(BaseModel):
    """A milestone of a plan; its dependencies must come before it (so the plan has no cycles).

    `requires` names what must be recorded before the milestone can be met (docs/rules.md P3).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["PlanMilestone"] = "PlanMilestone"
    milestone_id: Name = Field(min_length=1)
    title: Line = Field(min_length=1)
    owner: Name = Field(min_length=1)
    target_on: date
    needs_agreement_of: tuple[Name, ...] = ()
    depends_on: tuple[Name, ...] = ()
    requires: MilestoneRequirement | None = None
    clause: Line = Field(min_length=1)


class CommitteePlan(BaseModel):
    """A committee the partnership plans: what it is, whom it reports to, how it is formed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    slug: Slug = Field(pattern=_SLUG)
    name: Name = Field(min_length=1)
    preferred_option: Line = Field(min_length=1)
    reports_to: tuple[Slug, ...] = Field(min_length=1)
    clause: Line = Field(min_length=1)
    milestones: tuple[PlanMilestone, ...] = Field(min_length=1)


def shift_plan(plan: Iterable[PlanMilestone], first_target_on: date) -> tuple[PlanMilestone, ...]:
    """`plan` moved in time so its earliest target falls on `first_target_on`, every interval
    between targets kept: a plan drawn up for 2022 rehearsed from a later start."""
    plan = tuple(plan)
    if not plan:
        return plan
    offset = first_target_on - min(p.target_on for p in plan)
    return tuple(p.model_copy(update={"target_on": p.target_on + offset}) for p in plan)

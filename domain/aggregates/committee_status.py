"""Where each milestone of a formation stands, for staff: what it waits on and by when."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from domain.aggregates.committee import CommitteeState, Milestone


class MilestoneStatus(BaseModel):
    """Where one milestone stands, for staff: what it waits on and by when."""

    model_config = ConfigDict(frozen=True)

    milestone_id: str
    title: str
    owner: str
    status: Literal["planned", "met", "slipped", "replanned"]
    target_on: date
    met_on: date | None
    dependencies_outstanding: tuple[str, ...]
    agreements_outstanding: tuple[str, ...]


def milestone_statuses(state: CommitteeState) -> tuple[MilestoneStatus, ...]:
    """Every milestone's status, in plan order."""
    met = {m.milestone_id for m in state.milestones if m.met_on is not None}

    def status(m: Milestone) -> Literal["planned", "met", "slipped", "replanned"]:
        if m.met_on is not None:
            return "met"
        if m.is_slipping:
            return "slipped"
        return "replanned" if m.replans else "planned"

    return tuple(
        MilestoneStatus(
            milestone_id=m.milestone_id,
            title=m.title,
            owner=m.owner,
            status=status(m),
            target_on=m.target_on,
            met_on=m.met_on,
            dependencies_outstanding=tuple(d for d in m.depends_on if d not in met),
            agreements_outstanding=m.agreements_outstanding,
        )
        for m in state.milestones
    )

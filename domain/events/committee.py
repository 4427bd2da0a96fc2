"""P3 joint committee: its formation milestones, its membership and its establishment."""

from datetime import date
from typing import Literal

from domain.committee_plans import MilestoneRequirement
from domain.events.base import Event
from domain.organisations import Sector


class FormationStarted(Event):
    """Work to form a joint committee began (DCC Cabinet 2022 recommendation 7, CDCPE ToR §2)."""

    type: Literal["FormationStarted"] = "FormationStarted"
    dated_by = "started_on"
    committee_id: str
    name: str
    preferred_option: str
    started_on: date


class MilestonePlanned(Event):
    """A formation milestone, with owner, target date, agreements needed and dependencies."""

    type: Literal["MilestonePlanned"] = "MilestonePlanned"
    dated_by = None  # planned with no date of its own: it counts from when it occurred
    committee_id: str
    milestone_id: str
    title: str
    owner: str
    target_on: date
    needs_agreement_of: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    clause: str
    # Absent from events recorded before milestones could require anything.
    requires: MilestoneRequirement | None = None


class MilestoneAgreed(Event):
    """A body or partner whose agreement a milestone needs gave it (DCC Cabinet 2022 §17)."""

    type: Literal["MilestoneAgreed"] = "MilestoneAgreed"
    dated_by = "agreed_on"
    committee_id: str
    milestone_id: str
    agreed_by: str
    agreed_on: date


class MilestoneMet(Event):
    """A milestone was met."""

    type: Literal["MilestoneMet"] = "MilestoneMet"
    dated_by = "met_on"
    committee_id: str
    milestone_id: str
    met_on: date
    evidence: str = ""


class MilestoneSlipped(Event):
    """A milestone passed its target date unmet; the owner is escalated to (P3 policy)."""

    type: Literal["MilestoneSlipped"] = "MilestoneSlipped"
    dated_by = "noticed_on"
    committee_id: str
    milestone_id: str
    target_on: date
    noticed_on: date
    owner: str


class MilestoneReplanned(Event):
    """The owner set a new target date (DCC Cabinet 2022 7(c), §29: guidance may change the
    plan)."""

    type: Literal["MilestoneReplanned"] = "MilestoneReplanned"
    dated_by = "replanned_on"
    committee_id: str
    milestone_id: str
    previous_target_on: date
    new_target_on: date
    replanned_on: date
    reason: str


class GuidancePublished(Event):
    """Government guidance awaited by DCC Cabinet 2022 7(c), §29 was published."""

    type: Literal["GuidancePublished"] = "GuidancePublished"
    dated_by = "published_on"
    committee_id: str
    title: str
    published_on: date
    changes_preferred_option: bool
    new_preferred_option: str | None = None


class CommitteeEstablished(Event):
    """The joint committee is fully operational (DCC Cabinet 2022 §6(c)): every milestone is met."""

    type: Literal["CommitteeEstablished"] = "CommitteeEstablished"
    dated_by = "established_on"
    committee_id: str
    name: str
    established_on: date
    reports_to: tuple[str, ...]


class CommitteeMemberConfirmed(Event):
    """A seat of the joint committee, confirmed with the whole membership against the minimum
    list of DCC Cabinet 2022 §19 (a)-(g); `covers` names the §19 categories the seat fills."""

    type: Literal["CommitteeMemberConfirmed"] = "CommitteeMemberConfirmed"
    dated_by = "confirmed_on"
    committee_id: str
    seat: str
    role: str
    organisation: str | None = None
    sector: Sector
    covers: tuple[str, ...] = ()
    chair: bool = False
    confirmed_on: date

"""P4 escalation: an issue climbing its ladder, the votes taken and the actions agreed."""

from datetime import date
from enum import StrEnum
from typing import Literal

from domain.events.base import Event
from domain.rules.voting import UncountedVote, VoteChoice


class EscalationReason(StrEnum):
    """Why a body raises an escalation (CDCPE ToR §2, MSE MoU 2020 §8.6-§8.10)."""

    OUTCOME_NOT_DELIVERED = "outcome_not_delivered"
    WORK_PLAN_EXCEPTION = "work_plan_exception"
    ISSUE_BETWEEN_PARTNERS = "issue_between_partners"


class ClimbReason(StrEnum):
    """Why an escalation moved up its ladder (docs/rules.md P4)."""

    DEADLINE_PASSED = "deadline_passed"
    NOT_RESOLVED = "not_resolved"
    DECISION_NOT_ACCEPTED = "decision_not_accepted"


class ActionKind(StrEnum):
    """Actions a level may agree (MSE MoU 2020 §7.5-§7.8; CDCPE ToR §2 mitigating actions)."""

    RECOVERY_PLAN = "recovery_plan"
    IMPROVEMENT_PLAN = "improvement_plan"
    PEER_REVIEW = "peer_review"
    EXTERNAL_SUPPORT = "external_support"
    FUNDING_RESTRICTION = "funding_restriction"
    MITIGATING_ACTION = "mitigating_action"


class EscalationRaised(Event):
    """A body escalated an issue; it starts at the ladder's first level (P4)."""

    type: Literal["EscalationRaised"] = "EscalationRaised"
    dated_by = "raised_on"
    escalation_id: str
    raised_by: str
    reason: EscalationReason
    summary: str
    raised_on: date
    level: int
    respond_by: date
    affected: tuple[str, ...] = ()
    """Partner organisations affected by the matter (MSE MoU 2020 §8.10(2)); default for old
    events."""


class EscalationConsidered(Event):
    """A body at the current level discussed the escalation (MSE MoU 2020 §8.10(1))."""

    type: Literal["EscalationConsidered"] = "EscalationConsidered"
    dated_by = "considered_on"
    escalation_id: str
    level: int
    body: str
    considered_on: date
    notes: str = ""


class EscalationDecided(Event):
    """A body at the current level voted, under its decision rule, with the count recorded:
    every vote cast by a member present, and which of them were not counted and why."""

    type: Literal["EscalationDecided"] = "EscalationDecided"
    dated_by = "decided_on"
    escalation_id: str
    level: int
    body: str
    decided_on: date
    rule: str
    eligible_voters: tuple[str, ...]
    in_favour: tuple[str, ...]
    against: tuple[str, ...]
    carried: bool
    summary: str
    explanation: str
    # Votes recorded above but not counted, each with its reason (MSE MoU 2020 §8.4, §8.10(2));
    # empty in events recorded before such votes were kept.
    not_counted: tuple[UncountedVote, ...] = ()


class VoteCast(Event):
    """A voting member (or their named deputy) cast their own vote on the escalation at its
    current level (CDCPE ToR §3); a later one from the same seat replaces it until the level's
    vote is decided. `declaration`: an interest they declared for this item (CDCPE ToR §6)."""

    type: Literal["VoteCast"] = "VoteCast"
    dated_by = "cast_on"
    escalation_id: str
    level: int
    body: str
    seat: str
    vote: VoteChoice
    cast_on: date
    declaration: str = ""


class EscalationClimbed(Event):
    """The escalation moved to the next level of the ladder."""

    type: Literal["EscalationClimbed"] = "EscalationClimbed"
    dated_by = "climbed_on"
    escalation_id: str
    from_level: int
    to_level: int
    climbed_on: date
    reason: ClimbReason
    respond_by: date


class ActionAgreed(Event):
    """An action agreed at a level, with an owner and a due date (MSE MoU 2020 §7.5-§7.8)."""

    type: Literal["ActionAgreed"] = "ActionAgreed"
    dated_by = "agreed_on"
    escalation_id: str
    action_id: str
    kind: ActionKind
    description: str
    owner: str
    due_on: date
    agreed_on: date
    level: int


class ActionCompleted(Event):
    """An agreed action was completed."""

    type: Literal["ActionCompleted"] = "ActionCompleted"
    dated_by = "completed_on"
    escalation_id: str
    action_id: str
    completed_on: date


class EscalationResolved(Event):
    """The issue was resolved at a level."""

    type: Literal["EscalationResolved"] = "EscalationResolved"
    dated_by = "resolved_on"
    escalation_id: str
    level: int
    resolved_on: date
    resolution: str


class EscalationClosed(Event):
    """The escalation ended unresolved: closed by staff, or at the top of the ladder undecided."""

    type: Literal["EscalationClosed"] = "EscalationClosed"
    dated_by = "closed_on"
    escalation_id: str
    closed_on: date
    reason: str = ""


class ActionOverdue(Event):
    """An agreed action passed its due date incomplete; its owner is reminded (P4 policy)."""

    type: Literal["ActionOverdue"] = "ActionOverdue"
    dated_by = "noticed_on"
    escalation_id: str
    action_id: str
    owner: str
    due_on: date
    noticed_on: date

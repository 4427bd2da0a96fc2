"""Domain events: the facts Concordat records, one immutable model per event type.

Each event carries `type` (its class name, the discriminator of `DomainEvent`) and a
`schema_version`, so the event store and auditors' replays can read every version ever written.
Payloads hold only strings, integers, booleans, dates and tuples of those: never floats, because
the event store hashes events exactly. Identifiers and dates are always given by the caller.
"""

from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from domain.bodies import Body
from domain.organisations import Annex1Category, Sector


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: Literal[1] = 1
    partnership: str


class ReviewOutcome(StrEnum):
    """How an MoU review ended (PROCESSES.md P1).

    CONFIRMED_UNCHANGED: no variation was proposed. VARIED: a variation was agreed in writing by
    every signatory (`000` MoU §25). LAPSED: a variation was proposed but refused or not agreed by
    every signatory by the deadline, so it is not adopted and the MoU stands unchanged.
    """

    CONFIRMED_UNCHANGED = "confirmed_unchanged"
    VARIED = "varied"
    LAPSED = "lapsed"


class ConflictRuling(StrEnum):
    """The Chair's ruling on a declared interest for one item (`000` ToR §6)."""

    LEAVE = "leave"
    DISCUSS_NOT_DECIDE = "discuss_not_decide"
    TAKE_PART = "take_part"


class EscalationReason(StrEnum):
    """Why a body raises an escalation (`000` ToR §2, `003` §8.6-§8.10)."""

    OUTCOME_NOT_DELIVERED = "outcome_not_delivered"
    WORK_PLAN_EXCEPTION = "work_plan_exception"
    ISSUE_BETWEEN_PARTNERS = "issue_between_partners"


class ClimbReason(StrEnum):
    """Why an escalation moved up its ladder (PROCESSES.md P4)."""

    DEADLINE_PASSED = "deadline_passed"
    NOT_RESOLVED = "not_resolved"
    DECISION_NOT_ACCEPTED = "decision_not_accepted"


class ActionKind(StrEnum):
    """Actions a level may agree (`003` §7.5-§7.8; `000` ToR §2 mitigating actions)."""

    RECOVERY_PLAN = "recovery_plan"
    IMPROVEMENT_PLAN = "improvement_plan"
    PEER_REVIEW = "peer_review"
    EXTERNAL_SUPPORT = "external_support"
    FUNDING_RESTRICTION = "funding_restriction"
    MITIGATING_ACTION = "mitigating_action"


class NoticeKind(StrEnum):
    """What a written notice is for; it tells an aggregate which notices it tracks."""

    EXIT_NOTICE = "exit-notice"
    REVIEW_REQUEST = "review-request"
    VARIATION = "variation"
    REMINDER = "reminder"
    OUTCOME = "outcome"
    SLIPPAGE = "slippage"
    ESCALATION = "escalation"
    AGENDA_REQUEST = "agenda-request"
    AGENDA = "agenda"
    MINUTES = "minutes"
    DECLARATION_REQUEST = "declaration-request"


class ProcessKind(StrEnum):
    """Processes that send notices and reminders."""

    REVIEW = "review"
    EXIT = "exit"
    COMMITTEE = "committee"
    ESCALATION = "escalation"
    DECLARATIONS = "declarations"
    MEETING = "meeting"


# ------------------------------------------------------------------ P1 signature and review


class MouSigned(_Event):
    """A partner executed its counterpart of the MoU (`003` §15.3, `000` MoU §24)."""

    type: Literal["MouSigned"] = "MouSigned"
    organisation: str
    signatory_name: str
    signatory_role: str
    signed_on: date


class MouEffective(_Event):
    """Every partner has signed: the MoU commences (`000` MoU §24, `003` §15.3)."""

    type: Literal["MouEffective"] = "MouEffective"
    effective_on: date
    version: int
    review_due_on: date


class ReviewOpened(_Event):
    """An MoU review began; every listed signatory is asked to respond (`000` MoU §24)."""

    type: Literal["ReviewOpened"] = "ReviewOpened"
    review_id: str
    opened_on: date
    due_on: date
    response_deadline: date
    mou_version: int
    signatories: tuple[str, ...]


class ResponseReceived(_Event):
    """A signatory answered the review: confirming the MoU as it stands, or not."""

    type: Literal["ResponseReceived"] = "ResponseReceived"
    review_id: str
    organisation: str
    received_on: date
    confirms_unchanged: bool
    comment: str = ""


class VariationProposed(_Event):
    """A change to the MoU or its schedules was put to all signatories (`000` MoU §25)."""

    type: Literal["VariationProposed"] = "VariationProposed"
    review_id: str
    variation_id: str
    proposed_by: str
    summary: str
    proposed_on: date


class VariationAgreed(_Event):
    """A signatory agreed the variation in writing (`000` MoU §25, `003` §10.1)."""

    type: Literal["VariationAgreed"] = "VariationAgreed"
    review_id: str
    variation_id: str
    organisation: str
    agreed_on: date


class VariationRefused(_Event):
    """A signatory refused the variation: it cannot be adopted (`000` MoU §25)."""

    type: Literal["VariationRefused"] = "VariationRefused"
    review_id: str
    variation_id: str
    organisation: str
    refused_on: date
    reason: str = ""


class ReviewConcluded(_Event):
    """The review ended; the next review is due no later than 12 months later (P1 policy)."""

    type: Literal["ReviewConcluded"] = "ReviewConcluded"
    review_id: str
    outcome: ReviewOutcome
    concluded_on: date
    next_review_due_on: date
    variation_id: str | None = None
    not_agreed_by: tuple[str, ...] = ()
    not_responded: tuple[str, ...] = ()


class ReviewDateRevised(_Event):
    """The MoU's next review date moved (`000` MoU §27 "revised accordingly")."""

    type: Literal["ReviewDateRevised"] = "ReviewDateRevised"
    previous_due_on: date | None
    review_due_on: date
    revised_on: date
    reason: str


class ReminderSent(_Event):
    """A reminder went to an organisation that had not yet responded by `deadline`."""

    type: Literal["ReminderSent"] = "ReminderSent"
    process: ProcessKind
    process_id: str
    organisation: str
    sent_on: date
    deadline: date


class ReviewSignatoryRemoved(_Event):
    """A signatory left during a review: no longer asked, nor counted for unanimity (`000` §27)."""

    type: Literal["ReviewSignatoryRemoved"] = "ReviewSignatoryRemoved"
    review_id: str
    organisation: str
    left_on: date


# ------------------------------------------------------------------------------ P2 exit


class ExitNotified(_Event):
    """A partner gave written notice that it is leaving (`000` MoU §27, `001` MoU §23)."""

    type: Literal["ExitNotified"] = "ExitNotified"
    exit_id: str
    organisation: str
    notified_on: date
    effective_on: date
    signatory_name: str
    recipients: tuple[str, ...]


class NoticeIssued(_Event):
    """A written notice was produced for one recipient; its full text and hash are recorded.

    The exit notice to every other signatory is one (`000` MoU §27: "notify the other signatory
    organisations in writing"); so are review requests, circulated variations, reminders,
    slippage notices and escalation notices.
    """

    type: Literal["NoticeIssued"] = "NoticeIssued"
    process: ProcessKind
    process_id: str
    notice_id: str
    kind: NoticeKind
    recipient: str
    issued_on: date
    respond_by: date | None = None
    subject: str
    body: str
    content_hash: str


class NoticeDelivered(_Event):
    """The delivery channel took the notice: the receipt of `NoticeIssued`."""

    type: Literal["NoticeDelivered"] = "NoticeDelivered"
    process: ProcessKind
    process_id: str
    notice_id: str
    recipient: str
    delivered_on: date
    channel: str
    reference: str


class NoticeAcknowledged(_Event):
    """The recipient acknowledged the exit notice."""

    type: Literal["NoticeAcknowledged"] = "NoticeAcknowledged"
    exit_id: str
    recipient: str
    acknowledged_on: date
    acknowledged_by: str


class ExitWithdrawn(_Event):
    """The leaving partner withdrew its notice before the effective date."""

    type: Literal["ExitWithdrawn"] = "ExitWithdrawn"
    exit_id: str
    organisation: str
    withdrawn_on: date
    reason: str = ""


class MembershipEnded(_Event):
    """The partner left: removed from the signatories and every body (`000` MoU §27).

    Recorded in the exit stream, closing the process, and in the partnership stream, where it is
    followed by the `MouAmended` and `ReviewDateRevised` it causes.
    """

    type: Literal["MembershipEnded"] = "MembershipEnded"
    exit_id: str
    organisation: str
    ended_on: date
    bodies_affected: tuple[str, ...] = ()


class MouAmended(_Event):
    """A new MoU version was issued (after an exit, a variation or an admission)."""

    type: Literal["MouAmended"] = "MouAmended"
    version: int
    amended_on: date
    reason: str


# ------------------------------------------------------------------- P3 joint committee


class FormationStarted(_Event):
    """Work to form a joint committee began (`002` recommendation 7, `000` ToR §2)."""

    type: Literal["FormationStarted"] = "FormationStarted"
    committee_id: str
    name: str
    preferred_option: str
    started_on: date


class MilestonePlanned(_Event):
    """A formation milestone, with owner, target date, agreements needed and dependencies."""

    type: Literal["MilestonePlanned"] = "MilestonePlanned"
    committee_id: str
    milestone_id: str
    title: str
    owner: str
    target_on: date
    needs_agreement_of: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    clause: str


class MilestoneAgreed(_Event):
    """A body or partner whose agreement a milestone needs gave it (`002` §17)."""

    type: Literal["MilestoneAgreed"] = "MilestoneAgreed"
    committee_id: str
    milestone_id: str
    agreed_by: str
    agreed_on: date


class MilestoneMet(_Event):
    """A milestone was met."""

    type: Literal["MilestoneMet"] = "MilestoneMet"
    committee_id: str
    milestone_id: str
    met_on: date
    evidence: str = ""


class MilestoneSlipped(_Event):
    """A milestone passed its target date unmet; the owner is escalated to (P3 policy)."""

    type: Literal["MilestoneSlipped"] = "MilestoneSlipped"
    committee_id: str
    milestone_id: str
    target_on: date
    noticed_on: date
    owner: str


class MilestoneReplanned(_Event):
    """The owner set a new target date (`002` 7(c), §29: guidance may change the plan)."""

    type: Literal["MilestoneReplanned"] = "MilestoneReplanned"
    committee_id: str
    milestone_id: str
    previous_target_on: date
    new_target_on: date
    replanned_on: date
    reason: str


class GuidancePublished(_Event):
    """Government guidance awaited by `002` 7(c), §29 was published."""

    type: Literal["GuidancePublished"] = "GuidancePublished"
    committee_id: str
    title: str
    published_on: date
    changes_preferred_option: bool
    new_preferred_option: str | None = None


class CommitteeEstablished(_Event):
    """The joint committee is fully operational (`002` §6(c)): every milestone is met."""

    type: Literal["CommitteeEstablished"] = "CommitteeEstablished"
    committee_id: str
    name: str
    established_on: date
    reports_to: tuple[str, ...]


class CommitteeMemberConfirmed(_Event):
    """A seat of the joint committee, confirmed with the whole membership against the minimum
    list of `002` §19 (a)-(g); `covers` names the §19 categories the seat fills."""

    type: Literal["CommitteeMemberConfirmed"] = "CommitteeMemberConfirmed"
    committee_id: str
    seat: str
    role: str
    organisation: str | None = None
    sector: Sector
    covers: tuple[str, ...] = ()
    chair: bool = False
    confirmed_on: date


class BodyEstablished(_Event):
    """A new body of the partnership: the joint committee once established (`002` §6(c), §17),
    recorded in the partnership's own stream with its membership."""

    type: Literal["BodyEstablished"] = "BodyEstablished"
    committee_id: str
    body: Body
    established_on: date


# ------------------------------------------------------------------------ P4 escalation


class EscalationRaised(_Event):
    """A body escalated an issue; it starts at the ladder's first level (P4)."""

    type: Literal["EscalationRaised"] = "EscalationRaised"
    escalation_id: str
    raised_by: str
    reason: EscalationReason
    summary: str
    raised_on: date
    level: int
    respond_by: date
    affected: tuple[str, ...] = ()
    """Partner organisations affected by the matter (`003` §8.10(2)); default for old events."""


class EscalationConsidered(_Event):
    """A body at the current level discussed the escalation (`003` §8.10(1))."""

    type: Literal["EscalationConsidered"] = "EscalationConsidered"
    escalation_id: str
    level: int
    body: str
    considered_on: date
    notes: str = ""


class EscalationDecided(_Event):
    """A body at the current level voted, under its decision rule, with the count recorded."""

    type: Literal["EscalationDecided"] = "EscalationDecided"
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


class EscalationClimbed(_Event):
    """The escalation moved to the next level of the ladder."""

    type: Literal["EscalationClimbed"] = "EscalationClimbed"
    escalation_id: str
    from_level: int
    to_level: int
    climbed_on: date
    reason: ClimbReason
    respond_by: date


class ActionAgreed(_Event):
    """An action agreed at a level, with an owner and a due date (`003` §7.5-§7.8)."""

    type: Literal["ActionAgreed"] = "ActionAgreed"
    escalation_id: str
    action_id: str
    kind: ActionKind
    description: str
    owner: str
    due_on: date
    agreed_on: date
    level: int


class ActionCompleted(_Event):
    """An agreed action was completed."""

    type: Literal["ActionCompleted"] = "ActionCompleted"
    escalation_id: str
    action_id: str
    completed_on: date


class EscalationResolved(_Event):
    """The issue was resolved at a level."""

    type: Literal["EscalationResolved"] = "EscalationResolved"
    escalation_id: str
    level: int
    resolved_on: date
    resolution: str


class EscalationClosed(_Event):
    """The escalation ended unresolved: closed by staff, or at the top of the ladder undecided."""

    type: Literal["EscalationClosed"] = "EscalationClosed"
    escalation_id: str
    closed_on: date
    reason: str = ""


class ActionOverdue(_Event):
    """An agreed action passed its due date incomplete; its owner is reminded (P4 policy)."""

    type: Literal["ActionOverdue"] = "ActionOverdue"
    escalation_id: str
    action_id: str
    owner: str
    due_on: date
    noticed_on: date


# --------------------------------------------------------- P4/P6 conflicts of interest


class InterestDeclared(_Event):
    """A member declared an interest in an item (`000` ToR §6, MoU §23)."""

    type: Literal["InterestDeclared"] = "InterestDeclared"
    body: str
    seat: str
    item: str
    declared_on: date
    description: str


class ConflictRuled(_Event):
    """The Chair ruled how a conflicted member takes part in an item (`000` ToR §6)."""

    type: Literal["ConflictRuled"] = "ConflictRuled"
    body: str
    seat: str
    item: str
    ruling: ConflictRuling
    ruled_on: date
    ruled_by: str


class ItemChairReplaced(_Event):
    """The chair was conflicted: a non-conflicted member chairs the item (`000` ToR §6)."""

    type: Literal["ItemChairReplaced"] = "ItemChairReplaced"
    body: str
    item: str
    conflicted_chair: str
    acting_chair: str
    on: date


class DeclarationsReviewed(_Event):
    """The register of interests had its six-monthly formal review (`000` ToR §6)."""

    type: Literal["DeclarationsReviewed"] = "DeclarationsReviewed"
    body: str
    reviewed_on: date
    next_review_due_on: date


# --------------------------------------------------------------- P7 additional partners


class PartnerAdmitted(_Event):
    """The partners agreed to admit an additional partner (`003` §14, `000` MoU §25)."""

    type: Literal["PartnerAdmitted"] = "PartnerAdmitted"
    organisation: str
    name: str
    kind: str
    sector: Sector
    annex1_category: Annex1Category | None = None
    admitted_on: date
    agreed_by: tuple[str, ...]


# ------------------------------------------------------- P5 meetings and P6 declarations


class MeetingScheduled(_Event):
    """A body's meeting entered its cycle: the dates `000` ToR §5 sets from the meeting date.

    Agenda requests are due 10 days before and the agenda is issued 3 days before (ToR §5); the
    minutes of the previous meeting are submitted to this one for approval (ToR §5).
    """

    type: Literal["MeetingScheduled"] = "MeetingScheduled"
    body: str
    meeting_on: date
    scheduled_on: date
    agenda_requests_due_on: date
    agenda_issue_by: date
    minutes_for_approval_of: date | None = None


class AgendaItemRequested(_Event):
    """A member organisation asked for an item; a late one is only any other business (ToR §5)."""

    type: Literal["AgendaItemRequested"] = "AgendaItemRequested"
    body: str
    meeting_on: date
    item: str
    requested_by: str
    requested_on: date
    any_other_business: bool


class AgendaRequestsClosed(_Event):
    """The 10-day deadline for agenda requests passed (`000` ToR §5)."""

    type: Literal["AgendaRequestsClosed"] = "AgendaRequestsClosed"
    body: str
    meeting_on: date
    closed_on: date
    items: tuple[str, ...]


class AgendaIssued(_Event):
    """The agenda went to the members at least 3 days before the meeting (`000` ToR §5)."""

    type: Literal["AgendaIssued"] = "AgendaIssued"
    body: str
    meeting_on: date
    issued_on: date
    items: tuple[str, ...]
    any_other_business: tuple[str, ...]
    minutes_for_approval_of: date | None = None


class MinutesApproved(_Event):
    """The meeting approved the previous meeting's minutes (`000` ToR §5)."""

    type: Literal["MinutesApproved"] = "MinutesApproved"
    body: str
    meeting_on: date
    minutes_of: date
    approved_on: date
    reference: str


class MeetingCycleClosed(_Event):
    """The meeting's cycle ended; unapproved minutes go to the next meeting (`000` ToR §5)."""

    type: Literal["MeetingCycleClosed"] = "MeetingCycleClosed"
    body: str
    meeting_on: date
    closed_on: date
    minutes_approved: bool


class DeclarationsRequested(_Event):
    """Members were asked for their declarations of interest (`000` ToR §6, MoU §23).

    `kind` "annual": the annual declaration form; "review": confirm or update entries before the
    six-monthly formal review of the register.
    """

    type: Literal["DeclarationsRequested"] = "DeclarationsRequested"
    body: str
    round_id: str
    kind: Literal["annual", "review"]
    requested_on: date
    return_by: date
    seats: tuple[str, ...]


class DeclarationReturned(_Event):
    """A member completed or confirmed their declaration of interests (`000` ToR §6)."""

    type: Literal["DeclarationReturned"] = "DeclarationReturned"
    body: str
    round_id: str
    seat: str
    returned_on: date


class DeclarationsRoundClosed(_Event):
    """A declarations round ended, naming the members who did not return theirs."""

    type: Literal["DeclarationsRoundClosed"] = "DeclarationsRoundClosed"
    body: str
    round_id: str
    closed_on: date
    outstanding: tuple[str, ...]


DomainEvent = Annotated[
    MouSigned
    | MouEffective
    | ReviewOpened
    | ResponseReceived
    | VariationProposed
    | VariationAgreed
    | VariationRefused
    | ReviewConcluded
    | ReviewDateRevised
    | ReminderSent
    | ReviewSignatoryRemoved
    | ExitNotified
    | NoticeIssued
    | NoticeDelivered
    | NoticeAcknowledged
    | ExitWithdrawn
    | MembershipEnded
    | MouAmended
    | FormationStarted
    | MilestonePlanned
    | MilestoneAgreed
    | MilestoneMet
    | MilestoneSlipped
    | MilestoneReplanned
    | GuidancePublished
    | CommitteeEstablished
    | BodyEstablished
    | CommitteeMemberConfirmed
    | EscalationRaised
    | EscalationConsidered
    | EscalationDecided
    | EscalationClimbed
    | ActionAgreed
    | ActionCompleted
    | EscalationResolved
    | EscalationClosed
    | ActionOverdue
    | InterestDeclared
    | ConflictRuled
    | ItemChairReplaced
    | DeclarationsReviewed
    | PartnerAdmitted
    | MeetingScheduled
    | AgendaItemRequested
    | AgendaRequestsClosed
    | AgendaIssued
    | MinutesApproved
    | MeetingCycleClosed
    | DeclarationsRequested
    | DeclarationReturned
    | DeclarationsRoundClosed,
    Field(discriminator="type"),
]
"""Every event type, discriminated by `type`."""

EVENT_ADAPTER: TypeAdapter[DomainEvent] = TypeAdapter(DomainEvent)


def event_to_json_dict(event: DomainEvent) -> dict[str, Any]:
    """The event as JSON-ready data (dates as ISO strings), with `type` and `schema_version`."""
    return event.model_dump(mode="json")


def event_from_dict(data: dict[str, Any]) -> DomainEvent:
    """The event that `event_to_json_dict` (or the event store) produced `data` from."""
    return EVENT_ADAPTER.validate_python(data)

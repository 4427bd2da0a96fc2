"""Domain events: the facts Concordat records, one immutable model per event type.

Each event carries `type` (its class name, the discriminator of `DomainEvent`) and a
`schema_version`, so the event store and auditors' replays can read every version ever written.
Payloads hold only strings, integers, booleans, dates and tuples of those: never floats, because
the event store hashes events exactly. Identifiers and dates are always given by the caller.

Each process's events live in a module of their own; the union of them all is assembled here,
and every event is imported from here (`from domain.events import X`).
"""

from typing import Annotated, Any

from pydantic import Field, TypeAdapter

from domain.events.base import (
    Event,
    NoticeDelivered,
    NoticeIssued,
    NoticeKind,
    ProcessKind,
    ReminderSent,
)
from domain.events.committee import (
    CommitteeEstablished,
    CommitteeMemberConfirmed,
    FormationStarted,
    GuidancePublished,
    MilestoneAgreed,
    MilestoneMet,
    MilestonePlanned,
    MilestoneReplanned,
    MilestoneSlipped,
)
from domain.events.declarations import (
    ConflictRuled,
    ConflictRuling,
    DeclarationReturned,
    DeclarationsRequested,
    DeclarationsReviewed,
    DeclarationsRoundClosed,
    DeclaredInterest,
    InterestDeclared,
    InterestKind,
    ItemChairReplaced,
)
from domain.events.escalation import (
    ActionAgreed,
    ActionCompleted,
    ActionKind,
    ActionOverdue,
    ClimbReason,
    EscalationClimbed,
    EscalationClosed,
    EscalationConsidered,
    EscalationDecided,
    EscalationRaised,
    EscalationReason,
    EscalationResolved,
    VoteCast,
)
from domain.events.exit import (
    ExitNotified,
    ExitWithdrawn,
    MembershipEnded,
    NoticeAcknowledged,
)
from domain.events.meetings import (
    AgendaIssued,
    AgendaItemRequested,
    AgendaRequestsClosed,
    AttendanceRecorded,
    MeetingArranged,
    MeetingCancelled,
    MeetingCycleClosed,
    MeetingScheduled,
    MinutesApproved,
)
from domain.events.partnership import (
    Abandonment,
    AdmissionAgreed,
    AdmissionProposed,
    BodyEstablished,
    MouAmended,
    MouEffective,
    MouSigned,
    PartnerAdmitted,
    ProcessEnded,
    ProcessStarted,
    ReviewDateRevised,
    SeatOnBody,
)
from domain.events.proceedings import (
    DecisionRecorded,
    ItemConflict,
    MeetingOpened,
    OtherBusiness,
)
from domain.events.review import (
    ResponseReceived,
    ReviewConcluded,
    ReviewOpened,
    ReviewOutcome,
    ReviewSignatoryRemoved,
    VariationAgreed,
    VariationProposed,
    VariationRefused,
)
from domain.rules.voting import VoteChoice

__all__ = [
    "EVENT_ADAPTER",
    "Abandonment",
    "ActionAgreed",
    "ActionCompleted",
    "ActionKind",
    "ActionOverdue",
    "AdmissionAgreed",
    "AdmissionProposed",
    "AgendaIssued",
    "AgendaItemRequested",
    "AgendaRequestsClosed",
    "AttendanceRecorded",
    "BodyEstablished",
    "ClimbReason",
    "CommitteeEstablished",
    "CommitteeMemberConfirmed",
    "ConflictRuled",
    "ConflictRuling",
    "DecisionRecorded",
    "DeclarationReturned",
    "DeclarationsRequested",
    "DeclarationsReviewed",
    "DeclarationsRoundClosed",
    "DeclaredInterest",
    "DomainEvent",
    "EscalationClimbed",
    "EscalationClosed",
    "EscalationConsidered",
    "EscalationDecided",
    "EscalationRaised",
    "EscalationReason",
    "EscalationResolved",
    "Event",
    "ExitNotified",
    "ExitWithdrawn",
    "FormationStarted",
    "GuidancePublished",
    "InterestDeclared",
    "InterestKind",
    "ItemChairReplaced",
    "ItemConflict",
    "MeetingArranged",
    "MeetingCancelled",
    "MeetingCycleClosed",
    "MeetingOpened",
    "MeetingScheduled",
    "MembershipEnded",
    "MilestoneAgreed",
    "MilestoneMet",
    "MilestonePlanned",
    "MilestoneReplanned",
    "MilestoneSlipped",
    "MinutesApproved",
    "MouAmended",
    "MouEffective",
    "MouSigned",
    "NoticeAcknowledged",
    "NoticeDelivered",
    "NoticeIssued",
    "NoticeKind",
    "OtherBusiness",
    "PartnerAdmitted",
    "ProcessEnded",
    "ProcessKind",
    "ProcessStarted",
    "ReminderSent",
    "ResponseReceived",
    "ReviewConcluded",
    "ReviewDateRevised",
    "ReviewOpened",
    "ReviewOutcome",
    "ReviewSignatoryRemoved",
    "SeatOnBody",
    "VariationAgreed",
    "VariationProposed",
    "VariationRefused",
    "VoteCast",
    "VoteChoice",
    "event_from_dict",
    "event_to_json_dict",
]

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
    | VoteCast
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
    | AdmissionProposed
    | AdmissionAgreed
    | ProcessStarted
    | ProcessEnded
    | MeetingScheduled
    | AgendaItemRequested
    | AgendaRequestsClosed
    | AgendaIssued
    | MinutesApproved
    | MeetingCycleClosed
    | MeetingArranged
    | MeetingCancelled
    | AttendanceRecorded
    | MeetingOpened
    | DecisionRecorded
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

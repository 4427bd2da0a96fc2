"""The event log told in plain English, one sentence an event, for auditors and minutes.

An auditor reading the trail should not need the schema: every event type has a sentence here,
and this module refuses to be imported until a new event type has one. Each line
also says who acted (a staff user, an organisation or a timer, from the event's metadata) and
which workflow run and activity attempt wrote it, so a line can be traced to Temporal's history.
"""

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar, get_args

import orjson
from pydantic import BaseModel, ConfigDict

from audit.signatures import Seal, seal_of
from domain.aggregates.folding import assembled
from domain.events import (
    Abandonment,
    ActionAgreed,
    ActionCompleted,
    ActionOverdue,
    AdmissionAgreed,
    AdmissionProposed,
    AgendaIssued,
    AgendaItemRequested,
    AgendaRequestsClosed,
    AttendanceRecorded,
    BodyEstablished,
    CommitteeEstablished,
    CommitteeMemberConfirmed,
    ConflictRuled,
    ConflictRuling,
    DecisionRecorded,
    DeclarationReturned,
    DeclarationsRequested,
    DeclarationsReviewed,
    DeclarationsRoundClosed,
    DomainEvent,
    EscalationClimbed,
    EscalationClosed,
    EscalationConsidered,
    EscalationDecided,
    EscalationRaised,
    EscalationResolved,
    Event,
    ExitNotified,
    ExitWithdrawn,
    FormationStarted,
    GuidancePublished,
    InterestDeclared,
    ItemChairReplaced,
    MeetingArranged,
    MeetingCancelled,
    MeetingCycleClosed,
    MeetingOpened,
    MeetingScheduled,
    MembershipEnded,
    MilestoneAgreed,
    MilestoneMet,
    MilestonePlanned,
    MilestoneReplanned,
    MilestoneSlipped,
    MinutesApproved,
    MouAmended,
    MouEffective,
    MouSigned,
    NoticeAcknowledged,
    NoticeDelivered,
    NoticeIssued,
    PartnerAdmitted,
    ProcessEnded,
    ProcessStarted,
    ReminderSent,
    ResponseReceived,
    ReviewConcluded,
    ReviewDateRevised,
    ReviewOpened,
    ReviewOutcome,
    ReviewSignatoryRemoved,
    VariationAgreed,
    VariationProposed,
    VariationRefused,
    VoteCast,
    VoteChoice,
)
from domain.partnership import Partnership
from domain.rules.date_policy import LATE_ENTRY_DAYS
from domain.text import JSON_LAYOUT, printable
from eventstore.codec import domain_event_from_json, json_value, to_domain_event
from eventstore.hashing import Row
from eventstore.models import RecordedEvent


class Names:
    """Slugs shown with the names people know them by: "tewv (Tees, Esk and Wear Valleys NHS
    Foundation Trust)". The slug stays first so a line can be matched to the data exactly."""

    def __init__(self, names: Mapping[str, str], stages: Mapping[int, str]) -> None:
        self._names = dict(names)
        self._stages = dict(stages)

    @classmethod
    def of(cls, config: Partnership, events: Iterable[DomainEvent] = ()) -> "Names":
        """Organisations and bodies of `config`, and partners admitted by `events`."""
        names = {o.slug: o.name for o in config.organisations}
        names |= {b.slug: b.name for b in config.bodies}
        names |= {e.organisation: e.name for e in events if isinstance(e, PartnerAdmitted)}
        return cls(names, {s.level: s.name for s in config.ladder})

    def __call__(self, slug: str | None) -> str:
        if slug is None:
            return "(no organisation)"
        name = self._names.get(slug)
        return f"{slug} ({name})" if name else slug

    def labelled(self) -> list[tuple[str, str]]:
        """Every organisation and body as (slug, how the trail names it), by name."""
        return sorted(((s, self(s)) for s in self._names), key=lambda pair: self._names[pair[0]])

    def knows(self, slug: str) -> bool:
        """Whether `slug` is an organisation or body of the partnership."""
        return slug in self._names

    def all(self, slugs: Iterable[str]) -> str:
        listed = [self(s) for s in slugs]
        return ", ".join(listed) if listed else "none"

    def level(self, level: int) -> str:
        stage = self._stages.get(level)
        return f"level {level} ({stage})" if stage else f"level {level}"


def _d(day: date | None) -> str:
    return day.isoformat() if day is not None else "none"


def _not_counted(event: EscalationDecided) -> str:
    """The votes recorded but not counted, each with its reason (MSE MoU 2020 §8.4, §8.10(2))."""
    if not event.not_counted:
        return ""
    return "; not counted: " + "; ".join(v.reason for v in event.not_counted)


def _also(text: str) -> str:
    """An optional free-text field, appended only when it says something."""
    return f": {text}" if text else ""


_VOTES = {
    VoteChoice.FOR: "cast its own vote for the matter",
    VoteChoice.AGAINST: "cast its own vote against the matter",
    VoteChoice.ABSTAIN: "abstained in its own vote",
}

_OUTCOMES = {
    ReviewOutcome.CONFIRMED_UNCHANGED: "the MoU was confirmed unchanged",
    ReviewOutcome.VARIED: "the variation was agreed by every signatory and adopted",
    ReviewOutcome.LAPSED: "the variation was not agreed by every signatory and lapsed",
}

_RULINGS = {
    ConflictRuling.LEAVE: "leaves the meeting for",
    ConflictRuling.DISCUSS_NOT_DECIDE: "may discuss but not decide",
    ConflictRuling.TAKE_PART: "may take full part in",
}


def sentence(event: DomainEvent, names: Names) -> str:
    """What `event` records, as one sentence an auditor can read aloud."""
    return _SENTENCES[type(event)](event, names)


def _mou_signed(event: MouSigned, n: Names) -> str:
    return (
        f"{n(event.organisation)} signed the MoU ({event.signatory_role}, {event.signatory_name})"
    )


def _mou_effective(event: MouEffective, n: Names) -> str:
    return (
        f"the MoU took effect as version {event.version} on {_d(event.effective_on)}; "
        f"first review due by {_d(event.review_due_on)}"
    )


def _review_opened(event: ReviewOpened, n: Names) -> str:
    return (
        f"review {event.review_id} of MoU version {event.mou_version} opened; "
        f"{len(event.signatories)} signatories asked to respond by "
        f"{_d(event.response_deadline)} (review due by {_d(event.due_on)})"
    )


def _response_received(event: ResponseReceived, n: Names) -> str:
    answer = "confirms" if event.confirms_unchanged else "does not confirm"
    comment = f" ({event.comment})" if event.comment else ""
    return (
        f"{n(event.organisation)} answered review {event.review_id}: it {answer} the "
        f"MoU unchanged{comment}"
    )


def _variation_proposed(event: VariationProposed, n: Names) -> str:
    return (
        f"{n(event.proposed_by)} proposed variation {event.variation_id} in review "
        f"{event.review_id}: {event.summary}"
    )


def _variation_agreed(event: VariationAgreed, n: Names) -> str:
    return f"{n(event.organisation)} agreed variation {event.variation_id} in writing"


def _variation_refused(event: VariationRefused, n: Names) -> str:
    return f"{n(event.organisation)} refused variation {event.variation_id}{_also(event.reason)}"


def _review_concluded(event: ReviewConcluded, n: Names) -> str:
    silent = f"; no response from {n.all(event.not_responded)}" if event.not_responded else ""
    return (
        f"review {event.review_id} concluded: {_OUTCOMES[event.outcome]}{silent}; "
        f"next review due by {_d(event.next_review_due_on)}"
    )


def _review_date_revised(event: ReviewDateRevised, n: Names) -> str:
    if event.previous_due_on == event.review_due_on:
        return f"the MoU review date stays {_d(event.review_due_on)}: {event.reason}"
    return (
        f"the MoU review date moved from {_d(event.previous_due_on)} to "
        f"{_d(event.review_due_on)}: {event.reason}"
    )


def _reminder_sent(event: ReminderSent, n: Names) -> str:
    return (
        f"{n(event.organisation)} reminded to respond to {event.process.value} "
        f"{event.process_id} by {_d(event.deadline)}"
    )


def _review_signatory_removed(event: ReviewSignatoryRemoved, n: Names) -> str:
    return (
        f"{n(event.organisation)} taken off review {event.review_id}: it left on "
        f"{_d(event.left_on)}"
    )


def _exit_notified(event: ExitNotified, n: Names) -> str:
    return (
        f"{n(event.organisation)} gave written notice of leaving, effective "
        f"{_d(event.effective_on)} (signed by {event.signatory_name}); "
        f"{len(event.recipients)} other signatories to be notified"
    )


def _notice_issued(event: NoticeIssued, n: Names) -> str:
    respond = f", response by {_d(event.respond_by)}" if event.respond_by else ""
    return (
        f'notice {event.notice_id} ({event.kind.value}) "{event.subject}" issued to '
        f"{n(event.recipient)}{respond} (content sha256 {event.content_hash})"
    )


def _notice_delivered(event: NoticeDelivered, n: Names) -> str:
    return (
        f"notice {event.notice_id} delivered to {n(event.recipient)} by "
        f"{event.channel} (reference {event.reference})"
    )


def _notice_acknowledged(event: NoticeAcknowledged, n: Names) -> str:
    return (
        f"{n(event.recipient)} acknowledged the exit notice of {event.exit_id} "
        f"({event.acknowledged_by})"
    )


def _exit_withdrawn(event: ExitWithdrawn, n: Names) -> str:
    return (
        f"{n(event.organisation)} withdrew its notice of leaving {event.exit_id}"
        f"{_also(event.reason)}"
    )


def _membership_ended(event: MembershipEnded, n: Names) -> str:
    return (
        f"{n(event.organisation)} left the partnership ({event.exit_id}); its seats "
        f"on {n.all(event.bodies_affected)} were removed"
    )


def _mou_amended(event: MouAmended, n: Names) -> str:
    return f"MoU version {event.version} issued: {event.reason}"


def _formation_started(event: FormationStarted, n: Names) -> str:
    return (
        f"formation of {event.name} ({event.committee_id}) started; preferred option: "
        f"{event.preferred_option}"
    )


def _milestone_planned(event: MilestonePlanned, n: Names) -> str:
    needs = (
        f"; needs the agreement of {n.all(event.needs_agreement_of)}"
        if event.needs_agreement_of
        else ""
    )
    after = f"; after {', '.join(event.depends_on)}" if event.depends_on else ""
    return (
        f'milestone {event.milestone_id} "{event.title}" planned for '
        f"{_d(event.target_on)}, owner {n(event.owner)}{needs}{after} ({event.clause})"
    )


def _milestone_agreed(event: MilestoneAgreed, n: Names) -> str:
    return f"{n(event.agreed_by)} agreed milestone {event.milestone_id}"


def _milestone_met(event: MilestoneMet, n: Names) -> str:
    return f"milestone {event.milestone_id} met{_also(event.evidence)}"


def _milestone_slipped(event: MilestoneSlipped, n: Names) -> str:
    return (
        f"milestone {event.milestone_id} slipped: its target {_d(event.target_on)} "
        f"passed unmet; its owner {n(event.owner)} was told"
    )


def _milestone_replanned(event: MilestoneReplanned, n: Names) -> str:
    return (
        f"milestone {event.milestone_id} re-planned from {_d(event.previous_target_on)} "
        f"to {_d(event.new_target_on)}: {event.reason}"
    )


def _guidance_published(event: GuidancePublished, n: Names) -> str:
    change = (
        f"; the preferred option is now {event.new_preferred_option}"
        if event.changes_preferred_option
        else ""
    )
    return f'Government guidance published: "{event.title}"{change}'


def _committee_established(event: CommitteeEstablished, n: Names) -> str:
    return (
        f"{event.name} ({event.committee_id}) established, reporting to {n.all(event.reports_to)}"
    )


def _process_started(event: ProcessStarted, n: Names) -> str:
    return f"the partnership started {event.process.value} {event.process_id}"


def _process_ended(event: ProcessEnded, n: Names) -> str:
    if isinstance(event.abandoned, Abandonment):
        gone = event.abandoned
        by = f" by {gone.by}" if gone.by else ""
        return (
            f"{event.process.value} {event.process_id} was abandoned: its workflow was "
            f"{gone.how}{by} ({gone.reason})"
        )
    return f"{event.process.value} {event.process_id} ended: {event.outcome}"


def _body_established(event: BodyEstablished, n: Names) -> str:
    return (
        f"{event.body.name} ({event.body.slug}) became a body of the partnership with "
        f"{len(event.body.members)} members, from committee formation {event.committee_id}"
    )


def _committee_member_confirmed(event: CommitteeMemberConfirmed, n: Names) -> str:
    chair = " as chair" if event.chair else ""
    held = f" for {n(event.organisation)}" if event.organisation else " (independent)"
    return f"seat {event.seat} of {event.committee_id} confirmed{chair}: {event.role}{held}"


def _escalation_raised(event: EscalationRaised, n: Names) -> str:
    return (
        f"{n(event.raised_by)} raised escalation {event.escalation_id} "
        f"({event.reason.value.replace('_', ' ')}) at {n.level(event.level)}: "
        f"{event.summary}; response due by {_d(event.respond_by)}"
    )


def _escalation_considered(event: EscalationConsidered, n: Names) -> str:
    return (
        f"{n(event.body)} considered escalation {event.escalation_id} at "
        f"{n.level(event.level)}{_also(event.notes)}"
    )


def _escalation_decided(event: EscalationDecided, n: Names) -> str:
    result = "carried" if event.carried else "not carried"
    return (
        f"{n(event.body)} voted on escalation {event.escalation_id} at "
        f"{n.level(event.level)}: {result} under {event.rule.replace('_', ' ')}, "
        f"{len(event.in_favour)} for and {len(event.against)} against of "
        f"{len(event.eligible_voters)} eligible{_not_counted(event)}: {event.summary}"
    )


def _vote_cast(event: VoteCast, n: Names) -> str:
    declared = f", declaring an interest: {event.declaration}" if event.declaration else ""
    return (
        f"seat {event.seat} of {n(event.body)} {_VOTES[event.vote]} on escalation "
        f"{event.escalation_id} at {n.level(event.level)}{declared}"
    )


def _escalation_climbed(event: EscalationClimbed, n: Names) -> str:
    return (
        f"escalation {event.escalation_id} climbed from {n.level(event.from_level)} to "
        f"{n.level(event.to_level)} ({event.reason.value.replace('_', ' ')}); "
        f"response due by {_d(event.respond_by)}"
    )


def _action_agreed(event: ActionAgreed, n: Names) -> str:
    return (
        f"{event.kind.value.replace('_', ' ')} {event.action_id} agreed on escalation "
        f"{event.escalation_id} at {n.level(event.level)}: {event.description}; owner "
        f"{n(event.owner)}, due {_d(event.due_on)}"
    )


def _action_completed(event: ActionCompleted, n: Names) -> str:
    return f"action {event.action_id} of escalation {event.escalation_id} completed"


def _escalation_resolved(event: EscalationResolved, n: Names) -> str:
    return (
        f"escalation {event.escalation_id} resolved at {n.level(event.level)}: {event.resolution}"
    )


def _escalation_closed(event: EscalationClosed, n: Names) -> str:
    return f"escalation {event.escalation_id} closed unresolved{_also(event.reason)}"


def _action_overdue(event: ActionOverdue, n: Names) -> str:
    return (
        f"action {event.action_id} of escalation {event.escalation_id} is overdue "
        f"(due {_d(event.due_on)}); its owner {n(event.owner)} was reminded"
    )


def _interest_declared(event: InterestDeclared, n: Names) -> str:
    return (
        f"seat {event.seat} of {n(event.body)} declared an interest in "
        f"{event.item}: {event.description}"
    )


def _conflict_ruled(event: ConflictRuled, n: Names) -> str:
    return (
        f"{event.ruled_by} ruled that seat {event.seat} of {n(event.body)} "
        f"{_RULINGS[event.ruling]} {event.item}"
    )


def _item_chair_replaced(event: ItemChairReplaced, n: Names) -> str:
    return (
        f"seat {event.acting_chair} chaired {event.item} at {n(event.body)} in place "
        f"of the conflicted chair {event.conflicted_chair}"
    )


def _declarations_reviewed(event: DeclarationsReviewed, n: Names) -> str:
    return (
        f"{n(event.body)} reviewed its register of interests; next review due by "
        f"{_d(event.next_review_due_on)}"
    )


def _partner_admitted(event: PartnerAdmitted, n: Names) -> str:
    return (
        f"{n(event.organisation)} admitted as an additional partner with the written "
        f"agreement of {n.all(event.agreed_by)}"
    )


def _admission_proposed(event: AdmissionProposed, n: Names) -> str:
    seats = f", with {len(event.seats)} seats" if event.seats else ""
    return (
        f"{n(event.proposed_by)} proposed {event.name} ({event.organisation}) as an "
        f"additional partner{seats}; every signatory's written agreement is needed"
    )


def _admission_agreed(event: AdmissionAgreed, n: Names) -> str:
    return (
        f"{n(event.organisation)} agreed in writing to admit {n(event.admitting)} "
        f"(reference {event.reference})"
    )


def _meeting_scheduled(event: MeetingScheduled, n: Names) -> str:
    minutes = (
        f"; minutes of {_d(event.minutes_for_approval_of)} to be approved"
        if event.minutes_for_approval_of
        else ""
    )
    return (
        f"{n(event.body)} meeting of {_d(event.meeting_on)} scheduled: agenda requests "
        f"due by {_d(event.agenda_requests_due_on)}, agenda issued by "
        f"{_d(event.agenda_issue_by)}{minutes}"
    )


def _agenda_item_requested(event: AgendaItemRequested, n: Names) -> str:
    late = " (too late for the agenda: any other business)" if event.any_other_business else ""
    return (
        f'{n(event.requested_by)} asked for "{event.item}" at the {n(event.body)} '
        f"meeting of {_d(event.meeting_on)}{late}"
    )


def _agenda_requests_closed(event: AgendaRequestsClosed, n: Names) -> str:
    return (
        f"agenda requests closed for the {n(event.body)} meeting of "
        f"{_d(event.meeting_on)} with {len(event.items)} items"
    )


def _agenda_issued(event: AgendaIssued, n: Names) -> str:
    aob = (
        f" and {len(event.any_other_business)} of any other business"
        if event.any_other_business
        else ""
    )
    return (
        f"agenda of the {n(event.body)} meeting of {_d(event.meeting_on)} issued with "
        f"{len(event.items)} items{aob}"
    )


def _minutes_approved(event: MinutesApproved, n: Names) -> str:
    return (
        f"{n(event.body)} approved the minutes of {_d(event.minutes_of)} at its meeting "
        f"of {_d(event.meeting_on)} (reference {event.reference})"
    )


def _meeting_cycle_closed(event: MeetingCycleClosed, n: Names) -> str:
    minutes = (
        "minutes approved"
        if event.minutes_approved
        else "minutes not approved: carried to the next meeting"
    )
    return f"cycle of the {n(event.body)} meeting of {_d(event.meeting_on)} closed; {minutes}"


def _meeting_arranged(event: MeetingArranged, n: Names) -> str:
    moved = f" (moved from {_d(event.moved_from)})" if event.moved_from else ""
    place = " and ".join(p for p in (event.venue, event.link) if p is not None)
    return (
        f"the {n(event.body)} meeting set for {_d(event.held_on)} at "
        f"{event.starts_at.strftime('%H:%M')} (Europe/London), {place}{moved}; "
        f"agenda by {_d(event.agenda_issue_by)}"
    )


def _meeting_cancelled(event: MeetingCancelled, n: Names) -> str:
    return f"the {n(event.body)} meeting of {_d(event.meeting_on)} cancelled: {event.reason}"


def _attendance_recorded(event: AttendanceRecorded, n: Names) -> str:
    deputies = f", {len(event.by_deputy)} by deputy" if event.by_deputy else ""
    return (
        f"{len(event.present)} present at the {n(event.body)} meeting of "
        f"{_d(event.held_on)}{deputies}, {len(event.apologies)} apologies: "
        f"{event.quorum} ({event.explanation})"
    )


def _meeting_opened(event: MeetingOpened, n: Names) -> str:
    agreed = sum(b.agreed for b in event.other_business)
    return (
        f"the {n(event.body)} meeting of {_d(event.held_on)} opened: "
        f"{len(event.declarations_confirmed)} confirmed their declarations of interests, "
        f"{len(event.conflicts)} conflicts declared on items, {agreed} of "
        f"{len(event.other_business)} items of other business agreed"
    )


def _decision_recorded(event: DecisionRecorded, n: Names) -> str:
    ruled = len(event.left) + len(event.discuss_only)
    rulings = f"; {ruled} not deciding under the Chair's rulings" if ruled else ""
    return (
        f"the {n(event.body)} meeting of {_d(event.decided_on)} decided "
        f"{event.item!r}: {event.decision} ({len(event.deciding)} deciding, "
        f"{event.quorum}{rulings})"
    )


def _declarations_requested(event: DeclarationsRequested, n: Names) -> str:
    form = "annual declaration" if event.kind == "annual" else "review of declarations"
    return (
        f"{n(event.body)} asked {len(event.seats)} members for their {form} "
        f"({event.round_id}) by {_d(event.return_by)}"
    )


def _declaration_returned(event: DeclarationReturned, n: Names) -> str:
    returned = "updated" if event.update else "returned"
    declared = f"{len(event.interests)} interests" if event.interests else "nil"
    return (
        f"seat {event.seat} of {n(event.body)} {returned} its declaration of interests "
        f"({event.round_id}): {declared}"
    )


def _declarations_round_closed(event: DeclarationsRoundClosed, n: Names) -> str:
    missing = ", ".join(event.outstanding) if event.outstanding else "none"
    return f"declarations round {event.round_id} of {n(event.body)} closed; not returned: {missing}"


_Told = TypeVar("_Told", bound=Event)
Teller = Callable[[Any, Names], str]


def _told(kind: type[_Told], tell: Callable[[_Told, Names], str]) -> tuple[type[Event], Teller]:
    """`kind`'s entry in `_SENTENCES`: mypy holds `tell` to taking that kind of event."""
    return kind, tell


_SENTENCES: dict[type[Event], Teller] = dict(
    [
        _told(MouSigned, _mou_signed),
        _told(MouEffective, _mou_effective),
        _told(ReviewOpened, _review_opened),
        _told(ResponseReceived, _response_received),
        _told(VariationProposed, _variation_proposed),
        _told(VariationAgreed, _variation_agreed),
        _told(VariationRefused, _variation_refused),
        _told(ReviewConcluded, _review_concluded),
        _told(ReviewDateRevised, _review_date_revised),
        _told(ReminderSent, _reminder_sent),
        _told(ReviewSignatoryRemoved, _review_signatory_removed),
        _told(ExitNotified, _exit_notified),
        _told(NoticeIssued, _notice_issued),
        _told(NoticeDelivered, _notice_delivered),
        _told(NoticeAcknowledged, _notice_acknowledged),
        _told(ExitWithdrawn, _exit_withdrawn),
        _told(MembershipEnded, _membership_ended),
        _told(MouAmended, _mou_amended),
        _told(FormationStarted, _formation_started),
        _told(MilestonePlanned, _milestone_planned),
        _told(MilestoneAgreed, _milestone_agreed),
        _told(MilestoneMet, _milestone_met),
        _told(MilestoneSlipped, _milestone_slipped),
        _told(MilestoneReplanned, _milestone_replanned),
        _told(GuidancePublished, _guidance_published),
        _told(CommitteeEstablished, _committee_established),
        _told(ProcessStarted, _process_started),
        _told(ProcessEnded, _process_ended),
        _told(BodyEstablished, _body_established),
        _told(CommitteeMemberConfirmed, _committee_member_confirmed),
        _told(EscalationRaised, _escalation_raised),
        _told(EscalationConsidered, _escalation_considered),
        _told(EscalationDecided, _escalation_decided),
        _told(VoteCast, _vote_cast),
        _told(EscalationClimbed, _escalation_climbed),
        _told(ActionAgreed, _action_agreed),
        _told(ActionCompleted, _action_completed),
        _told(EscalationResolved, _escalation_resolved),
        _told(EscalationClosed, _escalation_closed),
        _told(ActionOverdue, _action_overdue),
        _told(InterestDeclared, _interest_declared),
        _told(ConflictRuled, _conflict_ruled),
        _told(ItemChairReplaced, _item_chair_replaced),
        _told(DeclarationsReviewed, _declarations_reviewed),
        _told(PartnerAdmitted, _partner_admitted),
        _told(AdmissionProposed, _admission_proposed),
        _told(AdmissionAgreed, _admission_agreed),
        _told(MeetingScheduled, _meeting_scheduled),
        _told(AgendaItemRequested, _agenda_item_requested),
        _told(AgendaRequestsClosed, _agenda_requests_closed),
        _told(AgendaIssued, _agenda_issued),
        _told(MinutesApproved, _minutes_approved),
        _told(MeetingCycleClosed, _meeting_cycle_closed),
        _told(MeetingArranged, _meeting_arranged),
        _told(MeetingCancelled, _meeting_cancelled),
        _told(AttendanceRecorded, _attendance_recorded),
        _told(MeetingOpened, _meeting_opened),
        _told(DecisionRecorded, _decision_recorded),
        _told(DeclarationsRequested, _declarations_requested),
        _told(DeclarationReturned, _declaration_returned),
        _told(DeclarationsRoundClosed, _declarations_round_closed),
    ]
)
"""Each event type's sentence, found by the event's type: the chain of class patterns a
`match` tries in turn cost more than most sentences (a twentieth of a long trail)."""
_UNTOLD = set(get_args(get_args(DomainEvent)[0])) - _SENTENCES.keys()
if _UNTOLD:  # every event type has a sentence, or the trail is not imported at all
    raise TypeError(f"no sentence for {', '.join(sorted(t.__name__ for t in _UNTOLD))}")


class TrailLine(BaseModel):
    """One event of the trail: when, what, who, and what wrote it."""

    model_config = ConfigDict(frozen=True)

    position: int
    on: date
    stream_id: str
    type: str
    sentence: str
    actor: str | None
    seal: str | None = None
    """Whether the signature over who acted verifies (`signed by key ...`), or why not."""
    late: str | None = None
    """For an entry made more than a week after its date: how late, and the reason given
    (docs/rules.md R12)."""
    workflow_id: str | None
    run_id: str | None
    activity_id: str | None
    attempt: int | None

    def text(self) -> str:
        """The line as printed: "2022-08-23 [12] ... (by X; workflow W run R, activity A
        attempt N)"."""
        who = f"by {self.actor}" if self.actor else "by an unrecorded actor"
        if self.workflow_id is None:
            wrote = "not written by a workflow"
        else:
            wrote = (
                f"workflow {self.workflow_id} run {self.run_id}, "
                f"activity {self.activity_id} attempt {self.attempt}"
            )
        # Recorded values are printed escaped: a newline or a right-to-left override in a name
        # or a comment must not start or reorder a line of the trail (issue 9).
        sealed = f"; {self.seal}" if self.seal else ""
        late = f"; {self.late}" if self.late else ""
        line = (
            f"{self.on.isoformat()} [{self.position}] {self.sentence} "
            f"({who}{sealed}{late}; {wrote})"
        )
        return printable(line)

    def json_text(self) -> str:
        """`model_dump_json(indent=2)`, by orjson over the fields as they are (whole numbers,
        dates, text and null, which the two write alike), three times as fast; pydantic's for
        what orjson refuses (a lone surrogate, an integer past 64 bits). Escaped as `printable`
        escapes it but for its line breaks, as `text` escapes the line."""
        try:
            dumped = orjson.dumps(self.__dict__, option=orjson.OPT_INDENT_2).decode()
        except orjson.JSONEncodeError:
            dumped = self.model_dump_json(indent=2)
        # JSON escapes the controls below U+0020 in its strings, and writes nothing else but
        # the values' characters, so it needs escaping only where a value is not printable:
        # looking at the values, not the whole text, halves the cost of the check.
        values = (
            f"{self.stream_id}{self.type}{self.sentence}{self.actor}{self.seal}{self.late}"
            f"{self.workflow_id}{self.run_id}{self.activity_id}"
        )
        return dumped if values.isprintable() else printable(dumped, keep=JSON_LAYOUT)


def _text(metadata: Mapping[str, Any], key: str) -> str | None:
    value = metadata.get(key)
    return None if value is None else str(value)


def _seal(metadata: dict[str, Any]) -> str | None:
    seal, key = seal_of(metadata)
    if seal is Seal.VERIFIED:
        return f"signed by key {key[:16] if key else '?'}"
    return None if seal is Seal.SYSTEM or "actor" not in metadata else str(seal)


@dataclass(frozen=True, slots=True)
class _Recorder:
    """What a line says from the event's metadata: who acted, the seal on it, the reason given
    for a late entry, and what wrote it."""

    actor: str | None
    seal: str | None
    late_reason: object
    workflow_id: str | None
    run_id: str | None
    activity_id: str | None
    attempt: int | None


def _recorder(metadata: dict[str, Any]) -> _Recorder:
    provenance = metadata.get("provenance")
    attempt = metadata.get("attempt")
    return _Recorder(
        actor=_text(metadata, "actor"),
        seal=_seal(metadata),
        late_reason=provenance.get("reason") if isinstance(provenance, dict) else None,
        workflow_id=_text(metadata, "workflow_id"),
        run_id=_text(metadata, "run_id"),
        activity_id=_text(metadata, "activity_id"),
        attempt=attempt if isinstance(attempt, int) else None,
    )


@functools.lru_cache(maxsize=1024)
def _recorder_of_text(metadata: str) -> _Recorder:
    """`_recorder` of metadata as the log's JSON text. The events one activity recorded share
    their metadata, so it is read once for all of them: parsing and judging every row's was a
    fifth of the trail's time."""
    return _recorder(json_value(metadata))


def _late(recorded_at: datetime, event: DomainEvent, reason: object) -> str | None:
    """How late an entry was made, and why, when more than `LATE_ENTRY_DAYS` after its date."""
    day = event.governance_date()
    entered = recorded_at.astimezone(UTC).date()
    if day is None or (entered - day).days <= LATE_ENTRY_DAYS:
        return None
    because = f": {reason}" if reason else ", no reason recorded"
    return f"entered {(entered - day).days} days after its date{because}"


def trail(config: Partnership, events: Iterable[RecordedEvent]) -> list[TrailLine]:
    """The trail of `config`'s partnership from its recorded events, in the log's order."""
    ordered = sorted(events, key=lambda e: e.position)
    domain_events = [to_domain_event(e) for e in ordered]
    names = Names.of(config, domain_events)
    return [
        trail_line(recorded, event, names)
        for recorded, event in zip(ordered, domain_events, strict=True)
    ]


ADMISSIONS = (str(PartnerAdmitted.model_fields["type"].default),)
"""The events that name organisations beyond the partnership's file: a streamed trail reads
them first (`Names.of`), so every line names them as the whole trail would."""


def trail_line(recorded: RecordedEvent, event: DomainEvent, names: Names) -> TrailLine:
    """One line of the trail: `event` is `recorded` decoded."""
    return _line(
        (recorded.position, recorded.stream_id, recorded.type),
        (recorded.occurred_at, recorded.recorded_at),
        event,
        _recorder(recorded.metadata),
        names,
    )


ROW_COLUMNS = (
    *("position", "stream_id", "event_type", "schema_version", "data", "metadata"),
    *("occurred_at", "recorded_at"),
)
"""The columns `row_trail_line` reads: decoding the others (ids, hashes, versions) was a
quarter of the driver's time."""


def row_trail_line(row: Row, names: Names) -> TrailLine:
    """`trail_line` of a row as the store keeps it (`EventStore.partnership_rows`, at least its
    `ROW_COLUMNS`): its data decoded straight from the JSON text, its metadata read once for
    the events sharing it."""
    return _line(
        (row["position"], row["stream_id"], row["event_type"]),
        (row["occurred_at"], row["recorded_at"]),
        domain_event_from_json(row["event_type"], row["schema_version"], row["data"]),
        _recorder_of_text(row["metadata"]),
        names,
    )


def _line(
    where: tuple[int, str, str],
    when: tuple[datetime, datetime],
    event: DomainEvent,
    by: _Recorder,
    names: Names,
) -> TrailLine:
    """The line of the event at `where` (position, stream, type), occurred and recorded `when`."""
    position, stream_id, event_type = where
    occurred_at, recorded_at = when
    return _made(
        position=position,
        on=occurred_at.astimezone(UTC).date(),  # as audit.replay.occurred_on dates an event
        stream_id=stream_id,
        type=event_type,
        sentence=sentence(event, names),
        actor=by.actor,
        seal=by.seal,
        late=_late(recorded_at, event, by.late_reason),
        workflow_id=by.workflow_id,
        run_id=by.run_id,
        activity_id=by.activity_id,
        attempt=by.attempt,
    )


_FIELDS = frozenset(TrailLine.model_fields)


def _made(**values: Any) -> TrailLine:
    """`TrailLine(**values)`, every field given in its order, without validating again what
    was made here from a validated event and typed columns (validating it was a fifth of a
    trail's time; tests/audit/test_trail_unit.py holds the two to the same line)."""
    return assembled(TrailLine, values, set(_FIELDS))

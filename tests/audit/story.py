"""The County Durham 2022-23 story as recorded events, decided by the domain's own aggregates.

Each step is one append, as one activity attempt of one workflow run would make it, so the replay
and the trail are tested on events shaped exactly like the workflows' (stream ids from
domain/streams.py, metadata from activities/store.py). Times are 09:00 UTC on each step's date.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from domain.aggregates import (
    committee,
    committee_commands,
    escalation,
    exit as exit_process,
    partnership,
    review,
)
from domain.events import ActionKind, DomainEvent, EscalationReason
from domain.partnerships_config import load_partnership
from domain.provenance import Actor, Channel, system_actor
from eventstore.codec import to_new_event
from eventstore.models import NewEvent, RecordedEvent
from eventstore.store import EventStore
from tests.people import entitled_actor

SLUG = "county-durham"
CONFIG = load_partnership(SLUG)
REPORTS_TO = CONFIG.committee_plan("joint-committee").reports_to
PARTNERSHIP_STREAM = f"partnership:{SLUG}"
COMMITTEE_STREAM = f"committee:{SLUG}:joint-committee"
ESCALATION_STREAM = f"escalation:{SLUG}:acute-outcome"
EXIT_STREAM = f"exit:{SLUG}:hdft:2023-01-09"
REVIEW_STREAM = f"review:{SLUG}:2023"


def acting(command: object) -> Actor:
    """The development person entitled to `command`, as their signed envelope recorded them."""
    return entitled_actor(CONFIG, command)


SIGNED = {
    "icb": date(2022, 8, 1),
    "dcc": date(2022, 8, 3),
    "cddft": date(2022, 8, 5),
    "tewv": date(2022, 8, 10),
    "hdft": date(2022, 8, 12),
    "pcns": date(2022, 8, 16),
    "durham-community-action": date(2022, 8, 19),
    "healthwatch": date(2022, 8, 23),
}


@dataclass(frozen=True)
class Step:
    """One append: the events one activity attempt wrote to one stream."""

    stream_id: str
    on: date
    actor: Actor
    events: tuple[DomainEvent, ...]

    @property
    def occurred_at(self) -> datetime:
        return datetime(self.on.year, self.on.month, self.on.day, 9, tzinfo=UTC)

    def run_id(self) -> str:
        """A stable run id per stream, as one long-lived workflow run would have."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, self.stream_id))


class _Story:
    def __init__(self) -> None:
        self.steps: list[Step] = []
        self.partnership = partnership.initial_state(CONFIG)
        self.committee = committee.initial_state(SLUG)
        self.escalation = escalation.initial_state(CONFIG)
        self.exit = exit_process.initial_state(CONFIG, CONFIG.signatories)
        self.review = review.initial_state(SLUG)

    def record(self, stream_id: str, on: date, actor: Actor, events: list[DomainEvent]) -> None:
        self.steps.append(Step(stream_id, on, actor, tuple(events)))

    def sign(self, organisation: str, on: date) -> None:
        command = partnership.SignMou(
            organisation=organisation,
            signatory_name=f"A. Signer of {organisation}",
            signatory_role="Chief Executive",
            signed_on=on,
        )
        events = partnership.decide(self.partnership, command)
        self.partnership = partnership.fold(self.partnership, events)
        self.record(PARTNERSHIP_STREAM, on, acting(command), events)

    def on_partnership(
        self, on: date, actor: Actor | None, command: partnership.PartnershipCommand
    ) -> None:
        events = partnership.decide(self.partnership, command)
        self.partnership = partnership.fold(self.partnership, events)
        self.record(PARTNERSHIP_STREAM, on, actor or acting(command), events)

    def on_committee(self, on: date, actor: Actor, events: list[DomainEvent]) -> None:
        self.committee = committee.fold(self.committee, events)
        self.record(COMMITTEE_STREAM, on, actor, events)

    def on_escalation(
        self, on: date, actor: Actor | None, command: escalation.EscalationCommand
    ) -> None:
        events = escalation.decide(self.escalation, command)
        self.escalation = escalation.fold(self.escalation, events)
        self.record(ESCALATION_STREAM, on, actor or acting(command), events)

    def on_exit(self, on: date, actor: Actor | None, command: exit_process.ExitCommand) -> None:
        events = exit_process.decide(self.exit, command)
        self.exit = exit_process.fold(self.exit, events)
        self.record(EXIT_STREAM, on, actor or acting(command), events)

    def on_review(self, on: date, actor: Actor | None, command: review.ReviewCommand) -> None:
        events = review.decide(self.review, command)
        self.review = review.fold(self.review, events)
        self.record(REVIEW_STREAM, on, actor or acting(command), events)


def county_durham_story() -> list[Step]:
    """All eight sign by 23 Aug 2022; the joint committee forms from 14 Sep 2022 and one
    milestone slips and is re-planned; the Acute Care board's escalation climbs to the CDCPE in
    October 2022, which agrees a recovery plan; HDFT leaves on 31 Mar 2023; the 2023 review."""
    s = _Story()
    for organisation, on in SIGNED.items():
        s.sign(organisation, on)

    cabinet = date(2022, 9, 14)
    start = committee_commands.StartFormation(
        committee_id="joint-committee",
        name="County Durham Joint Committee",
        preferred_option="joint committee",
        started_on=cabinet,
    )
    plan = CONFIG.committee_plan("joint-committee").milestones
    s.on_committee(
        cabinet,
        acting(partnership.StartCommittee(committee="joint-committee")),
        committee.start_with_plan(s.committee, start, plan),
    )
    agree = committee_commands.RecordMilestoneAgreement
    agreed = agree(milestone_id="preferred-option", agreed_by="cabinet", agreed_on=cabinet)
    s.on_committee(cabinet, acting(agreed), committee.decide(s.committee, agreed))
    meet = committee_commands.MeetMilestone
    met = meet(milestone_id="preferred-option", met_on=cabinet)
    s.on_committee(cabinet, acting(met), committee.meet(s.committee, met, REPORTS_TO))

    co_production = date(2022, 9, 28)
    agreed = agree(milestone_id="co-production", agreed_by="icb", agreed_on=co_production)
    s.on_committee(co_production, acting(agreed), committee.decide(s.committee, agreed))
    met = meet(milestone_id="co-production", met_on=date(2022, 9, 30))
    s.on_committee(date(2022, 9, 30), acting(met), committee.meet(s.committee, met, REPORTS_TO))

    raised = date(2022, 10, 3)
    s.on_escalation(
        raised,
        None,
        escalation.RaiseEscalation(
            escalation_id="acute-outcome",
            raised_by="acute-care-board",
            reason=EscalationReason.OUTCOME_NOT_DELIVERED,
            summary="Discharge-to-assess outcome not delivered",
            raised_on=raised,
        ),
    )

    s.on_escalation(
        date(2022, 10, 17),
        None,
        escalation.ReferUp(
            level=1,
            body="acute-care-board",
            referred_on=date(2022, 10, 17),
            notes="the board cannot recover this alone",
        ),
    )
    s.on_escalation(
        date(2022, 10, 24),
        None,
        escalation.AgreeAction(
            kind=ActionKind.RECOVERY_PLAN,
            description="Recovery plan for discharge to assess",
            owner="cddft",
            due_on=date(2022, 11, 30),
            agreed_on=date(2022, 10, 24),
        ),
    )
    met = meet(milestone_id="shadow-form", met_on=date(2022, 10, 28))
    s.on_committee(date(2022, 10, 28), acting(met), committee.meet(s.committee, met, REPORTS_TO))
    s.on_escalation(
        date(2022, 11, 28),
        None,
        escalation.CompleteAction(action_id="a1", completed_on=date(2022, 11, 28)),
    )
    s.on_escalation(
        date(2022, 12, 5),
        None,
        escalation.ResolveEscalation(
            resolved_on=date(2022, 12, 5), resolution="recovery plan delivered"
        ),
    )

    s.on_committee(
        date(2023, 1, 3),
        system_actor("timer:slippage"),
        committee.decide(
            s.committee,
            committee_commands.RecordSlippage(
                milestone_id="functions-identified", noticed_on=date(2023, 1, 3)
            ),
        ),
    )
    s.exit = exit_process.initial_state(CONFIG, s.partnership.signatories)
    notified = date(2023, 1, 9)
    notice = exit_process.NotifyExit(
        exit_id=EXIT_STREAM,
        organisation="hdft",
        notified_on=notified,
        effective_on=date(2023, 3, 31),
        signatory_name="A. Signer of hdft",
    )
    # The exit's workflow issues the notices as part of the partner's notice, as its sender.
    s.on_exit(notified, acting(notice), notice)
    s.on_exit(
        notified,
        acting(notice),
        exit_process.IssueNotices(issued_on=notified, acknowledge_by=date(2023, 2, 6)),
    )
    replan = committee_commands.ReplanMilestone(
        milestone_id="functions-identified",
        new_target_on=date(2023, 2, 15),
        today=date(2023, 1, 10),
        reason="legal advice awaited",
    )
    s.on_committee(date(2023, 1, 10), acting(replan), committee.decide(s.committee, replan))

    ended = date(2023, 3, 31)
    s.on_exit(
        ended, system_actor("timer:exit-effective"), exit_process.CompleteExit(ended_on=ended)
    )
    s.on_partnership(
        ended,
        system_actor(f"workflow:{EXIT_STREAM}", Channel.PROCESS),
        partnership.EndMembership(exit_id=EXIT_STREAM, organisation="hdft", ended_on=ended),
    )

    opened = date(2023, 6, 28)
    s.on_review(
        opened,
        system_actor("timer:review-due"),
        review.OpenReview(
            review_id="2023",
            opened_on=opened,
            due_on=s.partnership.review_due_on,
            response_deadline=date(2023, 7, 26),
            mou_version=s.partnership.mou_version,
            signatories=s.partnership.signatories,
        ),
    )
    for organisation in s.partnership.signatories:
        s.on_review(
            date(2023, 7, 10),
            None,
            review.RecordResponse(
                organisation=organisation, received_on=date(2023, 7, 10), confirms_unchanged=True
            ),
        )
    concluded = date(2023, 7, 12)
    s.on_review(
        concluded,
        system_actor("timer:review-deadline"),
        review.ConcludeReview(concluded_on=concluded),
    )
    assert s.review.outcome is not None
    s.on_partnership(
        concluded,
        system_actor("workflow:review:county-durham:2023", Channel.PROCESS),
        partnership.RecordReviewOutcome(
            review_id="2023", outcome=s.review.outcome, concluded_on=concluded
        ),
    )
    return s.steps


def new_events(step: Step, activity_id: int) -> list[NewEvent]:
    """The step's events as the append activity records them (activities/store.py)."""
    return [
        to_new_event(
            event, event_id=uuid.uuid4(), occurred_at=step.occurred_at, actor=step.actor
        ).with_metadata(
            workflow_id=step.stream_id,
            run_id=step.run_id(),
            activity_id=str(activity_id),
            attempt=1,
        )
        for event in step.events
    ]


async def append_story(store: EventStore, steps: Sequence[Step]) -> int:
    """Appends every step in order; returns the number of events written."""
    written = 0
    for activity_id, step in enumerate(steps, start=1):
        version = await store.stream_version(step.stream_id)
        result = await store.append(step.stream_id, version, new_events(step, activity_id))
        written += len(result.positions)
    return written


def recorded_story(steps: Sequence[Step]) -> list[RecordedEvent]:
    """The story as the store would return it, without a database (hashes are not checked)."""
    recorded: list[RecordedEvent] = []
    versions: dict[str, int] = {}
    for activity_id, step in enumerate(steps, start=1):
        for event in new_events(step, activity_id):
            versions[step.stream_id] = versions.get(step.stream_id, 0) + 1
            recorded.append(
                RecordedEvent(
                    position=len(recorded) + 1,
                    stream_id=step.stream_id,
                    version=versions[step.stream_id],
                    event_id=event.event_id,
                    type=event.type,
                    schema_version=event.schema_version,
                    data=event.data,
                    metadata=event.metadata,
                    occurred_at=event.occurred_at,
                    recorded_at=event.occurred_at,
                    chain_hash="0" * 64,
                )
            )
    return recorded

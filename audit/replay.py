"""A partnership's governance state on a past date, rebuilt from the event log alone.

Auditors must be able to check what the service says without trusting it or Temporal: this folds
the recorded events with the same `evolve` functions the workflows use (docs/architecture.md
principle 4), so a report that disagrees with a workflow's query is a bug in one of them, not a
second opinion.

Two times cut the log. "As of" a date counts the events whose governance date (the day signed,
notice given, the meeting held: `Event.governance_date`, else the UTC date it occurred) falls on or
before it, however late they were entered; "as known on" a date counts only what had been recorded
(`recorded_at`, UTC) by the end of that day, so an auditor sees what the record said then. Each
stream is folded by the aggregate that writes it (`domain.aggregates.registry`); a process
starts from the partnership as it stood when the process's first event was recorded, as its
workflow did (an exit notifies the signatories of that moment, an escalation counts the bodies
after earlier exits).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict

from audit.heap import frozen_heap
from audit.signatures import seal_of
from domain.aggregates import committee, escalation, exit as exit_process, partnership, review
from domain.aggregates.committee_status import MilestoneStatus, milestone_statuses
from domain.aggregates.registry import AGGREGATES, PARTNERSHIP, ProcessContext
from domain.bodies import Body
from domain.events import DomainEvent, MouSigned, ProcessKind
from domain.partnership import Partnership
from domain.streams import parse_stream, partnership_stream
from eventstore.codec import domain_event_from_json, governance_date, json_value, to_domain_event
from eventstore.hashing import Row
from eventstore.models import RecordedEvent
from eventstore.store import EventStore


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class SignatoryView(_Frozen):
    organisation: str
    name: str
    signed_on: date | None
    signatory_name: str | None
    signatory_role: str | None
    recorded_by: str | None = None
    """Who recorded the signature, as its event's metadata says (docs/architecture.md "Who
    acts"), with whether the signature over it verifies."""


class DepartureView(_Frozen):
    organisation: str
    ended_on: date
    exit_id: str


class MemberView(_Frozen):
    seat: str
    role: str
    organisation: str | None
    voting: bool


class BodyView(_Frozen):
    slug: str
    name: str
    kind: str
    members: tuple[MemberView, ...]


class EscalationView(_Frozen):
    escalation_id: str
    raised_by: str
    summary: str
    raised_on: date
    level: int
    stage: str
    respond_by: date | None
    open_actions: tuple[str, ...]


class CommitteeView(_Frozen):
    committee_id: str
    name: str
    status: str
    established_on: date | None
    milestones: tuple[MilestoneStatus, ...]


class ExitView(_Frozen):
    exit_id: str
    organisation: str
    notified_on: date
    effective_on: date
    unacknowledged: tuple[str, ...]


class ReviewView(_Frozen):
    review_id: str
    opened_on: date
    due_on: date | None
    response_deadline: date | None
    awaiting: tuple[str, ...]


class GovernanceReport(_Frozen):
    """What an auditor asks of a partnership on a date; `last_position` ties it to the log."""

    partnership: str
    name: str
    as_of: date
    as_known_on: date | None
    events_applied: int
    last_position: int
    mou_version: int
    effective_on: date | None
    review_due_on: date | None
    signatories: tuple[SignatoryView, ...]
    outstanding_signatures: tuple[str, ...]
    departures: tuple[DepartureView, ...]
    bodies: tuple[BodyView, ...]
    open_escalations: tuple[EscalationView, ...]
    committees: tuple[CommitteeView, ...]
    open_exits: tuple[ExitView, ...]
    open_reviews: tuple[ReviewView, ...]


def occurred_on(event: RecordedEvent) -> date:
    """The UTC date an event was decided and written by its workflow."""
    return _utc_date(event.occurred_at)


def governance_on(event: RecordedEvent) -> date:
    """The date an event speaks of, which the "as of" cut compares: its own, else when it
    occurred."""
    return governance_date(to_domain_event(event), event.occurred_at)


def recorded_on(event: RecordedEvent) -> date:
    """The UTC date the log took an event, which the "as known on" cut compares."""
    return _utc_date(event.recorded_at)


def _utc_date(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def counted(
    events: Iterable[RecordedEvent], as_of: date, known_on: date | None = None
) -> list[RecordedEvent]:
    """The events that count as of `as_of` (and, given `known_on`, as known on it), in log order.

    Each stream stops at its first event that does not count: every event was decided on all
    those before it in its stream, so none stands without them (a milestone met before it was
    planned in the record, a signature entered after a later-dated one, waits for them).
    """
    stopped: set[str] = set()
    kept: list[RecordedEvent] = []
    for recorded in sorted(events, key=lambda e: e.position):
        if recorded.stream_id in stopped:
            continue
        known = known_on is None or recorded_on(recorded) <= known_on
        if known and governance_on(recorded) <= as_of:
            kept.append(recorded)
        else:
            stopped.add(recorded.stream_id)
    return kept


def stream_kind(stream_id: str, slug: str) -> str | None:
    """`partnership`, or the ProcessKind value of one of `slug`'s process streams; None for a
    stream this replay does not fold (another partnership's, or a kind it does not report)."""
    stream = parse_stream(stream_id)
    if stream.partnership != slug or stream.kind not in _FOLDED:
        return None
    return stream.kind


_FOLDED = (
    PARTNERSHIP,
    ProcessKind.REVIEW.value,
    ProcessKind.EXIT.value,
    ProcessKind.COMMITTEE.value,
    ProcessKind.ESCALATION.value,
)

View = TypeVar("View", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class _Settled:
    """A process whose stream has ended in this read, reduced to what the report shows of it
    (None: nothing, as for a closed escalation): its whole state is no longer needed."""

    view: BaseModel | None


class _Fold:
    """Every aggregate of one partnership, advanced event by event in global order."""

    def __init__(self, config: Partnership) -> None:
        self.config = config
        self.stream = partnership_stream(config.slug)
        self.streams: dict[str, Any] = {self.stream: partnership.initial_state(config)}
        self.applied = 0
        self.last_position = 0
        self.signed_by: dict[str, str] = {}
        self._bodies_of: tuple[partnership.PartnershipState, tuple[Body, ...]] | None = None

    @property
    def partnership(self) -> partnership.PartnershipState:
        state: partnership.PartnershipState = self.streams[self.stream]
        return state

    def views(self, view_type: type[View]) -> tuple[View, ...]:
        """What the report shows of one kind of process, in the order their streams began."""
        views = (s.view if isinstance(s, _Settled) else _view(s) for s in self.streams.values())
        return tuple(v for v in views if isinstance(v, view_type))

    def apply(self, position: int, stream_id: str, event: DomainEvent, kind: str) -> None:
        """Folds `event`, recorded at `position`, into its stream of kind `kind`."""
        aggregate = AGGREGATES[kind]
        state = self.streams.get(stream_id) or aggregate.initial_state(self._context(stream_id))
        if isinstance(state, _Settled):
            raise ValueError(f"position {position} comes after the end of {stream_id}")
        self.streams[stream_id] = aggregate.evolve(state, event)
        self.applied += 1
        self.last_position = position

    def settle(self, stream_id: str) -> None:
        """`stream_id` has ended: keeps only what the report shows of its process. The
        partnership's own state stays whole: later processes start from it."""
        state = self.streams.get(stream_id)
        if stream_id != self.stream and state is not None and not isinstance(state, _Settled):
            self.streams[stream_id] = _Settled(_view(state))

    def _context(self, stream_id: str) -> ProcessContext:
        """The partnership as the process found it when its first event was recorded."""
        state = self.partnership
        # Worked out once per change of the partnership, not once per process begun.
        if self._bodies_of is None or self._bodies_of[0] is not state:
            self._bodies_of = (state, state.bodies)
        return ProcessContext(
            config=self.config,
            signatories=state.signatories,
            bodies=self._bodies_of[1],
            stream_id=stream_id,
        )


_ACTED_ON = ("MouSigned",)
"""The events whose metadata (who acted) the report shows: the signatures'."""


def acted(metadata: dict[str, Any]) -> str:
    """Who acted on an event with `metadata`, and whether the signature over it verifies."""
    actor = metadata.get("actor")
    seal, _ = seal_of(metadata)
    return f"{actor or 'an unrecorded actor'} ({seal})"


class Replay:
    """A replay fed one recorded event at a time in log order, as the store streams them: it
    holds the processes' states, never the events, and decodes each event once. The cut is
    `counted`'s: each stream stops at its first event that does not count."""

    def __init__(self, config: Partnership, as_of: date, known_on: date | None = None) -> None:
        self._fold = _Fold(config)
        self._as_of = as_of
        self._known_on = known_on
        self._stopped: set[str] = set()
        self._kinds: dict[str, str | None] = {}
        self._seen = 0

    def feed(self, recorded: RecordedEvent, *, last: bool = False) -> None:
        """Folds `recorded` if it counts; `last`: no later event of its stream will be fed, so
        its process is reduced to what the report shows of it (the report is the same)."""
        self._take(
            (recorded.position, recorded.stream_id, recorded.recorded_at, recorded.occurred_at),
            lambda: to_domain_event(recorded),
            lambda: recorded.metadata,
            last,
        )

    def feed_row(self, row: Row, *, last: bool = False) -> None:
        """`feed` of a row as the store reads it for a fold (`EventStore.partnership_rows_to_fold`):
        its data decoded straight from the JSON text, without a `RecordedEvent` made first
        (making one was a fifth of a replay's time)."""
        self._take(
            (row["position"], row["stream_id"], row["recorded_at"], row["occurred_at"]),
            lambda: domain_event_from_json(row["event_type"], row["schema_version"], row["data"]),
            lambda: json_value(row["metadata"]),
            last,
        )

    def _take(
        self,
        where: tuple[int, str, datetime, datetime],
        decoded: Callable[[], DomainEvent],
        metadata: Callable[[], dict[str, Any]],
        last: bool,
    ) -> None:
        """`feed`'s work for an event at (position, stream, recorded at, occurred at), decoded
        and its metadata read only when it counts."""
        position, stream_id, recorded_at, occurred_at = where
        if position <= self._seen:
            raise ValueError(
                f"events must come in log order: position {position} after {self._seen}"
            )
        self._seen = position
        if stream_id not in self._kinds:
            self._kinds[stream_id] = stream_kind(stream_id, self._fold.config.slug)
        kind = self._kinds[stream_id]
        if kind is None or stream_id in self._stopped:
            return
        # An event the log had not recorded by `known_on`, or dated after the cut, stops its
        # stream there.
        if self._known_on is not None and _utc_date(recorded_at) > self._known_on:
            self._stop(stream_id)
            return
        event = decoded()
        if governance_date(event, occurred_at) > self._as_of:
            self._stop(stream_id)
            return
        self._fold.apply(position, stream_id, event, kind)
        if isinstance(event, MouSigned):
            self._fold.signed_by[event.organisation] = acted(metadata())
        if last:
            self._fold.settle(stream_id)

    def _stop(self, stream_id: str) -> None:
        self._stopped.add(stream_id)
        self._fold.settle(stream_id)

    def report(self) -> GovernanceReport:
        return _report(self._fold, self._as_of, self._known_on)

    @property
    def partnership(self) -> partnership.PartnershipState:
        """The partnership's own state as of the cut."""
        return self._fold.partnership


def known_by(known_on: date | None) -> datetime | None:
    """The first moment after `known_on` (UTC): the log is read only up to it."""
    if known_on is None:
        return None
    return datetime.combine(known_on + timedelta(days=1), time(), tzinfo=UTC)


def replay(
    config: Partnership,
    events: Iterable[RecordedEvent],
    as_of: date,
    known_on: date | None = None,
) -> GovernanceReport:
    """The governance state of `config`'s partnership at the end of `as_of`, as the log stood at
    the end of `known_on` (None: as it stands), from `events` (any events of the log; those of
    other partnerships are ignored)."""
    ordered = sorted(events, key=lambda e: e.position)
    ends = {e.stream_id: e.position for e in ordered}
    folding = Replay(config, as_of, known_on)
    for recorded in ordered:
        folding.feed(recorded, last=ends[recorded.stream_id] == recorded.position)
    return folding.report()


def _report(fold: _Fold, as_of: date, known_on: date | None) -> GovernanceReport:
    state = fold.partnership
    return GovernanceReport(
        partnership=state.slug,
        name=state.config.name,
        as_of=as_of,
        as_known_on=known_on,
        events_applied=fold.applied,
        last_position=fold.last_position,
        mou_version=state.mou_version,
        effective_on=state.effective_on,
        review_due_on=state.review_due_on,
        signatories=tuple(
            _signatory(state, slug, fold.signed_by.get(slug)) for slug in state.signatories
        ),
        outstanding_signatures=state.outstanding_signatures,
        departures=tuple(
            DepartureView(organisation=d.organisation, ended_on=d.ended_on, exit_id=d.exit_id)
            for d in state.departures
        ),
        bodies=tuple(
            BodyView(
                slug=b.slug,
                name=b.name,
                kind=b.kind.value,
                members=tuple(
                    MemberView(
                        seat=m.seat, role=m.role, organisation=m.organisation, voting=m.voting
                    )
                    for m in b.members
                ),
            )
            for b in state.bodies
        ),
        open_escalations=fold.views(EscalationView),
        committees=fold.views(CommitteeView),
        open_exits=fold.views(ExitView),
        open_reviews=fold.views(ReviewView),
    )


def _view(state: object) -> BaseModel | None:
    """What the report shows of a process's state: an open escalation, exit or review, a
    committee once its formation has begun; None for anything else."""
    match state:
        case escalation.EscalationState(status="open"):
            return _escalation(state)
        case committee.CommitteeState(committee_id=str()):
            return _committee(state)
        case exit_process.ExitState(status="notified"):
            return _exit(state)
        case review.ReviewState(status="open"):
            return _review(state)
    return None


def _committee(state: committee.CommitteeState) -> CommitteeView:
    assert state.committee_id is not None  # the view's caller matched it
    return CommitteeView(
        committee_id=state.committee_id,
        name=state.name,
        status=state.status,
        established_on=state.established_on,
        milestones=milestone_statuses(state),
    )


def _signatory(
    state: partnership.PartnershipState, slug: str, recorded_by: str | None
) -> SignatoryView:
    signature = state.signature(slug)
    return SignatoryView(
        recorded_by=recorded_by,
        organisation=slug,
        name=state.organisation(slug).name,
        signed_on=signature.signed_on if signature else None,
        signatory_name=signature.signatory_name if signature else None,
        signatory_role=signature.signatory_role if signature else None,
    )


def _escalation(state: escalation.EscalationState) -> EscalationView:
    assert state.escalation_id is not None and state.raised_by is not None
    assert state.raised_on is not None  # set together by EscalationRaised, with status "open"
    stage = state.stage
    return EscalationView(
        escalation_id=state.escalation_id,
        raised_by=state.raised_by,
        summary=state.summary,
        raised_on=state.raised_on,
        level=state.level,
        stage=stage.name if stage is not None else f"level {state.level}",
        respond_by=state.respond_by,
        open_actions=tuple(a.action_id for a in state.open_actions),
    )


def _exit(state: exit_process.ExitState) -> ExitView:
    assert state.exit_id is not None and state.organisation is not None  # set by ExitNotified
    assert state.notified_on is not None and state.effective_on is not None
    return ExitView(
        exit_id=state.exit_id,
        organisation=state.organisation,
        notified_on=state.notified_on,
        effective_on=state.effective_on,
        unacknowledged=state.unacknowledged,
    )


def _review(state: review.ReviewState) -> ReviewView:
    assert state.review_id is not None and state.opened_on is not None  # set by ReviewOpened
    return ReviewView(
        review_id=state.review_id,
        opened_on=state.opened_on,
        due_on=state.due_on,
        response_deadline=state.response_deadline,
        awaiting=state.awaiting,
    )


async def replay_from(
    store: EventStore, config: Partnership, as_of: date, known_on: date | None = None
) -> GovernanceReport:
    """`replay` of `config`'s partnership read through the store's cursor, one event in memory
    at a time, reading only what was recorded by the end of `known_on`."""
    return (await replayed(store, config, as_of, known_on)).report()


async def replayed(
    store: EventStore, config: Partnership, as_of: date, known_on: date | None = None
) -> Replay:
    """The `Replay` `replay_from` reports on, for a caller that wants the states themselves."""
    folding = Replay(config, as_of, known_on)
    with frozen_heap():
        async for row, last in store.partnership_rows_to_fold(
            config.slug, recorded_before=known_by(known_on), as_of=as_of, metadata_of=_ACTED_ON
        ):
            folding.feed_row(row, last=last)
    return folding

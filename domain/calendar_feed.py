"""What a partnership's calendar holds (docs/rules.md P8): its meetings, the deadlines before
them, review and response dates, exit dates, committee milestones, declarations due, escalation
deadlines and agreed actions, folded from its log.

Each entry has a stable key naming the thing it is (a meeting, a deadline of a process), and a
sequence counting how often the record changed it, so every reader, and every regeneration of
the feed, sees the same entry with the same sequence. Nothing is dropped: a cancelled meeting or
a withdrawn exit stays, marked cancelled, so calendars that had it learn that it is off.
"""

from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Literal

from pydantic import BaseModel, ConfigDict

from domain import meetings
from domain.events import (
    ActionAgreed,
    ActionCompleted,
    DeclarationsRequested,
    DomainEvent,
    EscalationClimbed,
    EscalationClosed,
    EscalationDecided,
    EscalationRaised,
    EscalationResolved,
    ExitNotified,
    ExitWithdrawn,
    MilestoneMet,
    MilestonePlanned,
    MilestoneReplanned,
    MouEffective,
    NoticeAcknowledged,
    NoticeIssued,
    NoticeKind,
    ReviewDateRevised,
    ReviewOpened,
)
from domain.events.base import ProcessKind
from domain.events.escalation import ClimbReason
from domain.notices import long_date
from domain.partnership import Partnership
from domain.streams import parse_stream, partnership_stream

Kind = Literal["meeting", "deadline", "review", "exit", "milestone"]


class Recorded(BaseModel):
    """One event of the log with where and when it was recorded."""

    model_config = ConfigDict(frozen=True)

    stream: str
    recorded_at: datetime
    event: DomainEvent


class Entry(BaseModel):
    """One thing in the calendar as the record now describes it. `starts_at` is local time in
    `meetings.TIME_ZONE`; without it the entry lasts the whole day `on`."""

    model_config = ConfigDict(frozen=True)

    key: str
    kind: Kind
    body: str | None
    on: date
    starts_at: time | None = None
    summary: str
    description: str
    location: str | None = None
    cancelled: bool = False
    page: str
    """The path, under the web service's address, of the page where it is dealt with."""


class CalendarItem(BaseModel):
    """An entry with its history in the record: created when first recorded, changed
    `sequence` times since, the last time at `last_modified`."""

    model_config = ConfigDict(frozen=True)

    entry: Entry
    sequence: int
    created: datetime
    last_modified: datetime


def calendar_of(config: Partnership, log: Iterable[Recorded]) -> tuple[CalendarItem, ...]:
    """Every entry of `config`'s calendar from its events in log order, ordered by date."""
    derive = _Deriver(config)
    items: dict[str, CalendarItem] = {}
    for recorded in log:
        if recorded.event.partnership != config.slug:
            continue
        for entry in derive(recorded):
            known = items.get(entry.key)
            if known is None:
                items[entry.key] = CalendarItem(
                    entry=entry,
                    sequence=0,
                    created=recorded.recorded_at,
                    last_modified=recorded.recorded_at,
                )
            elif known.entry != entry:
                items[entry.key] = known.model_copy(
                    update={
                        "entry": entry,
                        "sequence": known.sequence + 1,
                        "last_modified": recorded.recorded_at,
                    }
                )
    return tuple(sorted(items.values(), key=when))


def when(item: CalendarItem) -> tuple[date, time, str]:
    """Calendar order: by day, then time (all-day entries first), then key."""
    return (item.entry.on, item.entry.starts_at or time(), item.entry.key)


def for_body(items: Iterable[CalendarItem], body: str) -> tuple[CalendarItem, ...]:
    """Only the entries of one body (its meetings, their deadlines, its declarations)."""
    return tuple(i for i in items if i.entry.body == body)


class _Milestone(BaseModel):
    model_config = ConfigDict(frozen=True)

    planned: MilestonePlanned
    target_on: date
    moved: str = ""
    met_on: date | None = None


class _Level(BaseModel):
    model_config = ConfigDict(frozen=True)

    respond_by: date
    outcome: str = ""
    ended: bool = False


class _Deriver:
    """Turns each event into the entries it creates or changes, as they now stand, keeping the
    state of each meeting and exit it has seen."""

    def __init__(self, config: Partnership) -> None:
        self.config = config
        self.meetings: dict[tuple[str, date], meetings.MeetingState] = {}
        self.exits: dict[str, ExitNotified] = {}
        self.withdrawn: set[str] = set()
        self.acknowledgements: dict[tuple[str, str], tuple[date, date | None]] = {}
        self.milestones: dict[tuple[str, str], _Milestone] = {}
        self.escalations: dict[str, EscalationRaised] = {}
        self.levels: dict[tuple[str, int], _Level] = {}
        self.current_level: dict[str, int] = {}
        self.actions: dict[tuple[str, str], tuple[ActionAgreed, date | None]] = {}

    def __call__(self, recorded: Recorded) -> list[Entry]:
        event, stream = recorded.event, recorded.stream
        match event:
            case _ if parse_stream(stream).kind == "meeting":
                return self._meeting(event)
            case MouEffective() | ReviewDateRevised():
                return [self._review_due(event.review_due_on)]
            case ReviewOpened():
                return [self._responses_due(event, stream)]
            case ExitNotified():
                self.exits[stream] = event
                return [self._exit(stream)]
            case ExitWithdrawn():
                self.withdrawn.add(stream)
                return [self._exit(stream), *self._acknowledgements(stream)]
            case NoticeIssued(process=ProcessKind.EXIT, kind=NoticeKind.EXIT_NOTICE) if (
                event.respond_by is not None
            ):
                self.acknowledgements[(stream, event.recipient)] = (event.respond_by, None)
                return self._acknowledgements(stream, event.recipient)
            case NoticeAcknowledged():
                due, _ = self.acknowledgements.get((stream, event.recipient), (None, None))
                if due is None:
                    return []
                self.acknowledgements[(stream, event.recipient)] = (due, event.acknowledged_on)
                return self._acknowledgements(stream, event.recipient)
            case MilestonePlanned() | MilestoneReplanned() | MilestoneMet():
                return self._milestone(event, stream)
            case DeclarationsRequested():
                return [self._declarations_due(event)]
            case EscalationRaised():
                self.escalations[stream] = event
                return self._level(stream, event.level, event.respond_by)
            case EscalationClimbed():
                said = (
                    "referred up" if event.reason != ClimbReason.DEADLINE_PASSED else "not settled"
                )
                return [
                    *self._outcome(
                        stream, f"Moved up the ladder on {long_date(event.climbed_on)}, {said}."
                    ),
                    *self._level(stream, event.to_level, event.respond_by),
                ]
            case EscalationDecided():
                verdict = "carried" if event.carried else "not carried"
                return self._outcome(
                    stream, f"Decided on {long_date(event.decided_on)}: the vote was {verdict}."
                )
            case EscalationResolved():
                return self._outcome(
                    stream, f"Resolved on {long_date(event.resolved_on)}.", ended=True
                )
            case EscalationClosed():
                return self._outcome(stream, f"Closed on {long_date(event.closed_on)}.", ended=True)
            case ActionAgreed():
                self.actions[(stream, event.action_id)] = (event, None)
                return self._action(stream, event.action_id)
            case ActionCompleted() if (stream, event.action_id) in self.actions:
                agreed, _ = self.actions[(stream, event.action_id)]
                self.actions[(stream, event.action_id)] = (agreed, event.completed_on)
                return self._action(stream, event.action_id)
            case _:
                return []

    # ------------------------------------------------------------------------ meetings

    def _meeting(self, event: DomainEvent) -> list[Entry]:
        body: str | None = getattr(event, "body", None)
        meeting_on: date | None = getattr(event, "meeting_on", None)
        if body is None or meeting_on is None:
            return []
        key = (body, meeting_on)
        before = self.meetings.get(key) or meetings.MeetingState(
            config=self.config, body=body, meeting_on=meeting_on
        )
        state = meetings.evolve(before, event)
        self.meetings[key] = state
        if state.scheduled_on is None and state.arrangement is None:
            return []
        return self._meeting_entries(state)

    def _meeting_entries(self, state: meetings.MeetingState) -> list[Entry]:
        body = self.config.body(state.body)
        key = meetings.process_id(state)
        page = f"/partnerships/{self.config.slug}/meetings"
        cancelled = state.cancelled_on is not None
        arrangement = state.arrangement
        if arrangement is None:
            where = "The time and place are to be confirmed."
        else:
            places = [f"at {arrangement.venue}"] if arrangement.venue else []
            places += [f"online at {arrangement.link}"] if arrangement.link else []
            where = (
                f"It starts at {arrangement.starts_at.strftime('%H:%M')} {' and '.join(places)}."
            )
        said = f"The {body.name} meets on {long_date(state.held_on)}. {where}"
        if cancelled:
            said = f"The meeting of the {body.name} on {long_date(state.held_on)} is cancelled."
        entries = [
            Entry(
                key=key,
                kind="meeting",
                body=state.body,
                on=state.held_on,
                starts_at=arrangement.starts_at if arrangement else None,
                summary=f"{body.name} meeting" + (" (cancelled)" if cancelled else ""),
                description=said,
                location=arrangement.venue or arrangement.link if arrangement else None,
                cancelled=cancelled,
                page=page,
            )
        ]
        meeting = f"the {body.name} meeting on {long_date(state.held_on)}"
        deadlines = (
            (
                "agenda-requests",
                state.agenda_requests_due_on,
                "Agenda requests due",
                f"Last day to ask for an item on the agenda of {meeting}.",
            ),
            (
                "agenda-issue",
                state.agenda_issue_by,
                "Agenda to be issued",
                f"Last day to issue the agenda of {meeting}.",
            ),
        )
        for suffix, on, title, what in deadlines:
            if on is None:
                continue
            entries.append(
                Entry(
                    key=f"{key}:{suffix}",
                    kind="deadline",
                    body=state.body,
                    on=on,
                    summary=f"{title}: {body.name}" + (" (meeting cancelled)" if cancelled else ""),
                    description=what + (" The meeting is cancelled." if cancelled else ""),
                    cancelled=cancelled,
                    page=page,
                )
            )
        return entries

    # ------------------------------------------------------------------------ reviews

    def _review_due(self, due_on: date) -> Entry:
        return Entry(
            key=f"{partnership_stream(self.config.slug)}:review-due",
            kind="review",
            body=None,
            on=due_on,
            summary=f"MoU review due: {self.config.name}",
            description=f"The annual review of the {self.config.name} memorandum of "
            f"understanding falls due on {long_date(due_on)}.",
            page=f"/partnerships/{self.config.slug}",
        )

    def _responses_due(self, event: ReviewOpened, stream: str) -> Entry:
        return Entry(
            key=f"{stream}:responses",
            kind="deadline",
            body=None,
            on=event.response_deadline,
            summary=f"MoU review responses due: {self.config.name}",
            description="Last day for each signatory to respond to the review of the "
            f"{self.config.name} memorandum of understanding that opened on "
            f"{long_date(event.opened_on)}.",
            page=f"/processes/{stream}",
        )

    # ------------------------------------------------------------------------ exits

    def _name(self, organisation: str) -> str:
        known = {o.slug: o.name for o in self.config.organisations}
        return known.get(organisation, organisation)

    def _exit(self, stream: str) -> Entry:
        notified = self.exits[stream]
        leaver = self._name(notified.organisation)
        withdrawn = stream in self.withdrawn
        return Entry(
            key=f"{stream}:effective",
            kind="exit",
            body=None,
            on=notified.effective_on,
            summary=f"{leaver} leaves {self.config.name}" + (" (withdrawn)" if withdrawn else ""),
            description=(
                f"{leaver} gave notice on {long_date(notified.notified_on)} that it leaves the "
                f"partnership on {long_date(notified.effective_on)}."
                + (" The notice has been withdrawn." if withdrawn else "")
            ),
            cancelled=withdrawn,
            page=f"/processes/{stream}",
        )

    def _acknowledgements(self, stream: str, only: str | None = None) -> list[Entry]:
        notified = self.exits.get(stream)
        leaver = self._name(notified.organisation) if notified else "a partner"
        withdrawn = stream in self.withdrawn
        entries = []
        for (of_stream, recipient), (due, acknowledged) in self.acknowledgements.items():
            if of_stream != stream or only not in (None, recipient):
                continue
            said = f"Last day for {self._name(recipient)} to acknowledge {leaver}'s notice of exit."
            if acknowledged is not None:
                said += f" Acknowledged on {long_date(acknowledged)}."
            if withdrawn:
                said += " The notice has been withdrawn."
            entries.append(
                Entry(
                    key=f"{stream}:acknowledgement:{recipient}",
                    kind="deadline",
                    body=None,
                    on=due,
                    summary=f"Exit notice acknowledgement due: {self._name(recipient)}",
                    description=said,
                    cancelled=withdrawn,
                    page=f"/processes/{stream}",
                )
            )
        return entries

    # ------------------------------------------------------------------------ committees

    def _milestone(
        self, event: MilestonePlanned | MilestoneReplanned | MilestoneMet, stream: str
    ) -> list[Entry]:
        key = (stream, event.milestone_id)
        if isinstance(event, MilestonePlanned):
            self.milestones[key] = _Milestone(planned=event, target_on=event.target_on)
        elif key not in self.milestones:
            return []
        elif isinstance(event, MilestoneReplanned):
            self.milestones[key] = self.milestones[key].model_copy(
                update={
                    "target_on": event.new_target_on,
                    "moved": f" Moved from {long_date(event.previous_target_on)}: {event.reason}",
                }
            )
        else:
            self.milestones[key] = self.milestones[key].model_copy(update={"met_on": event.met_on})
        milestone = self.milestones[key]
        planned = milestone.planned
        said = f"Target date for {planned.title}, owned by {self._name(planned.owner)}."
        if milestone.met_on is not None:
            said += f" Met on {long_date(milestone.met_on)}."
        return [
            Entry(
                key=f"{stream}:milestone:{planned.milestone_id}",
                kind="milestone",
                body=None,
                on=milestone.target_on,
                summary=f"Milestone due: {planned.title}",
                description=said + milestone.moved,
                page=f"/processes/{stream}",
            )
        ]

    # ------------------------------------------------------------------------ escalations

    def _level(self, stream: str, level: int, respond_by: date) -> list[Entry]:
        self.current_level[stream] = level
        self.levels[(stream, level)] = _Level(respond_by=respond_by)
        return [self._level_entry(stream, level)]

    def _outcome(self, stream: str, said: str, ended: bool = False) -> list[Entry]:
        """The escalation's current level says what became of it; once the escalation has
        ended its deadline is off."""
        level = self.current_level.get(stream)
        if level is None:
            return []
        known = self.levels[(stream, level)]
        self.levels[(stream, level)] = known.model_copy(
            update={"outcome": f"{known.outcome} {said}".strip(), "ended": ended}
        )
        return [self._level_entry(stream, level)]

    def _level_entry(self, stream: str, level: int) -> Entry:
        raised = self.escalations[stream]
        known = self.levels[(stream, level)]
        stage = self.config.stage(level)
        handler = stage.name if stage is not None else f"stage {level} of the escalation procedure"
        bodies = stage.bodies if stage is not None else ()
        by = self._body_name(raised.raised_by)
        said = (
            f"Last day for {handler} to consider the escalation the {by} raised on "
            f"{long_date(raised.raised_on)}: {raised.summary}"
        )
        return Entry(
            key=f"{stream}:level:{level}",
            kind="deadline",
            body=self._handling_body(bodies, raised.raised_by),
            on=known.respond_by,
            summary=f"Escalation response due: {handler}",
            description=f"{said} {known.outcome}".strip(),
            cancelled=known.ended,
            page=f"/processes/{stream}",
        )

    @staticmethod
    def _handling_body(bodies: tuple[str, ...], raised_by: str) -> str | None:
        """The one body a level's deadline falls to: the stage's only body, or the raiser when
        the stage is the raising body's own; else it is the whole partnership's."""
        if len(bodies) == 1:
            return bodies[0]
        return raised_by if raised_by in bodies else None

    def _action(self, stream: str, action_id: str) -> list[Entry]:
        agreed, completed = self.actions[(stream, action_id)]
        said = (
            f"Agreed on {long_date(agreed.agreed_on)} at an escalation, owned by "
            f"{self._name(agreed.owner)}: {agreed.description}"
        )
        if completed is not None:
            said += f" Completed on {long_date(completed)}."
        return [
            Entry(
                key=f"{stream}:action:{action_id}",
                kind="deadline",
                body=None,
                on=agreed.due_on,
                summary=f"Action due: {self._name(agreed.owner)}",
                description=said,
                page=f"/processes/{stream}",
            )
        ]

    def _body_name(self, slug: str) -> str:
        known = {b.slug: b.name for b in self.config.bodies}
        return known.get(slug, slug)

    # ------------------------------------------------------------------------ declarations

    def _declarations_due(self, event: DeclarationsRequested) -> Entry:
        body = self.config.body(event.body)
        kind = "annual declarations" if event.kind == "annual" else "declarations"
        return Entry(
            key=f"{event.round_id}:return-by",
            kind="deadline",
            body=event.body,
            on=event.return_by,
            summary=f"Declarations of interest due: {body.name}",
            description=f"Last day for members of the {body.name} to return their {kind} of "
            f"interests, asked for on {long_date(event.requested_on)}.",
            page=f"/partnerships/{self.config.slug}/registers/{event.body}",
        )

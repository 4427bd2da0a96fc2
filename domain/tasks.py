"""What a person owes: the one place that decides it, from the processes' states and the roles
the partnership's access data gives the person (`domain.access`, as `domain.authority` reads
it). Each task names the process, the party it is owed for, the command that settles it and its
deadline; the soonest comes first, those without a deadline last."""

from collections.abc import Iterable
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from domain.aggregates.committee import CommitteeState
from domain.aggregates.escalation.state import EscalationState
from domain.aggregates.exit import ExitState
from domain.aggregates.partnership import PartnershipState
from domain.aggregates.review import ReviewState
from domain.bodies import Body
from domain.declarations import DeclarationsState
from domain.partnership import Partnership, StageKind
from domain.provenance import Person

TaskKind = Literal[
    "signature",
    "response",
    "variation",
    "acknowledgement",
    "consideration",
    "decision",
    "vote",
    "resolution",
    "declaration",
    "evidence",
]


class Task(BaseModel):
    """One thing `person` should do, and where."""

    model_config = ConfigDict(frozen=True)

    kind: TaskKind
    partnership: str
    process_id: str
    party: str | None
    """The organisation (or, for a declaration, the seat) the task is owed for; None for the
    secretariat's own business."""
    what: str
    command: str
    due_on: date | None = None
    item: str | None = None
    """What within the process the task is about, where there may be several (a milestone)."""

    @property
    def anchor(self) -> str:
        """The id of the task's form on its page, unique within the page."""
        return "-".join(p for p in (self.command, self.party or "", self.item) if p is not None)


ProcessState = (
    PartnershipState
    | ReviewState
    | ExitState
    | EscalationState
    | CommitteeState
    | DeclarationsState
)


def tasks_for(
    config: Partnership, person: Person, states: Iterable[tuple[str, ProcessState]]
) -> list[Task]:
    """What `person` owes in the partnership `config` (as its running workflow holds it),
    given each open process as (process id, state), soonest deadline first."""
    owed: list[Task] = []
    names = _Names(config)
    represents = set(config.access.organisations_of(person))
    secretariat = config.access.is_secretariat(person)
    seats = {(s.body, s.seat) for s in config.access.seats_of(person, deputy=False)}
    for process_id, state in states:
        match state:
            case PartnershipState():
                owed += _signatures(state, names, process_id, represents)
            case ReviewState():
                owed += _review(state, names, process_id, represents)
            case ExitState():
                owed += _exit(state, names, process_id) if secretariat else []
            case EscalationState():
                owed += _escalation(state, names, process_id) if secretariat else []
                owed += _votes(state, names, process_id, config, person)
            case CommitteeState():
                owed += _evidence(state, names, process_id, represents, secretariat)
            case DeclarationsState():
                owed += _declarations(state, names, process_id, seats)
    return soonest_first(owed)


class _Names:
    """Organisations (and bodies, which own some milestones) by name in a task's words, by slug
    where the file does not name one (a partner admitted since)."""

    def __init__(self, config: Partnership) -> None:
        self.partnership = config.slug
        self._names = {b.slug: b.name for b in config.bodies} | {
            o.slug: o.name for o in config.organisations
        }

    def __call__(self, slug: str | None) -> str:
        return self._names.get(slug or "", slug or "")


def soonest_first(tasks: Iterable[Task]) -> list[Task]:
    """`tasks` by deadline, those without one last."""
    return sorted(tasks, key=lambda t: (t.due_on is None, t.due_on or date.max, t.what))


def _signatures(
    state: PartnershipState, names: _Names, process_id: str, represents: set[str]
) -> list[Task]:
    if state.is_effective:
        return []
    return [
        Task(
            kind="signature",
            partnership=names.partnership,
            process_id=process_id,
            party=organisation,
            what=f"Sign the MoU for {names(organisation)}",
            command="SignMou",
        )
        for organisation in state.outstanding_signatures
        if organisation in represents
    ]


def _review(state: ReviewState, names: _Names, process_id: str, represents: set[str]) -> list[Task]:
    if state.status != "open":
        return []
    answered = {r.organisation for r in state.responses}
    settled = set(state.agreed) | set(state.refused) | set(state.left)
    owed = [
        Task(
            kind="response",
            partnership=names.partnership,
            process_id=process_id,
            party=organisation,
            what=f"Respond to the annual review of the MoU for {names(organisation)}",
            command="RecordResponse",
            due_on=state.response_deadline,
        )
        for organisation in state.signatories
        if organisation in represents and organisation not in answered | set(state.left)
    ]
    if state.variation_id is not None:
        owed += [
            Task(
                kind="variation",
                partnership=names.partnership,
                process_id=process_id,
                party=organisation,
                what=f"Agree to or refuse the proposed variation for {names(organisation)}: "
                f"{state.variation_summary}",
                command="AgreeVariation",
                due_on=state.response_deadline,
            )
            for organisation in state.signatories
            if organisation in represents and organisation not in settled
        ]
    return owed


def _exit(state: ExitState, names: _Names, process_id: str) -> list[Task]:
    if state.status != "notified":
        return []
    return [
        Task(
            kind="acknowledgement",
            partnership=names.partnership,
            process_id=process_id,
            party=notice.recipient,
            what=f"Record {names(notice.recipient)}'s acknowledgement of "
            f"{names(state.organisation)}'s notice of exit",
            command="AcknowledgeNotice",
            due_on=notice.acknowledge_by,
        )
        for notice in state.notices
        if notice.delivered_on is not None and notice.acknowledged_on is None
    ]


def _votes(
    state: EscalationState, names: _Names, process_id: str, config: Partnership, person: Person
) -> list[Task]:
    """A voting member of the body deciding the current level, or their named deputy, votes
    until the level's vote is decided (CDCPE ToR §3; P4.10)."""
    stage = state.stage
    if state.status != "open" or stage is None or stage.kind is not StageKind.DECISION:
        return []
    if state.decided is not None:
        return []
    held = config.access.seats_of(person, deputy=False) + config.access.seats_of(
        person, deputy=True
    )
    seats = dict.fromkeys((s.body, s.seat) for s in held if s.body in stage.bodies)
    owed = []
    for body_slug, seat in seats:
        body = state.body(body_slug)
        member = body.member(seat)
        if member is None or not member.voting:
            continue
        owed.append(
            Task(
                kind="vote",
                partnership=names.partnership,
                process_id=process_id,
                party=seat,
                what=f"Vote at the {body.name} on the escalation: {state.summary}",
                command="CastVote",
                due_on=state.respond_by,
            )
        )
    return owed


def _escalation(state: EscalationState, names: _Names, process_id: str) -> list[Task]:
    """At a deciding level the secretariat records the body's vote, and once it is carried the
    resolution; elsewhere that the level's body considered the matter, which the record holds
    when the level refers it up (the escalation's update takes ReferUp, P4) or resolves it."""
    stage = state.stage
    if state.status != "open" or stage is None:
        return []
    if state.decided is not None:
        kind, command, what = "resolution", "ResolveEscalation", "the resolution"
    elif stage.kind is StageKind.DECISION:
        kind, command, what = "decision", "DecideEscalation", f"the vote of the {stage.name}"
    else:
        kind, command, what = "consideration", "ReferUp", f"the consideration of the {stage.name}"
    return [
        Task(
            kind=kind,
            partnership=names.partnership,
            process_id=process_id,
            party=None,
            what=f"Record {what} on the escalation: {state.summary}",
            command=command,
            due_on=state.respond_by,
        )
    ]


def _declarations(
    state: DeclarationsState, names: _Names, process_id: str, seats: set[tuple[str, str]]
) -> list[Task]:
    """A member owes their seat's declaration until they return it or the round closes (P6)."""
    if state.status != "open":
        return []
    body = state.config.body(state.body)
    return [
        Task(
            kind="declaration",
            partnership=names.partnership,
            process_id=process_id,
            party=seat,
            what=f"Return your declaration of interests as {_role(body, seat)} of the {body.name}",
            command="ReturnDeclaration",
            due_on=state.return_by,
        )
        for seat in state.outstanding
        if (state.body, seat) in seats
    ]


def _evidence(
    state: CommitteeState,
    names: _Names,
    process_id: str,
    represents: set[str],
    secretariat: bool,
) -> list[Task]:
    """An open milestone's evidence is owed by its owner by the target date; the secretariat
    records it (P3), so both see the task."""
    if state.is_established:
        return []
    return [
        Task(
            kind="evidence",
            partnership=names.partnership,
            process_id=process_id,
            party=milestone.owner,
            what=f"Evidence that {milestone.title} is met, owed by {names(milestone.owner)}",
            command="MeetMilestone",
            due_on=milestone.target_on,
            item=milestone.milestone_id,
        )
        for milestone in state.open_milestones
        if secretariat or milestone.owner in represents
    ]


def _role(body: Body, seat: str) -> str:
    member = body.member(seat)
    return seat if member is None else member.role

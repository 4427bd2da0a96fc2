"""The joint committee formation aggregate: milestones towards an operational committee (P3).

Source: DCC Cabinet 2022 (14 Sep 2022: a Joint Committee, shadow from October
2022, fully operational from April 2023) and CDCPE ToR §2 ("ambition to co-produce a Joint
Committee by April 2023"). A milestone cannot be met before the milestones it depends on, nor
before every body or partner whose agreement it needs has agreed (DCC Cabinet 2022 §17: levels of
delegated authority agreed by all partners). Guidance may change the plan (DCC Cabinet 2022 7(c),
§29), so the owner can re-plan; a milestone past its target unmet is recorded as slipped (P3
policy), escalated in writing to its owner and the partnership's executive, and may then be
re-planned too. When the last milestone is met the committee is established, provided its membership
was confirmed against the minimum list of DCC Cabinet 2022 §19 (a)-(g).
"""

from collections.abc import Iterable
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from domain.aggregates.committee_commands import (
    CommitteeCommand,
    ConfirmMembership,
    EstablishCommittee,
    MeetMilestone,
    PublishGuidance,
    RecordMilestoneAgreement,
    RecordSlippage,
    ReplanMilestone,
    StartFormation,
)
from domain.aggregates.folding import fold_with, updated
from domain.committee_plans import MilestoneRequirement, PlanMilestone
from domain.errors import DomainError
from domain.events import (
    CommitteeEstablished,
    CommitteeMemberConfirmed,
    DomainEvent,
    FormationStarted,
    GuidancePublished,
    MilestoneAgreed,
    MilestoneMet,
    MilestonePlanned,
    MilestoneReplanned,
    MilestoneSlipped,
)
from domain.rules.committee_membership import (
    MinimumCategory,
    ProposedSeat,
    missing_from_minimum,
)
from domain.rules.date_policy import not_after_today, not_before, not_before_the_record, within
from domain.rules.dates import decision_date


class Milestone(BaseModel):
    """A formation milestone and its progress."""

    model_config = ConfigDict(frozen=True)

    milestone_id: str
    title: str
    owner: str
    target_on: date
    needs_agreement_of: tuple[str, ...]
    depends_on: tuple[str, ...]
    clause: str
    requires: MilestoneRequirement | None = None
    agreed_by: tuple[str, ...] = ()
    met_on: date | None = None
    slipped_target: date | None = None
    replans: int = 0

    @property
    def is_slipping(self) -> bool:
        """Unmet and past the target date it has now (its slippage is recorded)."""
        return self.met_on is None and self.slipped_target == self.target_on

    @property
    def agreements_outstanding(self) -> tuple[str, ...]:
        """Bodies or partners whose agreement this milestone still needs."""
        return tuple(o for o in self.needs_agreement_of if o not in self.agreed_by)


class CommitteeState(BaseModel):
    """A joint committee formation as its events make it."""

    model_config = ConfigDict(frozen=True)

    partnership: str
    committee_id: str | None = None
    name: str = ""
    preferred_option: str = ""
    started_on: date | None = None
    milestones: tuple[Milestone, ...] = ()
    guidance: tuple[str, ...] = ()
    members: tuple[ProposedSeat, ...] = ()
    membership_confirmed_on: date | None = None
    established_on: date | None = None
    reports_to: tuple[str, ...] = ()

    def milestone(self, milestone_id: str) -> Milestone:
        """The milestone called `milestone_id`; refuses an unknown one."""
        for milestone in self.milestones:
            if milestone.milestone_id == milestone_id:
                return milestone
        known = ", ".join(m.milestone_id for m in self.milestones) or "none"
        raise DomainError(f"no milestone {milestone_id!r}; the milestones are: {known}")

    @property
    def is_established(self) -> bool:
        """Every milestone met and the committee declared operational (DCC Cabinet 2022 §6(c))."""
        return self.established_on is not None

    @property
    def open_milestones(self) -> tuple[Milestone, ...]:
        """Milestones not yet met."""
        return tuple(m for m in self.milestones if m.met_on is None)

    @property
    def next_target_on(self) -> date | None:
        """The earliest target of an open milestone whose slippage is not yet recorded: the
        date the next slippage timer watches (P3 policy)."""
        targets = [m.target_on for m in self.open_milestones if not m.is_slipping]
        return min(targets, default=None) if not self.is_established else None

    def due_slippages(self, today: date) -> tuple[Milestone, ...]:
        """Open milestones whose target date passed before `today` with no slippage recorded."""
        return tuple(m for m in self.open_milestones if m.target_on < today and not m.is_slipping)

    @property
    def status(self) -> Literal["not-started", "forming", "slipping", "established"]:
        """How the formation stands, for staff filtering workflows."""
        if self.committee_id is None:
            return "not-started"
        if self.is_established:
            return "established"
        return "slipping" if any(m.is_slipping for m in self.milestones) else "forming"


def initial_state(partnership: str) -> CommitteeState:
    """No formation started."""
    return CommitteeState(partnership=partnership)


def decide(state: CommitteeState, command: CommitteeCommand) -> list[DomainEvent]:
    """The events `command` produces, or a `DomainError` saying why it is refused."""
    if isinstance(command, StartFormation):
        if state.committee_id is not None:
            raise DomainError(f"formation of {state.committee_id} has already started")
        return [
            FormationStarted(
                partnership=state.partnership,
                committee_id=command.committee_id,
                name=command.name,
                preferred_option=command.preferred_option,
                started_on=command.started_on,
            )
        ]
    committee_id = require_in_progress(state)
    p, c = state.partnership, committee_id
    match command:
        case PlanMilestone():
            if any(m.milestone_id == command.milestone_id for m in state.milestones):
                raise DomainError(f"milestone {command.milestone_id!r} is already planned")
            for dependency in command.depends_on:
                state.milestone(dependency)
            return [
                MilestonePlanned(
                    partnership=p,
                    committee_id=c,
                    milestone_id=command.milestone_id,
                    title=command.title,
                    owner=command.owner,
                    target_on=command.target_on,
                    needs_agreement_of=command.needs_agreement_of,
                    depends_on=command.depends_on,
                    clause=command.clause,
                    requires=command.requires,
                )
            ]
        case RecordMilestoneAgreement():
            milestone = _require_unmet(state, command.milestone_id)
            not_before("an agreement", command.agreed_on, state.started_on, "the formation started")
            not_after_today("an agreement", command.agreed_on, command.today)
            if command.agreed_by not in milestone.needs_agreement_of:
                raise DomainError(
                    f"milestone {milestone.milestone_id!r} does not need the agreement of "
                    f"{command.agreed_by}; it needs: {', '.join(milestone.needs_agreement_of)}"
                )
            if command.agreed_by in milestone.agreed_by:
                raise DomainError(f"{command.agreed_by} has already agreed this milestone")
            return [
                MilestoneAgreed(
                    partnership=p,
                    committee_id=c,
                    milestone_id=milestone.milestone_id,
                    agreed_by=command.agreed_by,
                    agreed_on=command.agreed_on,
                )
            ]
        case MeetMilestone():
            milestone = _require_unmet(state, command.milestone_id)
            not_before("a milestone", command.met_on, state.started_on, "the formation started")
            not_after_today("a milestone", command.met_on, command.today)
            for dependency in milestone.depends_on:
                before = state.milestone(dependency)
                if before.met_on is None or before.met_on > command.met_on:
                    raise DomainError(
                        f"milestone {milestone.milestone_id!r} cannot be met before "
                        f"{dependency!r} ({before.title}), which it depends on"
                    )
            if missing := [o for o in milestone.needs_agreement_of if o not in milestone.agreed_by]:
                raise DomainError(
                    f"milestone {milestone.milestone_id!r} still needs the agreement of "
                    f"{', '.join(missing)} ({milestone.clause})"
                )
            _require_what_it_stands_for(state, milestone, command.met_on)
            return [
                MilestoneMet(
                    partnership=p,
                    committee_id=c,
                    milestone_id=milestone.milestone_id,
                    met_on=command.met_on,
                    evidence=command.evidence,
                )
            ]
        case RecordSlippage():
            milestone = _require_unmet(state, command.milestone_id)
            if command.noticed_on <= milestone.target_on:
                raise DomainError(
                    f"milestone {milestone.milestone_id!r} is not due until "
                    f"{milestone.target_on.isoformat()}"
                )
            if milestone.slipped_target == milestone.target_on:
                raise DomainError(f"the slippage of {milestone.milestone_id!r} is already recorded")
            return [
                MilestoneSlipped(
                    partnership=p,
                    committee_id=c,
                    milestone_id=milestone.milestone_id,
                    target_on=milestone.target_on,
                    noticed_on=command.noticed_on,
                    owner=milestone.owner,
                )
            ]
        case ReplanMilestone():
            today = decision_date(command.today)
            milestone = _require_unmet(state, command.milestone_id)
            # DCC Cabinet 2022 7(c), §29: guidance may change the plan; P3 policy: so may a
            # slippage.
            if not state.guidance and not milestone.is_slipping:
                raise DomainError(
                    f"milestone {milestone.milestone_id!r} can be re-planned only once Government "
                    f"guidance is published (DCC Cabinet 2022 7(c), §29) or after it has slipped"
                )
            if command.new_target_on < today:
                raise DomainError("a milestone cannot be re-planned to a date already past")
            return [
                MilestoneReplanned(
                    partnership=p,
                    committee_id=c,
                    milestone_id=milestone.milestone_id,
                    previous_target_on=milestone.target_on,
                    new_target_on=command.new_target_on,
                    replanned_on=today,
                    reason=command.reason,
                )
            ]
        case PublishGuidance():
            # Government guidance may predate the formation; it cannot postdate today.
            not_before_the_record("guidance", command.published_on)
            not_after_today("guidance", command.published_on, command.today)
            if command.changes_preferred_option and not command.new_preferred_option:
                raise DomainError(
                    "guidance that changes the preferred option must name the new one"
                )
            return [
                GuidancePublished(
                    partnership=p,
                    committee_id=c,
                    title=command.title,
                    published_on=command.published_on,
                    changes_preferred_option=command.changes_preferred_option,
                    new_preferred_option=command.new_preferred_option,
                )
            ]
        case ConfirmMembership():
            return _confirm_membership(state, command, c)
        case EstablishCommittee():
            if not state.milestones:
                raise DomainError("no milestones are planned")
            if unmet := [m.milestone_id for m in state.milestones if m.met_on is None]:
                raise DomainError(f"milestones not yet met: {', '.join(unmet)}")
            if state.membership_confirmed_on is None:
                raise DomainError(
                    f"{state.name} cannot be established before its membership is confirmed "
                    f"against the minimum list of DCC Cabinet 2022 §19 (a)-(g)"
                )
            return [
                CommitteeEstablished(
                    partnership=p,
                    committee_id=c,
                    name=state.name,
                    established_on=command.established_on,
                    reports_to=command.reports_to,
                )
            ]


def _confirm_membership(
    state: CommitteeState, command: ConfirmMembership, committee_id: str
) -> list[DomainEvent]:
    if state.membership_confirmed_on is not None:
        raise DomainError(
            f"the membership of {state.name} was confirmed on "
            f"{state.membership_confirmed_on.isoformat()}"
        )
    within(
        "a membership",
        command.confirmed_on,
        command.today,
        state.started_on,
        "the formation started",
    )
    seats = [s.seat for s in command.seats]
    if duplicates := sorted({s for s in seats if seats.count(s) > 1}):
        raise DomainError(f"seats proposed more than once: {', '.join(duplicates)}")
    if len(chairs := [s.seat for s in command.seats if s.chair]) > 1:
        raise DomainError(
            f"a joint committee has one chair (DCC Cabinet 2022 §19(a)), not {', '.join(chairs)}"
        )
    if missing := missing_from_minimum(command.seats):
        raise DomainError(
            f"the membership of {state.name} does not meet the minimum list of DCC Cabinet 2022 "
            "§19; "
            f"it lacks: {'; '.join(missing)}"
        )
    return [
        CommitteeMemberConfirmed(
            partnership=state.partnership,
            committee_id=committee_id,
            seat=s.seat,
            role=s.role,
            organisation=s.organisation,
            sector=s.sector,
            covers=tuple(str(c) for c in s.covers),
            chair=s.chair,
            confirmed_on=command.confirmed_on,
        )
        for s in command.seats
    ]


def _require_what_it_stands_for(state: CommitteeState, milestone: Milestone, met_on: date) -> None:
    """A milestone that stands for a confirmed membership is met only once it is confirmed
    (DCC Cabinet 2022 §19 (a)-(g); docs/rules.md P3)."""
    if milestone.requires != "membership":
        return
    confirmed_on = state.membership_confirmed_on
    if confirmed_on is None or confirmed_on > met_on:
        when = "" if confirmed_on is None else f" by {met_on.isoformat()}"
        raise DomainError(
            f"milestone {milestone.milestone_id!r} cannot be met: the membership of {state.name} "
            f"has not been confirmed{when} against the minimum list of DCC Cabinet 2022 §19 "
            f"(a)-(g); confirm it first"
        )


def require_in_progress(state: CommitteeState) -> str:
    """The committee's id; refuses a formation not started or already complete."""
    if state.committee_id is None:
        raise DomainError("formation of the joint committee has not started")
    if state.established_on is not None:
        raise DomainError(
            f"{state.name} was established on {state.established_on.isoformat()}; "
            f"its formation is complete"
        )
    return state.committee_id


def _require_unmet(state: CommitteeState, milestone_id: str) -> Milestone:
    milestone = state.milestone(milestone_id)
    if milestone.met_on is not None:
        raise DomainError(f"milestone {milestone_id!r} was met on {milestone.met_on.isoformat()}")
    return milestone


def _update(state: CommitteeState, milestone_id: str, **changes: object) -> CommitteeState:
    milestones = tuple(
        updated(m, changes) if m.milestone_id == milestone_id else m for m in state.milestones
    )
    return updated(state, {"milestones": milestones})


def evolve(state: CommitteeState, event: DomainEvent) -> CommitteeState:
    """`state` after `event`; events of other streams leave it unchanged."""
    match event:
        case FormationStarted():
            return updated(
                state,
                {
                    "committee_id": event.committee_id,
                    "name": event.name,
                    "preferred_option": event.preferred_option,
                    "started_on": event.started_on,
                },
            )
        case MilestonePlanned():
            milestone = Milestone(
                milestone_id=event.milestone_id,
                title=event.title,
                owner=event.owner,
                target_on=event.target_on,
                needs_agreement_of=event.needs_agreement_of,
                depends_on=event.depends_on,
                clause=event.clause,
                requires=event.requires,
            )
            return updated(state, {"milestones": (*state.milestones, milestone)})
        case MilestoneAgreed():
            agreed = state.milestone(event.milestone_id).agreed_by
            return _update(state, event.milestone_id, agreed_by=(*agreed, event.agreed_by))
        case MilestoneMet():
            return _update(state, event.milestone_id, met_on=event.met_on)
        case MilestoneSlipped():
            return _update(state, event.milestone_id, slipped_target=event.target_on)
        case MilestoneReplanned():
            replans = state.milestone(event.milestone_id).replans + 1
            return _update(
                state, event.milestone_id, target_on=event.new_target_on, replans=replans
            )
        case GuidancePublished():
            update: dict[str, object] = {"guidance": (*state.guidance, event.title)}
            if event.changes_preferred_option and event.new_preferred_option:
                update["preferred_option"] = event.new_preferred_option
            return updated(state, update)
        case CommitteeMemberConfirmed():
            seat = ProposedSeat(
                seat=event.seat,
                role=event.role,
                organisation=event.organisation,
                sector=event.sector,
                covers=tuple(MinimumCategory(c) for c in event.covers),
                chair=event.chair,
            )
            return updated(
                state,
                {
                    "members": (*state.members, seat),
                    "membership_confirmed_on": event.confirmed_on,
                },
            )
        case CommitteeEstablished():
            return updated(
                state, {"established_on": event.established_on, "reports_to": event.reports_to}
            )
        case _:
            return state


def fold(state: CommitteeState, events: Iterable[DomainEvent]) -> CommitteeState:
    """`state` after every one of `events`, in order."""
    return fold_with(evolve, state, events)


def meet(
    state: CommitteeState, command: MeetMilestone, reports_to: tuple[str, ...]
) -> list[DomainEvent]:
    """Meet a milestone; meeting the last one establishes the committee on that date (DCC Cabinet
    2022 §6(c)) reporting to `reports_to` (its plan's), so it is refused, with nothing met, while
    the membership is unconfirmed (§19)."""
    events = decide(state, command)
    after = fold(state, events)
    if after.open_milestones:
        return events
    established = EstablishCommittee(established_on=command.met_on, reports_to=reports_to)
    return events + decide(after, established)


def start_with_plan(
    state: CommitteeState, start: StartFormation, plan: Iterable[PlanMilestone]
) -> list[DomainEvent]:
    """`FormationStarted` and one `MilestonePlanned` per milestone, in plan order; a plan whose
    milestone depends on one not planned before it is refused."""
    events = decide(state, start)
    for milestone in plan:
        events += decide(fold(state, events), milestone)
    return events

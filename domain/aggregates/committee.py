"""The joint committee formation aggregate: milestones towards an operational committee (P3).

Source: `002_95a8991e315e2e6d.txt` (Cabinet, 14 Sep 2022: a Joint Committee, shadow from October
2022, fully operational from April 2023) and `000` ToR §2 ("ambition to co-produce a Joint
Committee by April 2023"). A milestone cannot be met before the milestones it depends on, nor
before every body or partner whose agreement it needs has agreed (`002` §17: levels of delegated
authority agreed by all partners). Guidance may change the plan (`002` 7(c), §29), so the owner
can re-plan; a milestone past its target unmet is recorded as slipped (P3 policy).
"""

from collections.abc import Iterable
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from domain.aggregates.folding import fold_with
from domain.errors import DomainError
from domain.events import (
    CommitteeEstablished,
    DomainEvent,
    FormationStarted,
    GuidancePublished,
    MilestoneAgreed,
    MilestoneMet,
    MilestonePlanned,
    MilestoneReplanned,
    MilestoneSlipped,
)


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
    agreed_by: tuple[str, ...] = ()
    met_on: date | None = None
    slipped_target: date | None = None


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
    established_on: date | None = None

    def milestone(self, milestone_id: str) -> Milestone:
        """The milestone called `milestone_id`; refuses an unknown one."""
        for milestone in self.milestones:
            if milestone.milestone_id == milestone_id:
                return milestone
        known = ", ".join(m.milestone_id for m in self.milestones) or "none"
        raise DomainError(f"no milestone {milestone_id!r}; the milestones are: {known}")


def initial_state(partnership: str) -> CommitteeState:
    """No formation started."""
    return CommitteeState(partnership=partnership)


class StartFormation(BaseModel):
    """Begin forming a joint committee under a preferred option (`002` recommendation 7(b))."""

    model_config = ConfigDict(frozen=True)

    committee_id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    preferred_option: str = Field(min_length=1)
    started_on: date


class PlanMilestone(BaseModel):
    """Add a milestone; its dependencies must already be planned (so the plan has no cycles)."""

    model_config = ConfigDict(frozen=True)

    milestone_id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    target_on: date
    needs_agreement_of: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    clause: str = Field(min_length=1)


class RecordMilestoneAgreement(BaseModel):
    """A body or partner whose agreement a milestone needs has given it."""

    model_config = ConfigDict(frozen=True)

    milestone_id: str
    agreed_by: str
    agreed_on: date


class MeetMilestone(BaseModel):
    """Record a milestone as met."""

    model_config = ConfigDict(frozen=True)

    milestone_id: str
    met_on: date
    evidence: str = ""


class RecordSlippage(BaseModel):
    """A milestone is past its target date and not met (raises a slippage escalation)."""

    model_config = ConfigDict(frozen=True)

    milestone_id: str
    noticed_on: date


class ReplanMilestone(BaseModel):
    """The owner sets a new target date."""

    model_config = ConfigDict(frozen=True)

    milestone_id: str
    new_target_on: date
    replanned_on: date
    reason: str = Field(min_length=1)


class PublishGuidance(BaseModel):
    """Government guidance was published (`002` 7(c), §29)."""

    model_config = ConfigDict(frozen=True)

    title: str = Field(min_length=1)
    published_on: date
    changes_preferred_option: bool = False
    new_preferred_option: str | None = None


class EstablishCommittee(BaseModel):
    """Declare the committee fully operational (`002` §6(c))."""

    model_config = ConfigDict(frozen=True)

    established_on: date
    reports_to: tuple[str, ...]


CommitteeCommand = (
    StartFormation
    | PlanMilestone
    | RecordMilestoneAgreement
    | MeetMilestone
    | RecordSlippage
    | ReplanMilestone
    | PublishGuidance
    | EstablishCommittee
)


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
    committee_id = _require_in_progress(state)
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
                )
            ]
        case RecordMilestoneAgreement():
            milestone = _require_unmet(state, command.milestone_id)
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
            milestone = _require_unmet(state, command.milestone_id)
            if command.new_target_on < command.replanned_on:
                raise DomainError("a milestone cannot be re-planned to a date already past")
            return [
                MilestoneReplanned(
                    partnership=p,
                    committee_id=c,
                    milestone_id=milestone.milestone_id,
                    previous_target_on=milestone.target_on,
                    new_target_on=command.new_target_on,
                    replanned_on=command.replanned_on,
                    reason=command.reason,
                )
            ]
        case PublishGuidance():
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
        case EstablishCommittee():
            if not state.milestones:
                raise DomainError("no milestones are planned")
            if unmet := [m.milestone_id for m in state.milestones if m.met_on is None]:
                raise DomainError(f"milestones not yet met: {', '.join(unmet)}")
            return [
                CommitteeEstablished(
                    partnership=p,
                    committee_id=c,
                    name=state.name,
                    established_on=command.established_on,
                    reports_to=command.reports_to,
                )
            ]


def _require_in_progress(state: CommitteeState) -> str:
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
        m.model_copy(update=changes) if m.milestone_id == milestone_id else m
        for m in state.milestones
    )
    return state.model_copy(update={"milestones": milestones})


def evolve(state: CommitteeState, event: DomainEvent) -> CommitteeState:
    """`state` after `event`; events of other streams leave it unchanged."""
    match event:
        case FormationStarted():
            return state.model_copy(
                update={
                    "committee_id": event.committee_id,
                    "name": event.name,
                    "preferred_option": event.preferred_option,
                    "started_on": event.started_on,
                }
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
            )
            return state.model_copy(update={"milestones": (*state.milestones, milestone)})
        case MilestoneAgreed():
            agreed = state.milestone(event.milestone_id).agreed_by
            return _update(state, event.milestone_id, agreed_by=(*agreed, event.agreed_by))
        case MilestoneMet():
            return _update(state, event.milestone_id, met_on=event.met_on)
        case MilestoneSlipped():
            return _update(state, event.milestone_id, slipped_target=event.target_on)
        case MilestoneReplanned():
            return _update(state, event.milestone_id, target_on=event.new_target_on)
        case GuidancePublished():
            update: dict[str, object] = {"guidance": (*state.guidance, event.title)}
            if event.changes_preferred_option and event.new_preferred_option:
                update["preferred_option"] = event.new_preferred_option
            return state.model_copy(update=update)
        case CommitteeEstablished():
            return state.model_copy(update={"established_on": event.established_on})
        case _:
            return state


def fold(state: CommitteeState, events: Iterable[DomainEvent]) -> CommitteeState:
    """`state` after every one of `events`, in order."""
    return fold_with(evolve, state, events)


def county_durham_plan() -> tuple[PlanMilestone, ...]:
    """The nine milestones of PROCESSES.md P3 for County Durham, in dependency order.

    Dates the report gives are used as they stand (Cabinet 14 Sep 2022, shadow from October 2022,
    operational from April 2023, `002` §6); the others are planning assumptions between them.
    """
    partners = ("icb", "dcc", "cddft", "tewv", "hdft", "pcns", "durham-community-action",
                "healthwatch")  # fmt: skip
    return (
        PlanMilestone(milestone_id="preferred-option", title="Preferred option (Joint Committee) "
                      "agreed by Cabinet", owner="dcc", target_on=date(2022, 9, 14),
                      needs_agreement_of=("cabinet",), clause="002 recommendation 7(b), §11"),
        PlanMilestone(milestone_id="co-production", title="Co-production with the ICB agreed",
                      owner="cdcpe", target_on=date(2022, 9, 30), needs_agreement_of=("icb",),
                      depends_on=("preferred-option",), clause="002 §6(a), §14"),
        PlanMilestone(milestone_id="shadow-form", title="Shadow form from October 2022",
                      owner="cdcpe", target_on=date(2022, 10, 31),
                      depends_on=("co-production",), clause="002 §6(b)"),
        PlanMilestone(milestone_id="functions-identified", title="Functions and duties to "
                      "delegate identified with Legal and Democratic Services", owner="dcc",
                      target_on=date(2022, 12, 31), depends_on=("shadow-form",),
                      clause="002 §21-§23, §28"),
        PlanMilestone(milestone_id="delegation-agreed", title="Levels of delegated authority "
                      "agreed by all partners, in particular the ICB and the Council",
                      owner="cdcpe", target_on=date(2023, 1, 31), needs_agreement_of=partners,
                      depends_on=("functions-identified",), clause="002 §17"),
        PlanMilestone(milestone_id="mou-and-tor", title="Delegated authority, governance and "
                      "operating principles set out in an agreed MoU and terms of reference",
                      owner="cdcpe", target_on=date(2023, 2, 28),
                      depends_on=("delegation-agreed",), clause="002 §17-§18"),
        PlanMilestone(milestone_id="membership-confirmed", title="Membership confirmed against "
                      "the minimum list", owner="cdcpe", target_on=date(2023, 2, 28),
                      depends_on=("mou-and-tor",), clause="002 §19(a)-(g)"),
        PlanMilestone(milestone_id="constitution-reviewed", title="Council Constitution "
                      "reviewed to reflect the committee's delegated powers", owner="dcc",
                      target_on=date(2023, 3, 31), depends_on=("mou-and-tor",),
                      clause="002 Appendix 1 (Legal)"),
        PlanMilestone(milestone_id="operational", title="Fully operational", owner="cdcpe",
                      target_on=date(2023, 4, 1),
                      depends_on=("membership-confirmed", "constitution-reviewed"),
                      clause="002 §6(c); 000 ToR §2"),
    )  # fmt: skip

"""What starting, or resuming, one of a partnership's processes records and hands its workflow.

Pure functions of the partnership's state, so that the `start` update's validator and its
handler take the same decision; each includes the process's own first decision (a notice not
given by a signatory, a plan whose milestones depend on ones not planned, a raise by a body that
is not on the ladder), so a start the process would refuse is refused before anything is written.
"""

from dataclasses import dataclass
from datetime import date

from domain.aggregates import (
    committee as committees,
    escalation as escalations,
    exit as exits,
    review as reviews,
)
from domain.aggregates.committee_commands import StartFormation
from domain.aggregates.partnership import (
    PartnershipState,
    ProcessRecord,
    RequestReview,
    StartCommittee,
    StartProcess,
    unused_process_id,
)
from domain.errors import DomainError
from domain.events import ProcessKind
from domain.partnership import Partnership
from domain.provenance import Actor, Channel, system_actor
from domain.streams import (
    committee_stream,
    escalation_stream,
    exit_stream,
    partnership_stream,
    review_stream,
)
from workflows.contracts.committee import CommitteeInput
from workflows.contracts.escalation import EscalationInput
from workflows.contracts.exit import ExitInput
from workflows.contracts.partnership import ProcessStart, Started
from workflows.contracts.review import ReviewInput

ChildInput = ExitInput | ReviewInput | CommitteeInput | EscalationInput


@dataclass(frozen=True)
class Launch:
    """A process about to start: the partnership's record of it, what the caller is told, and
    the input of the process's workflow."""

    start: StartProcess
    started: Started
    input: ChildInput


def current_config(state: PartnershipState) -> Partnership:
    """The configuration as the events have made it, for a process: partners admitted since,
    and bodies without the seats of partners who left, with those established."""
    return state.config.model_copy(
        update={"organisations": state.organisations, "bodies": state.bodies}
    )


def launch(
    state: PartnershipState, command: ProcessStart, actor: Actor, on: date, review_id: str
) -> Launch:
    """Starting `command` on `on`; a `DomainError` says why it cannot start. A review's id is
    made by the caller (`review_id`), so two reviews opened on one day differ."""
    config = current_config(state)
    match command:
        case exits.NotifyExit():
            return _exit(state, config, command, actor, on)
        case RequestReview():
            return _review(state, config, review_id, actor, on)
        case StartCommittee():
            return _committee(state, config, command, actor, on)
        case escalations.RaiseEscalation():
            return _escalation(state, config, command, actor, on)


def resume(state: PartnershipState, record: ProcessRecord) -> ChildInput:
    """The input that carries on a process the log says is open: with nothing to start, its
    workflow rebuilds itself from its own stream."""
    config, process_id = current_config(state), record.process_id
    actor = system_actor(f"workflow:{partnership_stream(state.slug)}", Channel.PROCESS)
    match record.process:
        case ProcessKind.EXIT:
            return ExitInput(
                config=config,
                process_id=process_id,
                actor=actor,
                signatories=state.signatories,
                notice=None,
            )
        case ProcessKind.REVIEW:
            return ReviewInput(config=config, process_id=process_id, actor=actor, opening=None)
        case ProcessKind.COMMITTEE:
            plan = config.committee_plan(record.subject)
            return CommitteeInput(
                config=config, process_id=process_id, actor=actor, plan=plan, start=None
            )
        case _:
            return EscalationInput(
                config=config, process_id=process_id, actor=actor, bodies=state.bodies, raised=None
            )


def _exit(
    state: PartnershipState,
    config: Partnership,
    notice: exits.NotifyExit,
    actor: Actor,
    on: date,
) -> Launch:
    process_id = unused_process_id(
        state, exit_stream(state.slug, notice.organisation, notice.notified_on)
    )
    notice = notice.model_copy(update={"exit_id": process_id})
    initial = exits.initial_state(config, state.signatories)
    given = exits.fold(
        initial, exits.give_notice(initial, notice, on, config.exit_policy.acknowledgement_days)
    )
    return Launch(
        start=_record(ProcessKind.EXIT, process_id, notice.organisation, on),
        started=Started(
            process=ProcessKind.EXIT,
            process_id=process_id,
            recipients=given.recipients,
            effect=given.effect(),
        ),
        input=ExitInput(
            config=config,
            process_id=process_id,
            signatories=state.signatories,
            notice=notice,
            actor=actor,
        ),
    )


def _review(
    state: PartnershipState, config: Partnership, review_id: str, actor: Actor, on: date
) -> Launch:
    if state.review_due_on is None:
        raise DomainError(f"the {state.slug} MoU is not yet effective; there is nothing to review")
    process_id = review_stream(state.slug, review_id)
    opening = reviews.OpenReview(
        review_id=review_id,
        opened_on=on,
        due_on=state.review_due_on,
        response_deadline=reviews.response_deadline_for(on, config.review_policy.response_days),
        mou_version=state.mou_version,
        signatories=state.signatories,
    )
    reviews.decide(reviews.initial_state(state.slug), opening)
    return Launch(
        start=_record(ProcessKind.REVIEW, process_id, review_id, on),
        started=Started(process=ProcessKind.REVIEW, process_id=process_id),
        input=ReviewInput(config=config, process_id=process_id, opening=opening, actor=actor),
    )


def _committee(
    state: PartnershipState,
    config: Partnership,
    command: StartCommittee,
    actor: Actor,
    on: date,
) -> Launch:
    process_id = unused_process_id(state, committee_stream(state.slug, command.committee))
    plan = config.committee_plan(command.committee)
    if command.plan is not None:
        plan = plan.model_copy(update={"milestones": command.plan})
    formation = StartFormation(
        committee_id=command.committee,
        name=command.name or plan.name,
        preferred_option=plan.preferred_option,
        started_on=on,
    )
    committees.start_with_plan(committees.initial_state(state.slug), formation, plan.milestones)
    return Launch(
        start=_record(ProcessKind.COMMITTEE, process_id, command.committee, on),
        started=Started(process=ProcessKind.COMMITTEE, process_id=process_id),
        input=CommitteeInput(
            config=config, process_id=process_id, plan=plan, start=formation, actor=actor
        ),
    )


def _escalation(
    state: PartnershipState,
    config: Partnership,
    raised: escalations.RaiseEscalation,
    actor: Actor,
    on: date,
) -> Launch:
    process_id = escalation_stream(state.slug, raised.escalation_id)
    escalations.decide(escalations.initial_state(config, state.bodies), raised)
    return Launch(
        start=_record(ProcessKind.ESCALATION, process_id, raised.escalation_id, on),
        started=Started(process=ProcessKind.ESCALATION, process_id=process_id),
        input=EscalationInput(
            config=config, process_id=process_id, bodies=state.bodies, raised=raised, actor=actor
        ),
    )


def _record(kind: ProcessKind, process_id: str, subject: str, on: date) -> StartProcess:
    return StartProcess(process=kind, process_id=process_id, subject=subject, started_on=on)

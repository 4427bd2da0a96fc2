"""The processes a partnership starts on streams of their own, and when they end.

The partnership records each start and end in its own stream, so that rebuilt from its stream
alone it knows which processes are still open and carries them on (docs/architecture.md
principle 8). Each process id is started once: a second notice from the same partner on the same
day, or an escalation id used before, is refused rather than confused with the first.
"""

from domain.aggregates.partnership.checks import require_effective, require_signatory
from domain.aggregates.partnership.commands import EndProcess, StartProcess
from domain.aggregates.partnership.state import PartnershipState
from domain.errors import DomainError
from domain.events import DomainEvent, ProcessEnded, ProcessKind, ProcessStarted


def unused_process_id(state: PartnershipState, stream_id: str) -> str:
    """`stream_id` if no process of the partnership has used it, else the same with the next
    free number: a partner that withdrew its notice may give another on the same day, and a
    formation that ended without its committee may be started again, each on a stream of its
    own."""
    used = {p.process_id for p in state.processes}
    if stream_id not in used:
        return stream_id
    return next(
        f"{stream_id}-{n}" for n in range(2, len(used) + 3) if f"{stream_id}-{n}" not in used
    )


def start_process(state: PartnershipState, command: StartProcess) -> list[DomainEvent]:
    """A process may start once the MoU is effective, once per id, and one at a time for the
    same review, leaving partner or committee."""
    kind, subject = command.process, command.subject
    require_effective(state, f"start a {kind.value}")
    match kind:
        case ProcessKind.REVIEW:
            if open_review := state.open_process(kind):
                raise DomainError(f"a review is already open ({open_review.process_id})")
        case ProcessKind.EXIT:
            require_signatory(state, subject)
            if open_exit := state.open_process(kind, subject):
                raise DomainError(
                    f"{subject} has already given notice (process {open_exit.process_id})"
                )
        case ProcessKind.COMMITTEE:
            state.config.committee_plan(subject)
            if any(b.slug == subject for b in state.bodies):
                raise DomainError(f"{state.slug} already has a body called {subject}")
            if state.open_process(kind, subject):
                raise DomainError(f"the formation of {subject} is already under way")
        case ProcessKind.ESCALATION:
            pass
        case _:
            raise DomainError(f"a {kind.value} is not started by the partnership")
    if previous := next((p for p in state.processes if p.process_id == command.process_id), None):
        raise DomainError(
            f"{command.process_id} was started on {previous.started_on.isoformat()}"
            + (f" and ended {previous.outcome}" if previous.outcome else " and is still open")
            + "; it cannot be started again"
        )
    return [
        ProcessStarted(
            partnership=state.slug,
            process=kind,
            process_id=command.process_id,
            subject=subject,
            started_on=command.started_on,
        )
    ]


def end_process(state: PartnershipState, command: EndProcess) -> list[DomainEvent]:
    """Records how an open process ended."""
    record = next((p for p in state.open_processes if p.process_id == command.process_id), None)
    if record is None:
        raise DomainError(f"{command.process_id} is not an open process of {state.slug}")
    return [
        ProcessEnded(
            partnership=state.slug,
            process=record.process,
            process_id=record.process_id,
            ended_on=command.ended_on,
            outcome=command.outcome,
            abandoned=command.abandoned,
        )
    ]

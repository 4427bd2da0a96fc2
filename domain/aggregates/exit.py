"""The partner exit aggregate: one stream per exit notice (PROCESSES.md P2).

`000_6f318076c05af665.txt` MoU §27 (and `001` MoU §23): "The relevant partner will notify the
other signatory organisations in writing"; the MoU is then amended and the review date revised,
which the partnership aggregate records when this process ends the membership. Policy: each
recipient acknowledges, with reminders; the notice may be withdrawn before the effective date.
"""

from collections.abc import Iterable
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.aggregates.folding import fold_with
from domain.errors import DomainError
from domain.events import (
    DomainEvent,
    ExitNotified,
    ExitWithdrawn,
    MembershipEnded,
    NoticeAcknowledged,
    NoticeDelivered,
    NoticeIssued,
    ProcessKind,
    ReminderSent,
)


class Notice(BaseModel):
    """The written notice to one other signatory, and what has happened to it."""

    model_config = ConfigDict(frozen=True)

    recipient: str
    notice_id: str
    issued_on: date
    acknowledge_by: date
    delivered_on: date | None = None
    acknowledged_on: date | None = None


class ExitState(BaseModel):
    """One exit process as its events make it."""

    model_config = ConfigDict(frozen=True)

    partnership: str
    signatories: tuple[str, ...]
    status: Literal["not_notified", "notified", "withdrawn", "ended"] = "not_notified"
    exit_id: str | None = None
    organisation: str | None = None
    notified_on: date | None = None
    effective_on: date | None = None
    recipients: tuple[str, ...] = ()
    notices: tuple[Notice, ...] = ()

    def notice(self, recipient: str) -> Notice | None:
        """The notice issued to `recipient`, if any."""
        return next((n for n in self.notices if n.recipient == recipient), None)

    @property
    def unacknowledged(self) -> tuple[str, ...]:
        """Recipients whose acknowledgement is still awaited."""
        return tuple(
            r for r in self.recipients if (n := self.notice(r)) is None or n.acknowledged_on is None
        )


def initial_state(partnership: str, signatories: Iterable[str]) -> ExitState:
    """No notice given yet; `signatories` are the partnership's current signatories."""
    return ExitState(partnership=partnership, signatories=tuple(signatories))


class NotifyExit(BaseModel):
    """A partner gives notice that it is leaving on `effective_on`."""

    model_config = ConfigDict(frozen=True)

    exit_id: str = Field(min_length=1)
    organisation: str
    notified_on: date
    effective_on: date
    signatory_name: str = Field(min_length=1)
    in_writing: bool = True


class IssueNotices(BaseModel):
    """Produce the written notice for every other signatory not yet sent one."""

    model_config = ConfigDict(frozen=True)

    issued_on: date
    acknowledge_by: date


class RecordDelivery(BaseModel):
    """A notice reached its recipient."""

    model_config = ConfigDict(frozen=True)

    recipient: str
    delivered_on: date
    channel: str = Field(min_length=1)


class AcknowledgeNotice(BaseModel):
    """A recipient acknowledged the notice."""

    model_config = ConfigDict(frozen=True)

    recipient: str
    acknowledged_on: date
    acknowledged_by: str = Field(min_length=1)


class SendExitReminder(BaseModel):
    """Remind a recipient that has not acknowledged (P2 policy: weekly)."""

    model_config = ConfigDict(frozen=True)

    recipient: str
    sent_on: date


class WithdrawExit(BaseModel):
    """The leaving partner withdraws its notice (only before the effective date)."""

    model_config = ConfigDict(frozen=True)

    withdrawn_on: date
    reason: str = ""


class CompleteExit(BaseModel):
    """On the effective date the membership ends."""

    model_config = ConfigDict(frozen=True)

    ended_on: date
    bodies_affected: tuple[str, ...] = ()


ExitCommand = (
    NotifyExit
    | IssueNotices
    | RecordDelivery
    | AcknowledgeNotice
    | SendExitReminder
    | WithdrawExit
    | CompleteExit
)


def decide(state: ExitState, command: ExitCommand) -> list[DomainEvent]:
    """The events `command` produces, or a `DomainError` saying why it is refused."""
    if isinstance(command, NotifyExit):
        return _notify(state, command)
    exit_id, organisation = _require_notified(state)
    match command:
        case IssueNotices():
            assert state.notified_on is not None
            if command.issued_on < state.notified_on:
                raise DomainError("notices cannot be issued before the exit was notified")
            if command.acknowledge_by < command.issued_on:
                raise DomainError("the acknowledgement deadline is before the notices are issued")
            pending = [r for r in state.recipients if state.notice(r) is None]
            if not pending:
                raise DomainError(f"every notice for exit {exit_id} has already been issued")
            return [
                NoticeIssued(
                    partnership=state.partnership,
                    exit_id=exit_id,
                    notice_id=f"{exit_id}/{recipient}",
                    recipient=recipient,
                    issued_on=command.issued_on,
                    acknowledge_by=command.acknowledge_by,
                )
                for recipient in pending
            ]
        case RecordDelivery():
            notice = _require_notice(state, command.recipient)
            if notice.delivered_on is not None:
                raise DomainError(
                    f"the notice to {command.recipient} was already delivered "
                    f"(on {notice.delivered_on.isoformat()})"
                )
            if command.delivered_on < notice.issued_on:
                raise DomainError("a notice cannot be delivered before it was issued")
            return [
                NoticeDelivered(
                    partnership=state.partnership,
                    exit_id=exit_id,
                    notice_id=notice.notice_id,
                    recipient=command.recipient,
                    delivered_on=command.delivered_on,
                    channel=command.channel,
                )
            ]
        case AcknowledgeNotice():
            notice = _require_notice(state, command.recipient)
            if notice.acknowledged_on is not None:
                raise DomainError(
                    f"{command.recipient} has already acknowledged the notice "
                    f"(on {notice.acknowledged_on.isoformat()})"
                )
            if command.acknowledged_on < notice.issued_on:
                raise DomainError("a notice cannot be acknowledged before it was issued")
            return [
                NoticeAcknowledged(
                    partnership=state.partnership,
                    exit_id=exit_id,
                    recipient=command.recipient,
                    acknowledged_on=command.acknowledged_on,
                    acknowledged_by=command.acknowledged_by,
                )
            ]
        case SendExitReminder():
            notice = _require_notice(state, command.recipient)
            if notice.acknowledged_on is not None:
                raise DomainError(f"{command.recipient} has already acknowledged; no reminder")
            return [
                ReminderSent(
                    partnership=state.partnership,
                    process=ProcessKind.EXIT,
                    process_id=exit_id,
                    organisation=command.recipient,
                    sent_on=command.sent_on,
                    deadline=notice.acknowledge_by,
                )
            ]
        case WithdrawExit():
            assert state.effective_on is not None
            if command.withdrawn_on >= state.effective_on:
                raise DomainError(
                    f"the exit of {organisation} took effect on "
                    f"{state.effective_on.isoformat()}; it can no longer be withdrawn"
                )
            return [
                ExitWithdrawn(
                    partnership=state.partnership,
                    exit_id=exit_id,
                    organisation=organisation,
                    withdrawn_on=command.withdrawn_on,
                    reason=command.reason,
                )
            ]
        case CompleteExit():
            assert state.effective_on is not None
            if command.ended_on < state.effective_on:
                raise DomainError(
                    f"the exit of {organisation} takes effect on "
                    f"{state.effective_on.isoformat()}, not {command.ended_on.isoformat()}"
                )
            return [
                MembershipEnded(
                    partnership=state.partnership,
                    exit_id=exit_id,
                    organisation=organisation,
                    ended_on=command.ended_on,
                    bodies_affected=command.bodies_affected,
                )
            ]


def _notify(state: ExitState, command: NotifyExit) -> list[DomainEvent]:
    if state.status != "not_notified":
        raise DomainError(f"exit {state.exit_id} of {state.organisation} is already {state.status}")
    if not command.in_writing:
        raise DomainError("notice of leaving must be given in writing (000 MoU §27)")
    if command.organisation not in state.signatories:
        raise DomainError(
            f"{command.organisation} is not a signatory of {state.partnership}; "
            f"the signatories are: {', '.join(state.signatories)}"
        )
    if command.effective_on < command.notified_on:
        raise DomainError(
            f"the exit cannot take effect on {command.effective_on.isoformat()}, before the "
            f"notice was given on {command.notified_on.isoformat()}"
        )
    recipients = tuple(s for s in state.signatories if s != command.organisation)
    if not recipients:
        raise DomainError(
            f"{command.organisation} is the only signatory; there is no one to notify"
        )
    return [
        ExitNotified(
            partnership=state.partnership,
            exit_id=command.exit_id,
            organisation=command.organisation,
            notified_on=command.notified_on,
            effective_on=command.effective_on,
            signatory_name=command.signatory_name,
            recipients=recipients,
        )
    ]


def _require_notified(state: ExitState) -> tuple[str, str]:
    if state.status == "not_notified" or state.exit_id is None or state.organisation is None:
        raise DomainError("no exit notice has been given")
    if state.status != "notified":
        raise DomainError(f"exit {state.exit_id} of {state.organisation} is already {state.status}")
    return state.exit_id, state.organisation


def _require_notice(state: ExitState, recipient: str) -> Notice:
    if recipient not in state.recipients:
        raise DomainError(
            f"{recipient} is not a recipient of the exit notice; "
            f"the recipients are: {', '.join(state.recipients)}"
        )
    notice = state.notice(recipient)
    if notice is None:
        raise DomainError(f"no notice has been issued to {recipient} yet")
    return notice


def _update_notice(state: ExitState, recipient: str, **changes: date) -> ExitState:
    notices = tuple(
        n.model_copy(update=changes) if n.recipient == recipient else n for n in state.notices
    )
    return state.model_copy(update={"notices": notices})


def evolve(state: ExitState, event: DomainEvent) -> ExitState:
    """`state` after `event`; events of other streams leave it unchanged."""
    match event:
        case ExitNotified():
            return state.model_copy(
                update={
                    "status": "notified",
                    "exit_id": event.exit_id,
                    "organisation": event.organisation,
                    "notified_on": event.notified_on,
                    "effective_on": event.effective_on,
                    "recipients": event.recipients,
                }
            )
        case NoticeIssued():
            notice = Notice(
                recipient=event.recipient,
                notice_id=event.notice_id,
                issued_on=event.issued_on,
                acknowledge_by=event.acknowledge_by,
            )
            return state.model_copy(update={"notices": (*state.notices, notice)})
        case NoticeDelivered():
            return _update_notice(state, event.recipient, delivered_on=event.delivered_on)
        case NoticeAcknowledged():
            return _update_notice(state, event.recipient, acknowledged_on=event.acknowledged_on)
        case ExitWithdrawn():
            return state.model_copy(update={"status": "withdrawn"})
        case MembershipEnded():
            return state.model_copy(update={"status": "ended"})
        case _:
            return state


def fold(state: ExitState, events: Iterable[DomainEvent]) -> ExitState:
    """`state` after every one of `events`, in order."""
    return fold_with(evolve, state, events)

"""The partner exit aggregate: one stream per exit notice (docs/rules.md P2).

CDCP MoU §27 (and DCC Cabinet 2019 MoU §23): "The relevant partner will notify the
other signatory organisations in writing"; the MoU is then amended and the review date revised,
which the partnership aggregate records when this process ends the membership. Policy: each
recipient acknowledges, with reminders until a deadline; the notice may be withdrawn before the
effective date.
"""

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict

from domain.aggregates.exit_commands import (
    AcknowledgeNotice as AcknowledgeNotice,
    CompleteExit as CompleteExit,
    ExitCommand as ExitCommand,
    IssueNotices as IssueNotices,
    NotifyExit as NotifyExit,
    SendExitReminder as SendExitReminder,
    WithdrawExit as WithdrawExit,
)
from domain.aggregates.folding import fold_with
from domain.bodies import Body
from domain.errors import DomainError
from domain.events import (
    DomainEvent,
    ExitNotified,
    ExitWithdrawn,
    MembershipEnded,
    NoticeAcknowledged,
    NoticeDelivered,
    NoticeIssued,
    NoticeKind,
    ProcessKind,
    ReminderSent,
)
from domain.letters.exit import ExitParticulars, exit_notice, exit_reminder
from domain.notices import issue
from domain.partnership import Partnership
from domain.rules.date_policy import not_after_today, not_before_the_record, within
from domain.rules.exits import ExitEffect, exit_effect, without_organisations


class Notice(BaseModel):
    """The written notice to one other signatory, and what has happened to it."""

    model_config = ConfigDict(frozen=True)

    recipient: str
    notice_id: str
    issued_on: date
    acknowledge_by: date | None
    delivered_on: date | None = None
    acknowledged_on: date | None = None
    reminded_on: date | None = None


class ExitState(BaseModel):
    """One exit process as its events make it.

    `config` and `signatories` are the partnership as it stood when the notice was given: the
    signatories decide who must be notified, the configuration gives organisations' names for the
    written notice and the bodies whose quorum the exit changes.
    """

    model_config = ConfigDict(frozen=True)

    config: Partnership
    signatories: tuple[str, ...]
    status: Literal["not_notified", "notified", "withdrawn", "ended"] = "not_notified"
    exit_id: str | None = None
    organisation: str | None = None
    signatory_name: str | None = None
    notified_on: date | None = None
    effective_on: date | None = None
    recipients: tuple[str, ...] = ()
    notices: tuple[Notice, ...] = ()
    withdrawn_on: date | None = None
    ended_on: date | None = None
    bodies_affected: tuple[str, ...] = ()

    @property
    def partnership(self) -> str:
        """The partnership's slug."""
        return self.config.slug

    def notice(self, recipient: str) -> Notice | None:
        """The notice issued to `recipient`, if any."""
        return next((n for n in self.notices if n.recipient == recipient), None)

    @property
    def unacknowledged(self) -> tuple[str, ...]:
        """Recipients whose acknowledgement is still awaited."""
        return tuple(
            r for r in self.recipients if (n := self.notice(r)) is None or n.acknowledged_on is None
        )

    @property
    def bodies(self) -> tuple[Body, ...]:
        """The bodies as they stand: seats of partners that already left are removed.

        A configured signatory missing from `signatories` has left (CDCP MoU §27), exactly as
        the partnership aggregate's departures record.
        """
        gone = [s for s in self.config.signatories if s not in self.signatories]
        return tuple(without_organisations(body, gone) for body in self.config.bodies)

    def effect(self) -> ExitEffect:
        """What this exit does to every body: seats lost, and bodies no longer quorate (P2)."""
        return exit_effect(self.bodies, [self.organisation] if self.organisation else [])

    def name(self, organisation: str) -> str:
        """An organisation's name for a written notice; its slug if it is not configured."""
        return next(
            (o.name for o in self.config.organisations if o.slug == organisation), organisation
        )


def initial_state(config: Partnership, signatories: Iterable[str]) -> ExitState:
    """No notice given yet; `signatories` are the partnership's current signatories."""
    return ExitState(config=config, signatories=tuple(signatories))


# ------------------------------------------------------------------------------ reminders


def next_reminder_on(notice: Notice, interval_days: int) -> date | None:
    """When `notice` is next due a reminder, if ever: policy, every `interval_days` after it was
    issued or last reminded, while unacknowledged, and never after its acknowledgement deadline."""
    if notice.acknowledged_on is not None or notice.acknowledge_by is None:
        return None
    due = (notice.reminded_on or notice.issued_on) + timedelta(days=interval_days)
    return due if due <= notice.acknowledge_by else None


def next_reminder(state: ExitState, interval_days: int) -> date | None:
    """The earliest reminder due to any recipient, while the exit is still pending."""
    if state.status != "notified":
        return None
    dates = [d for n in state.notices if (d := next_reminder_on(n, interval_days)) is not None]
    return min(dates, default=None)


def reminders_due(state: ExitState, on: date, interval_days: int) -> tuple[str, ...]:
    """Recipients due a reminder on `on`."""
    if state.status != "notified":
        return ()
    return tuple(
        n.recipient
        for n in state.notices
        if (d := next_reminder_on(n, interval_days)) is not None and d <= on
    )


def decide(state: ExitState, command: ExitCommand) -> list[DomainEvent]:
    """The events `command` produces, or a `DomainError` saying why it is refused."""
    if isinstance(command, NotifyExit):
        return _notify(state, command)
    exit_id, organisation = _require_notified(state)
    match command:
        case IssueNotices():
            return _issue(state, command, exit_id)
        case AcknowledgeNotice():
            notice = _require_notice(state, command.recipient)
            if notice.acknowledged_on is not None:
                raise DomainError(
                    f"{command.recipient} has already acknowledged the notice "
                    f"(on {notice.acknowledged_on.isoformat()})"
                )
            if command.acknowledged_on < notice.issued_on:
                raise DomainError("a notice cannot be acknowledged before it was issued")
            not_after_today("an acknowledgement", command.acknowledged_on, command.today)
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
            return _remind(state, command, exit_id)
        case WithdrawExit():
            assert state.effective_on is not None
            if command.withdrawn_on == state.effective_on:
                raise DomainError(
                    f"the exit of {organisation} takes effect on "
                    f"{state.effective_on.isoformat()}, on or before the withdrawal date; "
                    "it can be withdrawn only before the day it takes effect"
                )
            if command.withdrawn_on > state.effective_on:
                raise DomainError(
                    f"the exit of {organisation} took effect on "
                    f"{state.effective_on.isoformat()}, before the withdrawal date "
                    f"{command.withdrawn_on.isoformat()}; it can no longer be withdrawn"
                )
            within(
                "a withdrawal",
                command.withdrawn_on,
                command.today,
                state.notified_on,
                "the notice was given",
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
                    bodies_affected=tuple(b.body for b in state.effect().bodies),
                )
            ]


def give_notice(
    state: ExitState, notice: NotifyExit, issued_on: date, acknowledgement_days: int
) -> list[DomainEvent]:
    """CDCP MoU §27: the notice, and the written notice to each other signatory issued on
    `issued_on`, decided together so that a notice refused by either writes nothing."""
    notified = decide(state, notice)
    issue_notices = IssueNotices(
        issued_on=issued_on,
        acknowledge_by=issued_on + timedelta(days=acknowledgement_days),
        reason=notice.reason,
    )
    return [*notified, *decide(fold(state, notified), issue_notices)]


def _notify(state: ExitState, command: NotifyExit) -> list[DomainEvent]:
    if command.exit_id is None:
        raise ValueError("a notice is given an exit id by the partnership before it is decided")
    if state.status != "not_notified":
        raise DomainError(f"exit {state.exit_id} of {state.organisation} is already {state.status}")
    if not command.in_writing:
        raise DomainError("notice of leaving must be given in writing (CDCP MoU §27)")
    if command.organisation not in state.signatories:
        raise DomainError(
            f"{command.organisation} is not a signatory of {state.partnership}; "
            f"the signatories are: {', '.join(state.signatories)}"
        )
    not_before_the_record("a notice of leaving", command.notified_on)
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


def _particulars(state: ExitState, exit_id: str, organisation: str) -> ExitParticulars:
    assert state.notified_on is not None and state.effective_on is not None
    return ExitParticulars(
        exit_id=exit_id,
        partnership_name=state.config.name,
        mou_title=state.config.mou.title,
        organisation_name=state.name(organisation),
        signatory_name=state.signatory_name or state.name(organisation),
        notified_on=state.notified_on,
        effective_on=state.effective_on,
    )


def _issue(state: ExitState, command: IssueNotices, exit_id: str) -> list[DomainEvent]:
    """CDCP MoU §27: a written notice to each of the other signatory organisations."""
    assert state.notified_on is not None and state.organisation is not None
    if command.issued_on < state.notified_on:
        raise DomainError(
            f"notice cannot be recorded as given on {state.notified_on.isoformat()}, a date "
            f"still to come: the written notices go out on {command.issued_on.isoformat()}"
        )
    if command.acknowledge_by < command.issued_on:
        raise DomainError("the acknowledgement deadline is before the notices are issued")
    pending = [r for r in state.recipients if state.notice(r) is None]
    if not pending:
        raise DomainError(f"every notice for exit {exit_id} has already been issued")
    particulars = _particulars(state, exit_id, state.organisation)
    return [
        issue(
            exit_notice(
                particulars,
                config=state.config,
                recipient=recipient,
                recipient_name=state.name(recipient),
                issued_on=command.issued_on,
                acknowledge_by=command.acknowledge_by,
                reason=command.reason,
            ),
            partnership=state.partnership,
            process=ProcessKind.EXIT,
            process_id=exit_id,
            issued_on=command.issued_on,
            respond_by=command.acknowledge_by,
        )
        for recipient in pending
    ]


def _remind(state: ExitState, command: SendExitReminder, exit_id: str) -> list[DomainEvent]:
    assert state.organisation is not None
    notice = _require_notice(state, command.recipient)
    if notice.acknowledged_on is not None:
        raise DomainError(f"{command.recipient} has already acknowledged; no reminder")
    if notice.acknowledge_by is None or command.sent_on > notice.acknowledge_by:
        raise DomainError(
            f"the acknowledgement deadline for {command.recipient} has passed; "
            f"reminders are sent only until it"
        )
    if command.sent_on < notice.issued_on or command.sent_on == notice.reminded_on:
        raise DomainError(
            f"{command.recipient} cannot be reminded on {command.sent_on.isoformat()}"
        )
    reminder = exit_reminder(
        _particulars(state, exit_id, state.organisation),
        config=state.config,
        recipient=command.recipient,
        recipient_name=state.name(command.recipient),
        sent_on=command.sent_on,
        issued_on=notice.issued_on,
        acknowledge_by=notice.acknowledge_by,
    )
    return [
        ReminderSent(
            partnership=state.partnership,
            process=ProcessKind.EXIT,
            process_id=exit_id,
            organisation=command.recipient,
            sent_on=command.sent_on,
            deadline=notice.acknowledge_by,
        ),
        issue(
            reminder,
            partnership=state.partnership,
            process=ProcessKind.EXIT,
            process_id=exit_id,
            issued_on=command.sent_on,
            respond_by=notice.acknowledge_by,
        ),
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
            f"the recipients are the other signatories: {', '.join(state.recipients)}"
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


def _ours(state: ExitState, process: ProcessKind, process_id: str) -> bool:
    return process is ProcessKind.EXIT and process_id == state.exit_id


def evolve(state: ExitState, event: DomainEvent) -> ExitState:
    """`state` after `event`; events of other streams, and reminder notices, leave it unchanged."""
    match event:
        case ExitNotified():
            return state.model_copy(
                update={
                    "status": "notified",
                    "exit_id": event.exit_id,
                    "organisation": event.organisation,
                    "signatory_name": event.signatory_name,
                    "notified_on": event.notified_on,
                    "effective_on": event.effective_on,
                    "recipients": event.recipients,
                }
            )
        case NoticeIssued() if event.kind is NoticeKind.EXIT_NOTICE and _ours(
            state, event.process, event.process_id
        ):
            notice = Notice(
                recipient=event.recipient,
                notice_id=event.notice_id,
                issued_on=event.issued_on,
                acknowledge_by=event.respond_by,
            )
            return state.model_copy(update={"notices": (*state.notices, notice)})
        case NoticeDelivered() if any(n.notice_id == event.notice_id for n in state.notices):
            return _update_notice(state, event.recipient, delivered_on=event.delivered_on)
        case ReminderSent() if _ours(state, event.process, event.process_id):
            return _update_notice(state, event.organisation, reminded_on=event.sent_on)
        case NoticeAcknowledged() if event.exit_id == state.exit_id:
            return _update_notice(state, event.recipient, acknowledged_on=event.acknowledged_on)
        case ExitWithdrawn() if event.exit_id == state.exit_id:
            return state.model_copy(
                update={"status": "withdrawn", "withdrawn_on": event.withdrawn_on}
            )
        case MembershipEnded() if event.exit_id == state.exit_id:
            return state.model_copy(
                update={
                    "status": "ended",
                    "ended_on": event.ended_on,
                    "bodies_affected": event.bodies_affected,
                }
            )
        case _:
            return state


def fold(state: ExitState, events: Iterable[DomainEvent]) -> ExitState:
    """`state` after every one of `events`, in order."""
    return fold_with(evolve, state, events)

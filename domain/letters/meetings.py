"""The written notices of a body's meeting cycle and of declarations of interest (P5, P6).

CDCPE ToR §5: agenda requests to the committee administrator at least 10 days
before the meeting, the agenda issued at least 3 days before, minutes submitted to the next meeting
for approval and confirmed minutes provided to each organisation of the partnership. ToR §6 (and
MoU §23): declarations of interest completed annually, reviewed six-monthly, confirmed at the start
of each meeting. Rendering is pure, so the hash recorded in `NoticeIssued` can be recomputed.
"""

from datetime import date

from pydantic import BaseModel, ConfigDict

from domain.events import NoticeKind
from domain.letters.render import page, render
from domain.notices import Document, long_date
from domain.partnership import Partnership


class MeetingParticulars(BaseModel):
    """What every notice of one meeting says."""

    model_config = ConfigDict(frozen=True)

    meeting_id: str
    partnership_name: str
    body_name: str
    meeting_on: date


def _letter(
    p: MeetingParticulars,
    config: Partnership,
    template: str,
    *,
    recipient: str,
    recipient_name: str,
    on: date,
    **context: object,
) -> str:
    return render(
        config,
        template,
        recipient=recipient,
        recipient_name=recipient_name,
        on=on,
        reference=p.meeting_id,
        body=p.body_name,
        meeting_on=long_date(p.meeting_on),
        page=page(config, f"/partnerships/{config.slug}/meetings"),
        **context,
    )


def call_for_items(
    p: MeetingParticulars,
    config: Partnership,
    *,
    recipient: str,
    recipient_name: str,
    sent_on: date,
    requests_due_on: date,
) -> Document:
    """The call for agenda items to a member organisation (CDCPE ToR §5: requests at least 10
    days before the meeting, later ones only as any other business)."""
    return Document(
        notice_id=f"{p.meeting_id}/call-for-items/{recipient}",
        kind=NoticeKind.AGENDA_REQUEST,
        recipient=recipient,
        subject=f"{p.body_name}: call for agenda items, meeting of {long_date(p.meeting_on)}",
        body=_letter(
            p,
            config,
            "meeting-call-for-items",
            recipient=recipient,
            recipient_name=recipient_name,
            on=sent_on,
            requests_due_on=long_date(requests_due_on),
        ),
    )


def meeting_notice(
    p: MeetingParticulars,
    config: Partnership,
    *,
    recipient: str,
    recipient_name: str,
    sent_on: date,
    change: str,
    sequence: int,
    when_and_where: str | None,
    reason: str | None,
    agenda_issue_by: date | None,
) -> Document:
    """Tells a member organisation the meeting is set, moved or cancelled (`change`), with the
    date, time and place, the reason, and when the agenda will be issued; `sequence` tells apart
    the notices of a meeting moved more than once."""
    return Document(
        notice_id=f"{p.meeting_id}/{change}-{sequence}/{recipient}",
        kind=NoticeKind.MEETING_NOTICE,
        recipient=recipient,
        subject=f"{p.body_name}: meeting {change}",
        body=_letter(
            p,
            config,
            "meeting-notice",
            recipient=recipient,
            recipient_name=recipient_name,
            on=sent_on,
            cancelled=when_and_where is None,
            change=change,
            when_and_where=when_and_where,
            reason=None if reason is None else reason.rstrip("."),
            agenda_issue_by=None if agenda_issue_by is None else long_date(agenda_issue_by),
        ),
    )


def agenda_lines(
    items: tuple[str, ...], any_other_business: tuple[str, ...], minutes_of: date | None
) -> list[str]:
    """The agenda: standing items first (ToR §6 declarations, ToR §5 minutes), then the requested
    items, then any other business."""
    lines = ["Welcome and apologies", "Declarations of interest: members confirm the register"]
    if minutes_of is not None:
        lines.append(f"Minutes of the meeting of {long_date(minutes_of)}, for approval")
    lines += list(items)
    aob = ", ".join(any_other_business) if any_other_business else "none notified"
    lines.append(f"Any other business ({aob}; to be declared at the start and agreed)")
    return [f"{n}. {line}" for n, line in enumerate(lines, start=1)]


def agenda(
    p: MeetingParticulars,
    config: Partnership,
    *,
    recipient: str,
    recipient_name: str,
    issued_on: date,
    items: tuple[str, ...],
    any_other_business: tuple[str, ...],
    minutes_of: date | None,
) -> Document:
    """The agenda, issued at least 3 days before the meeting (CDCPE ToR §5, §6)."""
    return Document(
        notice_id=f"{p.meeting_id}/agenda/{recipient}",
        kind=NoticeKind.AGENDA,
        recipient=recipient,
        subject=f"{p.body_name}: agenda, meeting of {long_date(p.meeting_on)}",
        body=_letter(
            p,
            config,
            "meeting-agenda",
            recipient=recipient,
            recipient_name=recipient_name,
            on=issued_on,
            agenda="\n".join(agenda_lines(items, any_other_business, minutes_of)),
        ),
    )


def confirmed_minutes(
    p: MeetingParticulars,
    config: Partnership,
    *,
    recipient: str,
    recipient_name: str,
    sent_on: date,
    minutes_of: date,
    reference: str,
) -> Document:
    """Confirmed minutes to an organisation of the partnership (CDCPE ToR §5)."""
    return Document(
        notice_id=f"{p.meeting_id}/minutes/{recipient}",
        kind=NoticeKind.MINUTES,
        recipient=recipient,
        subject=f"{p.body_name}: confirmed minutes of {long_date(minutes_of)}",
        body=_letter(
            p,
            config,
            "meeting-minutes",
            recipient=recipient,
            recipient_name=recipient_name,
            on=sent_on,
            minutes_of=long_date(minutes_of),
            minutes_reference=reference,
        ),
    )


def declaration_request(
    config: Partnership,
    *,
    round_id: str,
    kind: str,
    body: str,
    recipient: str,
    recipient_name: str,
    seats: tuple[str, ...],
    sent_on: date,
    return_by: date,
) -> Document:
    """Asks a member organisation's members for their declarations (CDCPE ToR §6, CDCP MoU §23:
    completed annually, reviewed six-monthly); `seats` are named by their roles."""
    body_name = config.body(body).name
    return Document(
        notice_id=f"{round_id}/request/{recipient}",
        kind=NoticeKind.DECLARATION_REQUEST,
        recipient=recipient,
        subject=f"{body_name}: declarations of interest ({kind}), return by {long_date(return_by)}",
        body=render(
            config,
            "declaration-request",
            recipient=recipient,
            recipient_name=recipient_name,
            on=sent_on,
            reference=round_id,
            annual=kind == "annual",
            body=body_name,
            seats=seats,
            return_by=long_date(return_by),
            page=page(config, f"/partnerships/{config.slug}/registers/{body}"),
        ),
    )

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
from domain.notices import Document, letter, long_date

AGENDA_CLAUSE = "CDCPE ToR §5"
DECLARATIONS_CLAUSE = "CDCPE ToR §6, CDCP MoU §23"


class MeetingParticulars(BaseModel):
    """What every notice of one meeting says."""

    model_config = ConfigDict(frozen=True)

    meeting_id: str
    partnership_name: str
    body_name: str
    meeting_on: date


def call_for_items(
    p: MeetingParticulars,
    *,
    recipient: str,
    recipient_name: str,
    sent_on: date,
    requests_due_on: date,
) -> Document:
    """The call for agenda items to a member organisation (CDCPE ToR §5)."""
    paragraphs = [
        f"The {p.body_name} meets on {long_date(p.meeting_on)}.",
        f"Requests for items to be included on the agenda should reach the committee "
        f"administrator by {long_date(requests_due_on)}, at least 10 days before the meeting. "
        f"An item raised later can only be taken as any other business, declared at the start "
        f"of the meeting and its inclusion agreed by the group ({AGENDA_CLAUSE}).",
        f"Please quote reference {p.meeting_id}.",
    ]
    return Document(
        notice_id=f"{p.meeting_id}/call-for-items/{recipient}",
        kind=NoticeKind.AGENDA_REQUEST,
        recipient=recipient,
        subject=f"{p.body_name}: call for agenda items, meeting of {long_date(p.meeting_on)}",
        body=letter(recipient_name, paragraphs, f"Committee administrator, {p.body_name}", sent_on),
    )


def meeting_notice(
    p: MeetingParticulars,
    *,
    recipient: str,
    recipient_name: str,
    sent_on: date,
    change: str,
    sequence: int,
    when_and_where: str | None,
    reason: str | None,
    agenda_issue_by: str | None,
) -> Document:
    """Tells a member organisation the meeting is set, moved or cancelled (`change`), with the
    date, time and place, the reason, and when the agenda will be issued, citing its rule;
    `sequence` tells apart the notices of a meeting moved more than once."""
    if when_and_where is None:
        paragraphs = [f"The {p.body_name} meeting of {long_date(p.meeting_on)} is cancelled."]
    else:
        paragraphs = [f"The {p.body_name} meeting is {change}: {when_and_where}."]
    if reason is not None:
        paragraphs.append(f"Reason: {reason}.")
    if agenda_issue_by is not None:
        paragraphs.append(f"The agenda will be issued by {agenda_issue_by}.")
    paragraphs.append(f"Please quote reference {p.meeting_id}.")
    return Document(
        notice_id=f"{p.meeting_id}/{change}-{sequence}/{recipient}",
        kind=NoticeKind.MEETING_NOTICE,
        recipient=recipient,
        subject=f"{p.body_name}: meeting {change}",
        body=letter(recipient_name, paragraphs, f"Committee administrator, {p.body_name}", sent_on),
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
    *,
    recipient: str,
    recipient_name: str,
    issued_on: date,
    items: tuple[str, ...],
    any_other_business: tuple[str, ...],
    minutes_of: date | None,
) -> Document:
    """The agenda, issued at least 3 days before the meeting (CDCPE ToR §5, §6)."""
    paragraphs = [
        f"Please find below the agenda of the {p.body_name} meeting on {long_date(p.meeting_on)}, "
        f"issued at least three days before the meeting ({AGENDA_CLAUSE}).",
        "\n".join(agenda_lines(items, any_other_business, minutes_of)),
        "At the start of the meeting members will be asked to confirm the accuracy of the "
        "declarations of interest noted on the agenda (CDCPE ToR §6).",
    ]
    return Document(
        notice_id=f"{p.meeting_id}/agenda/{recipient}",
        kind=NoticeKind.AGENDA,
        recipient=recipient,
        subject=f"{p.body_name}: agenda, meeting of {long_date(p.meeting_on)}",
        body=letter(
            recipient_name, paragraphs, f"Committee administrator, {p.body_name}", issued_on
        ),
    )


def confirmed_minutes(
    p: MeetingParticulars,
    *,
    recipient: str,
    recipient_name: str,
    sent_on: date,
    minutes_of: date,
    reference: str,
) -> Document:
    """Confirmed minutes to an organisation of the partnership (CDCPE ToR §5)."""
    paragraphs = [
        f"The minutes of the {p.body_name} meeting of {long_date(minutes_of)} were approved at its "
        f"meeting of {long_date(p.meeting_on)}.",
        f"The confirmed minutes (reference {reference}) are provided to each organisation of "
        f"the {p.partnership_name} ({AGENDA_CLAUSE}).",
    ]
    return Document(
        notice_id=f"{p.meeting_id}/minutes/{recipient}",
        kind=NoticeKind.MINUTES,
        recipient=recipient,
        subject=f"{p.body_name}: confirmed minutes of {long_date(minutes_of)}",
        body=letter(recipient_name, paragraphs, f"Committee administrator, {p.body_name}", sent_on),
    )


def declaration_request(
    *,
    round_id: str,
    kind: str,
    partnership_name: str,
    body_name: str,
    recipient: str,
    recipient_name: str,
    seats: tuple[str, ...],
    sent_on: date,
    return_by: date,
) -> Document:
    """Asks a member organisation's members for their declarations (CDCPE ToR §6, CDCP MoU §23)."""
    if kind == "annual":
        ask = (
            "complete the annual declaration of interest form, as the ICB and Durham County "
            "Council Standards of Business Conduct and Declarations of Interest Policy requires"
        )
    else:
        ask = (
            "confirm or update their entries in the register of interests before its six-monthly "
            "formal review"
        )
    paragraphs = [
        f"Members of the {body_name} holding these seats for your organisation are asked to "
        f"{ask} ({DECLARATIONS_CLAUSE}): {', '.join(seats)}.",
        f"Please return them by {long_date(return_by)}, quoting reference {round_id}. "
        f"A declaration can be updated at any time.",
    ]
    return Document(
        notice_id=f"{round_id}/request/{recipient}",
        kind=NoticeKind.DECLARATION_REQUEST,
        recipient=recipient,
        subject=f"{body_name}: declarations of interest ({kind}), return by {long_date(return_by)}",
        body=letter(recipient_name, paragraphs, f"The {partnership_name}", sent_on),
    )

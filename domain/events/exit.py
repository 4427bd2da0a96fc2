"""P2 exit: a partner's notice of leaving, through to the end of its membership."""

from datetime import date
from typing import Literal

from domain.events.base import Event


class ExitNotified(Event):
    """A partner gave written notice that it is leaving (CDCP MoU §27, DCC Cabinet 2019 MoU §23)."""

    type: Literal["ExitNotified"] = "ExitNotified"
    dated_by = "notified_on"
    exit_id: str
    organisation: str
    notified_on: date
    effective_on: date
    signatory_name: str
    recipients: tuple[str, ...]


class NoticeAcknowledged(Event):
    """The recipient acknowledged the exit notice."""

    type: Literal["NoticeAcknowledged"] = "NoticeAcknowledged"
    dated_by = "acknowledged_on"
    exit_id: str
    recipient: str
    acknowledged_on: date
    acknowledged_by: str


class ExitWithdrawn(Event):
    """The leaving partner withdrew its notice before the effective date."""

    type: Literal["ExitWithdrawn"] = "ExitWithdrawn"
    dated_by = "withdrawn_on"
    exit_id: str
    organisation: str
    withdrawn_on: date
    reason: str = ""


class MembershipEnded(Event):
    """The partner left: removed from the signatories and every body (CDCP MoU §27).

    Recorded in the exit stream, closing the process, and in the partnership stream, where it is
    followed by the `MouAmended` and `ReviewDateRevised` it causes.
    """

    type: Literal["MembershipEnded"] = "MembershipEnded"
    dated_by = "ended_on"
    exit_id: str
    organisation: str
    ended_on: date
    bodies_affected: tuple[str, ...] = ()

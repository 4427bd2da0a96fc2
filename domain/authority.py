"""Whether a person may issue a command: the one place that decides it (docs/rules.md A1-A11).

The edge (the CLI, the web service) calls `provenance_for` to fill in the role a verified person
acts in; every workflow's update validator calls `check` on the signed provenance again, so a
command that reaches Temporal some other way is judged by the same rules.
"""

from collections.abc import Iterable
from typing import Any

from domain.access import Access
from domain.errors import DomainError
from domain.provenance import SYSTEM_CHANNELS, SYSTEM_ISSUER, Channel, Person, Provenance, Role

FOR_ORGANISATION: dict[str, str] = {
    "SignMou": "organisation",
    "NotifyExit": "organisation",
    "RecordResponse": "organisation",
    "ProposeVariation": "proposed_by",
    "AgreeVariation": "organisation",
    "RefuseVariation": "organisation",
    "RequestItem": "requested_by",
    "ProposeAdmission": "proposed_by",
    "AgreeAdmission": "organisation",
    "SignCounterpart": "organisation",
}
"""Commands an organisation issues, by the field naming it: its representative issues them, or
the secretariat on its behalf with a reason (A2, A4)."""

FOR_SEAT: dict[str, str] = {
    "ReturnDeclaration": "seat",
    "UpdateDeclaration": "seat",
    "UpdateInterests": "seat",
}
"""Commands a seat's holder issues, by the field naming the seat: the member, a named deputy,
or the secretariat on their behalf with a reason (A3, A4)."""

OWN_VOTE: dict[str, str] = {"CastVote": "seat"}
"""Commands only a seat's holder or its named deputy issues, by the field naming the seat of the
command's `body`: a vote is the member's own, never recorded on their behalf (A11)."""

SECRETARIAT: frozenset[str] = frozenset(
    {
        "RequestReview",
        "StartCommittee",
        "RaiseEscalation",
        "AcknowledgeNotice",
        "WithdrawExit",
        "MeetMilestone",
        "RecordMilestoneAgreement",
        "PublishGuidance",
        "ReplanMilestone",
        "ConfirmMembership",
        "ReferUp",
        "DecideEscalation",
        "DecisionNotAccepted",
        "AgreeAction",
        "CompleteAction",
        "ResolveEscalation",
        "CloseEscalation",
        "ApproveMinutes",
        "RecordReview",
        "SetMeeting",
        "MoveMeeting",
        "CancelMeeting",
        "RecordAttendance",
        "OpenMeeting",
        "RecordDecision",
    }
)
"""Commands that start a process or record what a meeting or a letter established: the
secretariat's business (A1)."""


class NotAuthorisedError(DomainError):
    """The person may not issue this command; nothing was recorded."""


def command_type(command: Any) -> str:
    return str(getattr(command, "type", type(command).__name__))


def party_of(command: Any) -> str | None:
    """The organisation or seat `command` is issued for; None for the secretariat's own."""
    kind = command_type(command)
    field = FOR_ORGANISATION.get(kind) or FOR_SEAT.get(kind) or OWN_VOTE.get(kind)
    return None if field is None else str(getattr(command, field))


def provenance_for(
    access: Access,
    person: Person,
    command: Any,
    channel: Channel,
    *,
    on_behalf_of: str | None = None,
    reason: str | None = None,
) -> Provenance:
    """The provenance of `person` issuing `command`: the role the access data gives them for
    it, or `NotAuthorisedError` naming who, what and the rule."""
    who = f"{person.name} ({person.issuer}:{person.subject})"
    kind = command_type(command)
    if person.issuer == SYSTEM_ISSUER or channel in SYSTEM_CHANNELS:
        raise NotAuthorisedError(
            f"{who} may not {kind} as a system actor: timers and schedules act only from "
            "inside the service (rule A6)"
        )
    base = Provenance(
        person=person, channel=channel, on_behalf_of=on_behalf_of, reason=reason or None
    )
    if on_behalf_of is not None and not (reason and reason.strip()):
        raise NotAuthorisedError(
            f"{who} may not {kind} on behalf of {on_behalf_of} without a stated reason (rule A4)"
        )
    if kind in SECRETARIAT:
        if on_behalf_of is not None:
            raise NotAuthorisedError(
                f"{who} may not {kind} on behalf of {on_behalf_of}: it is the secretariat's own "
                "business, recorded for no one (rule A1)"
            )
        if access.is_secretariat(person):
            return base.model_copy(update={"role": Role.SECRETARIAT})
        raise NotAuthorisedError(
            f"{who} may not {kind}: only the partnership's secretariat starts processes and "
            "records what meetings and letters established (rule A1)"
        )
    if kind in FOR_ORGANISATION:
        organisation = str(getattr(command, FOR_ORGANISATION[kind]))
        if on_behalf_of is None and organisation in access.organisations_of(person):
            return base.model_copy(
                update={"role": Role.REPRESENTATIVE, "organisation": organisation}
            )
        return _for_someone(access, person, who, kind, organisation, base, "A2")
    if kind in FOR_SEAT:
        seat = str(getattr(command, FOR_SEAT[kind]))
        if on_behalf_of is None:
            for deputy, role in ((False, Role.MEMBER), (True, Role.DEPUTY)):
                if any(s.seat == seat for s in access.seats_of(person, deputy=deputy)):
                    return base.model_copy(update={"role": role, "seat": seat})
        return _for_someone(access, person, who, kind, seat, base, "A3")
    if kind in OWN_VOTE:
        return _own_vote(access, person, who, kind, command, base)
    raise NotAuthorisedError(f"{who} may not {kind}: no rule lets anyone issue it (rule A5)")


def _own_vote(
    access: Access, person: Person, who: str, kind: str, command: Any, base: Provenance
) -> Provenance:
    """The seat's holder, or its named deputy, voting in their own right (A11; CDCPE ToR §3)."""
    seat, body = str(getattr(command, OWN_VOTE[kind])), str(command.body)
    if base.on_behalf_of is not None:
        raise NotAuthorisedError(
            f"{who} may not {kind} on behalf of {base.on_behalf_of}: a member's vote is their "
            "own, cast by them or their named deputy (rule A11)"
        )
    for deputy, role in ((False, Role.MEMBER), (True, Role.DEPUTY)):
        if any(s.seat == seat and s.body == body for s in access.seats_of(person, deputy=deputy)):
            return base.model_copy(update={"role": role, "seat": seat})
    raise NotAuthorisedError(
        f"{who} may not {kind} for {seat} of {body}: only the seat's holder or its named deputy "
        "votes (rule A11)"
    )


def _for_someone(
    access: Access,
    person: Person,
    who: str,
    kind: str,
    party: str,
    base: Provenance,
    rule: str,
) -> Provenance:
    """The secretariat recording for `party`: only on its behalf, with a reason (A4)."""
    if access.is_secretariat(person):
        if base.on_behalf_of == party:
            return base.model_copy(update={"role": Role.SECRETARIAT})
        raise NotAuthorisedError(
            f"{who} may not {kind} for {party} as the secretariat without recording it on "
            f"behalf of {party} with a reason (rule A4)"
        )
    if base.on_behalf_of is not None:
        raise NotAuthorisedError(
            f"{who} may not {kind} on behalf of {base.on_behalf_of}: only the secretariat "
            "records for another (rule A4)"
        )
    holds = "represents" if rule == "A2" else "holds or deputises for"
    raise NotAuthorisedError(
        f"{who} may not {kind} for {party}: a person acts only for what they {holds} (rule {rule})"
    )


def require_administrator(access: Access, person: Person, partnership: str) -> None:
    """Refuses anyone but an administrator managing `partnership`'s schedules (A8)."""
    if not access.is_administrator(person):
        raise NotAuthorisedError(
            f"{person.name} ({person.issuer}:{person.subject}) may not manage {partnership}'s "
            "schedules: only its administrators do (rule A8)"
        )


def require_secretariat(access: Access, person: Person, partnership: str) -> None:
    """Refuses anyone but the secretariat starting `partnership`'s own workflow (A1)."""
    if not access.is_secretariat(person):
        raise NotAuthorisedError(
            f"{person.name} ({person.issuer}:{person.subject}) may not start {partnership}'s "
            "workflow: only its secretariat starts processes (rule A1)"
        )


def require_auditor(access: Access, person: Person, partnership: str) -> None:
    """Refuses anyone but an auditor reading `partnership`'s record (A10)."""
    if not access.is_auditor(person):
        raise NotAuthorisedError(
            f"{person.name} ({person.issuer}:{person.subject}) may not read {partnership}'s "
            "record: only its auditors do (rule A10)"
        )


def require_log_auditor(accesses: Iterable[Access], person: Person) -> None:
    """Refuses anyone who audits no partnership reading the whole log (A10): it holds them all."""
    if not any(access.is_auditor(person) for access in accesses):
        raise NotAuthorisedError(
            f"{person.name} ({person.issuer}:{person.subject}) may not read the event log: only "
            "the auditors of a partnership do (rule A10)"
        )


def check(access: Access, provenance: Provenance, command: Any) -> None:
    """Refuses a provenance whose role the access data does not give its person for `command`
    (the validators' second look, on the signed envelope)."""
    expected = provenance_for(
        access,
        provenance.person,
        command,
        provenance.channel,
        on_behalf_of=provenance.on_behalf_of,
        reason=provenance.reason,
    )
    if expected != provenance:
        raise NotAuthorisedError(
            f"the envelope says {provenance.display()}, but the access data makes it "
            f"{expected.display()} (rule A5)"
        )

"""A body's register of interests as published (docs/rules.md P6.4): folded from its rounds'
events, each seat's latest return standing, with the date of its last formal review.

CDCPE ToR §6: declarations "completed on an annual basis, which can be updated at any time, but
which will be formally reviewed on a six-monthly basis"; CDCP MoU §23 binds the partners to the
same standards.
"""

import csv
import io
from collections.abc import Iterable
from datetime import date

from pydantic import BaseModel, ConfigDict

from domain.declarations import registers
from domain.errors import DomainError
from domain.events import DeclarationReturned, DeclarationsReviewed, DeclaredInterest, DomainEvent
from domain.partnership import Partnership

COLUMNS = (
    "body",
    "seat",
    "role",
    "organisation",
    "kind",
    "description",
    "since",
    "declared_on",
    "round",
)


class SeatReturn(BaseModel):
    """A seat's return: what it declared, when, in which round (`between-rounds` for an update
    made between rounds), and whether it updated an earlier one."""

    model_config = ConfigDict(frozen=True)

    seat: str
    declared_on: date
    round_id: str
    interests: tuple[DeclaredInterest, ...]
    update: bool = False


class Register(BaseModel):
    """The register of one body, as its events make it."""

    model_config = ConfigDict(frozen=True)

    partnership: str
    body: str
    returns: tuple[SeatReturn, ...] = ()
    """Each seat's latest return, in the order of the body's seats: the register as it stands."""
    history: tuple[SeatReturn, ...] = ()
    """Every return and update, as recorded, oldest first."""
    reviewed_on: date | None = None
    next_review_due_on: date | None = None


def register_of(config: Partnership, body: str, events: Iterable[DomainEvent]) -> Register:
    """The register of `body`: its seats' latest returns, in the order of its seats, with every
    earlier one as its history, and its last formal review. Refuses a body that keeps none."""
    config.body(body)
    if body not in registers(config):
        raise DomainError(f"{body} of {config.slug} keeps no register of interests")
    latest: dict[str, SeatReturn] = {}
    history: list[SeatReturn] = []
    reviewed: DeclarationsReviewed | None = None
    for event in events:
        if getattr(event, "body", None) != body or event.partnership != config.slug:
            continue
        match event:
            case DeclarationReturned():
                entry = SeatReturn(
                    seat=event.seat,
                    declared_on=event.returned_on,
                    round_id=event.round_id,
                    interests=event.interests,
                    update=event.update,
                )
                latest[event.seat] = entry
                history.append(entry)
            case DeclarationsReviewed():
                reviewed = event
            case _:
                pass
    order = [m.seat for m in config.body(body).members]
    returns = sorted(
        latest.values(), key=lambda r: order.index(r.seat) if r.seat in order else len(order)
    )
    return Register(
        partnership=config.slug,
        body=body,
        returns=tuple(returns),
        history=tuple(history),
        reviewed_on=reviewed.reviewed_on if reviewed else None,
        next_review_due_on=reviewed.next_review_due_on if reviewed else None,
    )


def _cell(value: str) -> str:
    """A cell a spreadsheet shows as text: one opening like a formula is quoted (a published
    register is opened by anyone)."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


def register_csv(config: Partnership, register: Register) -> str:
    """The register as CSV, one row per interest and one "nil" row per seat declaring none."""
    body = config.body(register.body)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for entry in register.returns:
        member = body.member(entry.seat)
        role = member.role if member else ""
        organisation = member.organisation or "" if member else ""
        rows = [(i.kind.value, i.description, i.since) for i in entry.interests] or [
            ("nil", "no interests declared", None)
        ]
        for kind, description, since in rows:
            writer.writerow(
                (
                    register.body,
                    entry.seat,
                    role,
                    organisation,
                    kind,
                    _cell(description),
                    since.isoformat() if since else "",
                    entry.declared_on.isoformat(),
                    entry.round_id,
                )
            )
    return out.getvalue()

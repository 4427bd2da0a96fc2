"""`concordat what-if`: quorum and voting consequences of a change, changing nothing.

Staff ask it before a meeting or when a partner talks of leaving (CDCP MoU §27, CDCPE ToR §6, §10;
MSE MoU 2020 §8.4, §8.10). The report is `domain.what_if`'s, asked of the API, which answers from
the running workflow's current state when there is one (after exits), else the configuration,
and says which, since the two differ once partners have left.
"""

import click
from pydantic import BaseModel, ConfigDict

from concordat.cli.api import api
from concordat.cli.output import emit, fail, json_option, run_async
from concordat.cli.params import partnership_argument
from concordat.cli.rulings import CHOICES, METAVAR, parse_ruling
from domain.partnership import Partnership
from domain.what_if import Conflict, ProposedChange, SeatRef, WhatIfReport


class WhatIfAnswer(BaseModel):
    model_config = ConfigDict(frozen=True)

    partnership: str
    source: str
    change: ProposedChange
    report: WhatIfReport


@click.command(name="what-if")
@partnership_argument
@click.option(
    "--leave", "leaving", multiple=True, metavar="ORG", help="A partner leaving (repeatable)."
)
@click.option(
    "--absent",
    multiple=True,
    metavar="BODY:SEAT",
    help="A member absent from BODY's meeting (repeatable).",
)
@click.option(
    "--conflicted",
    multiple=True,
    metavar=f"BODY:SEAT:{METAVAR}",
    help=f"A member conflicted on the item, with the Chair's ruling: {CHOICES} (repeatable).",
)
@json_option
@run_async
async def what_if_command(
    partnership: Partnership,
    leaving: tuple[str, ...],
    absent: tuple[str, ...],
    conflicted: tuple[str, ...],
    as_json: bool,
) -> None:
    """Which of PARTNERSHIP's bodies would still be quorate, and what each decision rule would
    need, if partners left, members were absent or conflicted. Nothing is recorded."""
    change = ProposedChange(
        leaving=tuple(dict.fromkeys(leaving)),
        absent=tuple(_seat(text) for text in absent),
        conflicted=tuple(_conflict(text) for text in conflicted),
    )
    asked = await api().post(f"/partnerships/{partnership.slug}/what-if", change)
    answer = WhatIfAnswer.model_validate(asked | {"change": change})
    emit(answer, as_json, _text)


def _seat(text: str) -> SeatRef:
    body, _, seat = text.partition(":")
    if not body or not seat or ":" in seat:
        fail(f"--absent must be BODY:SEAT, not {text!r}")
    return SeatRef(body=body, seat=seat)


def _conflict(text: str) -> Conflict:
    parts = text.split(":")
    if len(parts) != 3 or not all(parts):
        fail(f"--conflicted must be BODY:SEAT:RULING, not {text!r}")
    body, seat, ruling = parts
    chosen = parse_ruling(ruling)
    if chosen is None:
        fail(f"the ruling in --conflicted {text!r} must be one of: {CHOICES}")
    return Conflict(body=body, seat=seat, ruling=chosen)


def _text(answer: WhatIfAnswer) -> str:
    change, report = answer.change, answer.report
    asked = [f"{o} leaves" for o in change.leaving]
    asked += [f"{a.body}:{a.seat} absent" for a in change.absent]
    asked += [f"{c.body}:{c.seat} conflicted ({c.ruling.value})" for c in change.conflicted]
    lines = [
        f"What if {'; '.join(asked) or 'nothing changes'} in {answer.partnership}",
        f"  (from {answer.source}; nothing is recorded)",
    ]
    if report.exit is not None:
        lines.append(f"Signatories after: {', '.join(report.signatories_after)}")
        lines.append("Exit effect:")
        for b in report.exit.bodies:
            quorum = "can be quorate" if b.can_be_quorate else "CANNOT BE QUORATE"
            extras = ["loses the chair"] if b.chair_lost else []
            extras += [f"loses {s.value}" for s in b.sectors_lost]
            lines.append(
                f"  {b.body}: loses {', '.join(b.seats_lost)}; voting seats "
                f"{b.voting_before} -> {b.voting_after}; {quorum}"
                + (f"; {', '.join(extras)}" if extras else "")
            )
    lines.append("Bodies:")
    for body in report.bodies:
        chair = body.chair or "none"
        replaced = " (replaced for the item)" if body.chair_replaced else ""
        flag = "" if body.can_be_quorate else "  ** CANNOT BE QUORATE **"
        lines.append(
            f"  {body.body}: {body.voting_seats} voting seats; chair {chair}{replaced}{flag}"
        )
        lines.append(f"    quorum: {body.quorum.status.value} ({body.quorum.explanation})")
        for rule in body.rules:
            verdict = "achievable" if rule.achievable else "NOT achievable"
            lines.append(
                f"    {rule.rule.value} ({rule.matter}): needs {rule.required} in favour of "
                f"{rule.counted} counted; {verdict}"
            )
    return "\n".join(lines)

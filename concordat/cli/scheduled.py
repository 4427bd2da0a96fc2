"""The processes a schedule starts, found as a clerk names them: a body's meeting by its date, a
body's declarations round by its kind.

A schedule's workflow id carries the time it fired, which no one types; so the API's process
list gives the partnership's open meeting cycles or rounds, and each one's state says which body
and date it is for.
"""

import asyncio
from datetime import date
from typing import Any

from concordat.cli.output import fail
from concordat.cli.processes import list_processes, process
from domain.declarations import DeclarationsState, RoundKind
from domain.errors import DomainError
from domain.meetings import MeetingState
from domain.partnership import Partnership


async def _open_states(config: Partnership, workflow_type: str) -> list[tuple[str, Any]]:
    """Each open process of `workflow_type` in the partnership: its id and its state."""
    rows = [
        r
        for r in await list_processes(config.slug, only_open=True)
        if r.workflow_type == workflow_type
    ]
    found = await asyncio.gather(*(process(r.workflow_id) for r in rows))
    return [(row.workflow_id, state) for row, state in found]


def known_body(config: Partnership, body: str) -> None:
    """Refuses a body the partnership does not have, naming those it has."""
    try:
        config.body(body)
    except DomainError as error:
        fail(str(error))


async def find_meeting(config: Partnership, body: str, on: date) -> str:
    """The id of `body`'s open meeting on `on` (the date its cycle was scheduled for, or the
    date the clerk set or moved it to); a refusal naming the body's open meetings otherwise."""
    known_body(config, body)
    meetings = [
        (process_id, MeetingState.model_validate(state))
        for process_id, state in await _open_states(config, "MeetingCycle")
        if state["body"] == body
    ]
    for found in (
        (m for m in meetings if m[1].meeting_on == on),
        (m for m in meetings if m[1].held_on == on),
    ):
        match = next(found, None)
        if match is not None:
            return match[0]
    listed = ", ".join(sorted(_meeting_date(s) for _, s in meetings))
    fail(
        f"no meeting of {body} of {config.slug} on {on} is open"
        + (f" (open meetings of {body}: {listed})" if listed else "")
    )


def _meeting_date(state: MeetingState) -> str:
    if state.held_on == state.meeting_on:
        return state.meeting_on.isoformat()
    return f"{state.meeting_on} (held on {state.held_on})"


async def find_round(config: Partnership, body: str, kind: RoundKind | None) -> str:
    """The id of `body`'s open declarations round (of `kind`, if given); a refusal naming the
    open rounds when there is none, or more than one and `kind` does not say which."""
    known_body(config, body)
    rounds = [
        (process_id, DeclarationsState.model_validate(state))
        for process_id, state in await _open_states(config, "Declarations")
        if state["body"] == body and state["status"] == "open"
    ]
    chosen = [r for r in rounds if kind is None or r[1].kind == kind]
    if len(chosen) == 1:
        return chosen[0][0]
    listed = ", ".join(f"{s.kind} (requested {s.requested_on})" for _, s in rounds)
    if not chosen:
        which = f"{kind} " if kind else ""
        fail(
            f"no {which}declarations round of {body} of {config.slug} is open"
            + (f" (open: {listed})" if listed else "")
        )
    say = "" if kind else ": say which with --round"
    fail(f"more than one declarations round of {body} of {config.slug} is open ({listed}){say}")

"""A partnership's processes through the API: finding them, starting them, commanding them.

Commands address processes by partnership and subject, never by workflow id: the partnership
records every process it starts and ends, so its state says which review, exits, formations and
escalations are open, and the API's process list (Temporal's visibility, the typed search
attributes every workflow sets) says at what stage each is.
"""

import asyncio
from typing import Any

from pydantic import BaseModel

from concordat.cli.api import api
from concordat.cli.output import fail
from concordat.cli.params import Operator, behalf
from concordat.cli.partnership_view import ProcessLine
from concordat.visibility import ProcessRow
from domain.aggregates.partnership import PartnershipState
from domain.errors import DomainError
from domain.events import ProcessKind
from domain.partnership import Partnership
from workflows.contracts.partnership import ProcessStart, Started

RECORDED_WAIT_SECONDS = 30.0
POLL_SECONDS = 0.2


async def partnership_state(config: Partnership) -> PartnershipState:
    """The running partnership's state; the API's refusal if its workflow is not running."""
    return PartnershipState.model_validate(await api().get(f"/partnerships/{config.slug}"))


async def start_process(config: Partnership, command: ProcessStart, actor: Operator) -> Started:
    """Asks the partnership to start a process; a refusal is one line, and nothing is written."""
    params = behalf(command, actor)
    answer = await api().post(f"/partnerships/{config.slug}/processes", command, params)
    return Started.model_validate(answer)


async def execute(process_id: str, command: BaseModel, actor: Operator) -> dict[str, Any]:
    """Sends `command` to the process; what its workflow answered (its state or progress)."""
    params = behalf(command, actor)
    answer = await api().post(f"/processes/{process_id}/commands", command, params)
    result: dict[str, Any] = answer["result"]
    return result


async def process(process_id: str) -> tuple[ProcessRow, dict[str, Any]]:
    """The process as Temporal lists it, and its state as its workflow folds it."""
    answer = await api().get(f"/processes/{process_id}")
    return ProcessRow.model_validate(answer["process"]), answer["state"]


async def list_processes(
    partnership: str | None = None, only_open: bool = False
) -> list[ProcessRow]:
    params = {"open": "true"} if only_open else {}
    if partnership is not None:
        params["partnership"] = partnership
    return [ProcessRow.model_validate(r) for r in await api().get("/processes", params)]


async def open_review(config: Partnership) -> str:
    """The id of the partnership's open review, or a refusal saying when the next one is due."""
    state = await partnership_state(config)
    review = state.open_process(ProcessKind.REVIEW)
    if review is None:
        due = f"; the next review is due {state.review_due_on}" if state.review_due_on else ""
        fail(f"no review of the {config.slug} MoU is open{due}")
    return review.process_id


async def open_exit(config: Partnership, organisation: str) -> str:
    """The id of `organisation`'s open exit, or a refusal naming what is wrong."""
    known_organisation(config, organisation)
    state = await partnership_state(config)
    notice = state.open_process(ProcessKind.EXIT, organisation)
    if notice is None:
        exits = sorted(p.subject for p in state.open_processes if p.process is ProcessKind.EXIT)
        pending = f" (open exits: {', '.join(exits)})" if exits else ""
        fail(f"{organisation} has no exit notice open in {config.slug}{pending}")
    return notice.process_id


def known_organisation(config: Partnership, organisation: str) -> None:
    """Refuses an organisation the partnership does not know, listing those it does."""
    try:
        config.organisation(organisation)
    except DomainError as error:
        fail(str(error))


async def live_processes(state: PartnershipState) -> list[ProcessLine]:
    """The processes the partnership has open, each with the ConcordatStatus it publishes."""
    running = {r.workflow_id: r for r in await list_processes(state.slug, only_open=True)}
    return [
        ProcessLine(
            kind=p.process.value,
            subject=p.subject,
            workflow_id=p.process_id,
            status=found.concordat_status if (found := running.get(p.process_id)) else None,
        )
        for p in state.open_processes
    ]


async def until_recorded(process_id: str, unrecorded: str | None = None) -> dict[str, Any]:
    """The state of a newly started process once it has recorded its start, so a script's next
    command, or an auditor's digest, finds it in the log.

    The partnership answers a start once it has recorded it, a moment before the process's own
    workflow exists and writes; a process publishes its status search attribute whenever it
    changes, so a status other than `unrecorded` (the one it has before its start is recorded)
    is the signal. A process that ends without it, or takes too long (no worker), ends the
    command."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + RECORDED_WAIT_SECONDS
    while loop.time() < deadline:
        found = await api().find(f"/processes/{process_id}")
        if found is not None:
            row = ProcessRow.model_validate(found["process"])
            if row.concordat_status not in (None, unrecorded):
                state: dict[str, Any] = found["state"]
                return state
            if row.status != "RUNNING":
                fail(f"{process_id} ended before recording its start ({row.status})")
        await asyncio.sleep(POLL_SECONDS)
    fail(f"{process_id} was started but has not recorded it yet: is a worker running?")

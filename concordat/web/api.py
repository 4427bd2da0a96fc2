"""The JSON API under /api/v1: every command and query the CLI has, as generic routes.

Requests carry the domain's own commands (their `type` tells them apart) and responses are the
workflows' own results and states, so the OpenAPI document names every command type. Commands
go to the workflows' updates in the envelope `acting.envelope` builds; a refusal is a 4xx in the
validator's words with nothing written.
"""

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from audit.replay import GovernanceReport, replayed
from concordat.reach import start_partnership
from concordat.settings import Settings
from concordat.visibility import ProcessRow, describe, running_query, visible
from concordat.web.acting import Acting, Caller, envelope
from concordat.web.backends import Backends, backends, query, refused, rpc_failure, update
from concordat.web.configs import partnership_config
from concordat.web.kinds import KINDS, ProcessCommand
from concordat.web.reading import planner, read_by, readable, readable_process
from concordat.web.signin import signed_in
from domain.aggregates.partnership import (
    PartnershipState,
    SignMou,
    UpdateInterests,
    initial_state,
)
from domain.authority import NotAuthorisedError, require_secretariat
from domain.errors import DomainError
from domain.forward_plan import ForwardPlan, forward_plan
from domain.partnership import Partnership
from domain.provenance import Person
from domain.registers import Register, register_csv, register_of
from domain.streams import parse_stream, partnership_stream
from domain.what_if import ProposedChange, WhatIfReport, what_if
from eventstore.codec import to_domain_event
from workflows import search_attributes
from workflows.contracts.partnership import ProcessStart, Started
from workflows.contracts.process import Command
from workflows.partnership import PartnershipWorkflow

PartnershipHandle = WorkflowHandle[PartnershipWorkflow, PartnershipState]
SignedIn = Annotated[Person, Depends(signed_in)]
Reach = Annotated[Backends, Depends(backends)]

router = APIRouter(prefix="/api/v1")


class PartnershipSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    slug: str
    name: str
    workflow_id: str
    running: bool


class PartnershipStarted(BaseModel):
    model_config = ConfigDict(frozen=True)

    workflow_id: str
    started: bool
    """False when it was already running (starting is safe to repeat)."""


class WhatIfAnswer(BaseModel):
    model_config = ConfigDict(frozen=True)

    partnership: str
    source: str
    report: WhatIfReport


class ProcessView(BaseModel):
    """A process as Temporal lists it, and its state as its workflow folds it."""

    model_config = ConfigDict(frozen=True)

    process: ProcessRow
    state: dict[str, Any]


class CommandResult(BaseModel):
    """What a process's update answered: its state or progress after the command."""

    model_config = ConfigDict(frozen=True)

    process_id: str
    result: dict[str, Any]


def _config(settings: Settings, slug: str) -> Partnership:
    return partnership_config(settings, slug)


async def _running(client: Client, workflow_id: str) -> bool:
    try:
        found = await describe(client, workflow_id)
    except RPCError as error:
        if error.status is RPCStatusCode.NOT_FOUND:
            return False
        raise rpc_failure(workflow_id, error) from error
    return found.status == WorkflowExecutionStatus.RUNNING.name


async def _partnership(reach: Backends, slug: str) -> PartnershipHandle:
    """The running workflow of `slug`: 404 for an unknown partnership, 409 if not running."""
    config = _config(reach.settings, slug)
    client = await reach.temporal()
    workflow_id = partnership_stream(config.slug)
    if not await _running(client, workflow_id):
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"the {config.slug} partnership's workflow is not running; start it with "
            f"POST /api/v1/partnerships/{config.slug}/start",
        )
    return client.get_workflow_handle_for(PartnershipWorkflow.run, workflow_id)


async def _config_of(handle: PartnershipHandle) -> Partnership:
    """The partnership as its running workflow holds it: whose access data decides."""
    state: PartnershipState = await query(handle, PartnershipWorkflow.state)
    return state.config


class OnBehalfOf(BaseModel):
    """When the secretariat records for a partner: for whom, and why (both recorded)."""

    model_config = ConfigDict(frozen=True)

    on_behalf_of: str | None = None
    reason: str | None = None


Behalf = Annotated[OnBehalfOf, Query()]


def _sealed(
    request: Request, caller: Caller, config: Partnership, command: Any, behalf: OnBehalfOf
) -> Command[Any]:
    try:
        return envelope(
            request,
            caller,
            config,
            command,
            on_behalf_of=behalf.on_behalf_of,
            reason=behalf.reason,
        )
    except ApplicationError as error:
        raise refused(error.message) from error


# ------------------------------------------------------------------------------ who


@router.get("/me", summary="The signed-in person")
async def me(person: SignedIn) -> Person:
    return person


# ----------------------------------------------------------------------- partnerships


@router.get("/partnerships", summary="The partnerships the signed-in person may read")
async def list_partnerships(person: SignedIn, reach: Reach) -> list[PartnershipSummary]:
    settings = reach.settings
    client = await reach.temporal()
    try:
        rows = await visible(client, running_query(workflow_type="Partnership"))
    except RPCError as error:
        raise rpc_failure("the partnerships", error) from error
    running = {r.workflow_id for r in rows}
    summaries = []
    for slug in read_by(settings, person):
        config = _config(settings, slug)
        workflow_id = partnership_stream(slug)
        summaries.append(
            PartnershipSummary(
                slug=slug, name=config.name, workflow_id=workflow_id, running=workflow_id in running
            )
        )
    return summaries


@router.post("/partnerships/{slug}/start", summary="Start a partnership's workflow")
async def start(slug: str, caller: Acting, reach: Reach) -> PartnershipStarted:
    config = _config(reach.settings, slug)
    try:
        require_secretariat(config.access, caller.person, config.slug)
    except NotAuthorisedError as error:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(error)) from error
    client = await reach.temporal()
    workflow_id = partnership_stream(config.slug)
    was_running = await _running(client, workflow_id)
    person = caller.person
    try:
        await start_partnership(
            client,
            config,
            f"{person.issuer}:{person.subject}",
            reach.settings.task_queue,
            web_base_url=reach.settings.web_base_url(),
        )
    except RPCError as error:
        raise rpc_failure(workflow_id, error) from error
    return PartnershipStarted(workflow_id=workflow_id, started=not was_running)


@router.get("/partnerships/{slug}", summary="A partnership's current state")
async def partnership_state(slug: str, person: SignedIn, reach: Reach) -> PartnershipState:
    readable(reach.settings, person, slug)
    state: PartnershipState = await query(
        await _partnership(reach, slug), PartnershipWorkflow.state
    )
    return state


@router.post("/partnerships/{slug}/signatures", summary="Record a signature of the MoU")
async def sign(
    slug: str, signature: SignMou, caller: Acting, behalf: Behalf, request: Request, reach: Reach
) -> PartnershipState:
    handle = await _partnership(reach, slug)
    sealed = _sealed(request, caller, await _config_of(handle), signature, behalf)
    await update(handle, PartnershipWorkflow.execute, sealed)
    state: PartnershipState = await query(handle, PartnershipWorkflow.state)
    return state


@router.post(
    "/partnerships/{slug}/processes",
    summary="Start a process: an exit, the review, a committee's formation, an escalation",
)
async def start_process(
    slug: str, command: ProcessStart, caller: Acting, behalf: Behalf, request: Request, reach: Reach
) -> Started:
    handle = await _partnership(reach, slug)
    sealed = _sealed(request, caller, await _config_of(handle), command, behalf)
    started: Started = await update(handle, PartnershipWorkflow.start, sealed)
    return started


@router.post(
    "/partnerships/{slug}/declarations",
    summary="Record a member's declaration of interests, updated at any time (CDCPE ToR §6)",
)
async def update_declaration(
    slug: str,
    declaration: UpdateInterests,
    caller: Acting,
    behalf: Behalf,
    request: Request,
    reach: Reach,
) -> Register:
    handle = await _partnership(reach, slug)
    config = await _config_of(handle)
    await update(
        handle,
        PartnershipWorkflow.execute,
        _sealed(request, caller, config, declaration, behalf),
    )
    return await register_for(reach, config, declaration.body)


async def register_for(reach: Backends, config: Partnership, body: str) -> Register:
    """`body`'s register from the log; 404 for a body that keeps none."""
    store = await reach.auditor_store()
    events = [to_domain_event(e) for e in await store.read_partnership(config.slug)]
    try:
        return register_of(config, body, events)
    except DomainError as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from error


@router.get(
    "/partnerships/{slug}/bodies/{body}/register",
    summary="A body's register of interests: each seat's latest declaration, with its history",
)
async def register_with_history(slug: str, body: str, person: SignedIn, reach: Reach) -> Register:
    return await register_for(reach, readable(reach.settings, person, slug), body)


@router.get(
    "/partnerships/{slug}/bodies/{body}/register.csv",
    summary="A body's register of interests, published as CSV",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
async def register_of_interests(slug: str, body: str, person: SignedIn, reach: Reach) -> Response:
    config = readable(reach.settings, person, slug)
    register = await register_for(reach, config, body)
    return Response(
        register_csv(config, register),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{slug}-{body}-register.csv"'},
    )


@router.get(
    "/partnerships/{slug}/forward-plan",
    summary="Key decisions in the next 28 clear days, as the log dates them",
)
async def forward_plan_of(
    slug: str, person: SignedIn, reach: Reach, on: date | None = None
) -> ForwardPlan:
    config = readable(reach.settings, person, slug)
    store = await reach.auditor_store()
    events = [to_domain_event(e) for e in await store.read_partnership(config.slug)]
    return forward_plan(config, events, on or datetime.now(UTC).date())


@router.post("/partnerships/{slug}/what-if", summary="Quorum and voting after a change")
async def ask_what_if(
    slug: str, change: ProposedChange, person: SignedIn, reach: Reach
) -> WhatIfAnswer:
    """Nothing is recorded. The running workflow's state is used if there is one (after exits),
    else the configuration, and the answer says which. For the secretariat and representatives."""
    config = planner(reach.settings, person, slug)
    client = await reach.temporal()
    workflow_id = partnership_stream(config.slug)
    if await _running(client, workflow_id):
        handle: PartnershipHandle = client.get_workflow_handle_for(
            PartnershipWorkflow.run, workflow_id
        )
        state: PartnershipState = await query(handle, PartnershipWorkflow.state)
        source = f"the current state of {workflow_id}"
    else:
        state, source = initial_state(config), "the configuration (its workflow is not running)"
    try:
        report = what_if(state, change)
    except DomainError as error:
        raise refused(str(error)) from error
    return WhatIfAnswer(partnership=config.slug, source=source, report=report)


# -------------------------------------------------------------------------- processes


@router.get("/processes", summary="Workflows as Temporal's visibility lists them")
async def list_processes(
    person: SignedIn,
    reach: Reach,
    partnership: str | None = None,
    open_only: Annotated[bool, Query(alias="open")] = False,
) -> list[ProcessRow]:
    """The workflows of the partnerships the person may read, or of one of them, or only those
    running, oldest first."""
    clauses = ["ExecutionStatus = 'Running'"] if open_only else []
    if partnership is not None:
        slug = readable(reach.settings, person, partnership).slug  # a known slug is safe to quote
        clauses.append(f"{search_attributes.PARTNERSHIP.name} = '{slug}'")
    visibility = " AND ".join(clauses)
    try:
        rows = await visible(await reach.temporal(), visibility)
    except RPCError as error:
        raise rpc_failure("the workflows", error) from error
    # By the id, which names the partnership before the search attributes are set.
    read = set(read_by(reach.settings, person))
    return [row for row in rows if parse_stream(row.workflow_id).partnership in read]


async def _process(reach: Backends, process_id: str) -> tuple[Client, ProcessRow]:
    client = await reach.temporal()
    try:
        return client, await describe(client, process_id)
    except RPCError as error:
        if error.status is RPCStatusCode.NOT_FOUND:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no process {process_id}") from error
        raise rpc_failure(process_id, error) from error


@router.get("/processes/{process_id}", summary="A process and its state")
async def process_state(process_id: str, person: SignedIn, reach: Reach) -> ProcessView:
    readable_process(reach.settings, person, process_id)
    client, row = await _process(reach, process_id)
    kind = KINDS.get(row.workflow_type)
    if kind is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"{process_id} is not a Concordat process")
    state = await query(client.get_workflow_handle(process_id), kind.state)
    return ProcessView(process=row, state=state.model_dump(mode="json"))


@router.post("/processes/{process_id}/commands", summary="Send a command to a running process")
async def command_process(
    process_id: str,
    command: ProcessCommand,
    caller: Acting,
    behalf: Behalf,
    request: Request,
    reach: Reach,
) -> CommandResult:
    client, row = await _process(reach, process_id)
    kind = KINDS.get(row.workflow_type)
    if kind is None or type(command) not in kind.commands or row.partnership is None:
        raise refused(f"{process_id} ({row.workflow_type}) does not take {type(command).__name__}")
    config = await _config_of(await _partnership(reach, row.partnership))
    result = await update(
        client.get_workflow_handle(process_id),
        kind.execute,
        _sealed(request, caller, config, command, behalf),
    )
    return CommandResult(process_id=process_id, result=result.model_dump(mode="json"))


class PartnershipAsOf(BaseModel):
    """A partnership folded from the log alone on a date: its state, and the auditor's report
    of the same events (which says how many and up to which position)."""

    model_config = ConfigDict(frozen=True)

    state: PartnershipState
    report: GovernanceReport


@router.get(
    "/partnerships/{slug}/as-of",
    summary="A partnership's state on a date, folded from the log as the replay counts it",
)
async def partnership_as_of(
    slug: str, as_of: date, person: SignedIn, reach: Reach, as_known_on: date | None = None
) -> PartnershipAsOf:
    """Events dated on or before `as_of`, as the log stood at the end of `as_known_on` (default:
    as it stands), read through the log's cursor; no workflow is asked."""
    config = readable(reach.settings, person, slug)
    folding = await replayed(await reach.auditor_store(), config, as_of, as_known_on)
    return PartnershipAsOf(state=folding.partnership, report=folding.report())

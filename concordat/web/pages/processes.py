"""Each process's page: status, deadlines, its events in plain English, the letters it issued,
and the forms for what the signed-in person may do now. A refusal is shown beside the form in
the domain's words, and nothing is written."""

from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from pydantic import TypeAdapter

from audit.trail import trail
from concordat.web import api
from concordat.web.api import OnBehalfOf, Reach
from concordat.web.kinds import ProcessCommand
from concordat.web.pages.csrf import PostedForm
from concordat.web.pages.reading import process_state
from concordat.web.pages.rendering import render
from concordat.web.pages.signed_in import Viewer
from concordat.web.pages.submitting import (
    BACK,
    caller,
    fields_of,
    form_id,
    keep_refusal,
    submitted,
)
from concordat.web.reading import readable_process
from concordat.web.signin import safe_return
from domain.aggregates.escalation.state import EscalationState
from domain.aggregates.exit import ExitState
from domain.aggregates.review import ReviewState
from domain.events import NoticeIssued
from domain.provenance import Person
from domain.streams import parse_stream
from domain.tasks import tasks_for
from eventstore.codec import to_domain_event

router = APIRouter(include_in_schema=False)
COMMANDS: TypeAdapter[Any] = TypeAdapter(ProcessCommand)


def deadlines(state: Any) -> list[tuple[str, date]]:
    """The dates a process's state holds to, in words, soonest first."""
    found: list[tuple[str, date | None]] = []
    match state:
        case ReviewState():
            found = [("Responses due", state.response_deadline), ("Review due", state.due_on)]
        case ExitState():
            waiting = [
                n.acknowledge_by
                for n in state.notices
                if n.acknowledged_on is None and n.acknowledge_by is not None
            ]
            found = [("Leaving on", state.effective_on)]
            if waiting:
                found.append((f"Acknowledgements due ({len(waiting)} outstanding)", min(waiting)))
        case EscalationState():
            found = [("Settle at this level by", state.respond_by)] + [
                (f"Action {a.action_id} due", a.due_on) for a in state.open_actions
            ]
    return sorted(((label, on) for label, on in found if on is not None), key=lambda d: d[1])


async def _page(
    request: Request,
    viewer: Person,
    reach: Reach,
    process_id: str,
    refused: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    view = await api.process_state(process_id, viewer, reach)
    row = view.process
    state = await process_state(reach, row.workflow_type, process_id)
    # From the id: the search attributes are set only once the workflow's first task has run.
    slug = parse_stream(process_id).partnership
    config = (await api.partnership_state(slug, viewer, reach)).config
    store = await reach.auditor_store()
    recorded = await store.read_stream(process_id)
    letters = [e for e in (to_domain_event(r) for r in recorded) if isinstance(e, NoticeIssued)]
    return render(
        request,
        "process.html",
        status_code=status_code,
        section="tasks",
        slug=slug,
        process=row,
        state=state,
        partnership=config,
        timeline=trail(config, recorded),
        letters=letters,
        deadlines=deadlines(state),
        tasks=tasks_for(config, viewer, [(process_id, state)]),
        secretariat=config.access.is_secretariat(viewer),
        version=recorded[-1].version if recorded else 0,
        refused=refused or {},
        today=datetime.now(UTC).date(),
    )


@router.get("/processes/{process_id}")
async def process_page(
    process_id: str, request: Request, viewer: Viewer, reach: Reach
) -> HTMLResponse:
    return await _page(request, viewer, reach, process_id)


@router.get("/processes/{process_id}/version")
async def process_version(process_id: str, viewer: Viewer, reach: Reach) -> Response:
    """How many events the process has recorded: the page's script reloads when it changes."""
    readable_process(reach.settings, viewer, process_id)
    store = await reach.auditor_store()
    return PlainTextResponse(str(await store.stream_version(process_id)))


@router.post("/processes/{process_id}/commands")
async def command(
    process_id: str, request: Request, viewer: Viewer, reach: Reach, form: PostedForm
) -> Response:
    """The form's command sent as the API sends it; on refusal the page again, the refusal
    beside the form it came from. A form on another page (meetings, a register) names it in
    `back`: the browser returns there, and a refusal is kept for that page to show."""
    fields = fields_of(form)
    back = safe_return(str(form.get(BACK, "")))
    if fields.get("type") == "DecideEscalation":
        fields = _vote(fields)
    if fields.get("type") in ("ReturnDeclaration", "UpdateDeclaration"):
        fields = _interests(fields)
    sent, refused = await submitted(
        fields,
        COMMANDS.validate_python,
        lambda command: api.command_process(
            process_id, command, caller(viewer), OnBehalfOf(), request, reach
        ),
    )
    if sent is None and back is not None:
        keep_refusal(request, form_id(form), str(refused))
        return RedirectResponse(back, status_code=status.HTTP_303_SEE_OTHER)
    if sent is None:
        return await _page(
            request,
            viewer,
            reach,
            process_id,
            refused={form_id(form): str(refused)},
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    return RedirectResponse(
        back or f"/processes/{process_id}", status_code=status.HTTP_303_SEE_OTHER
    )


def _vote(fields: dict[str, Any]) -> dict[str, Any]:
    """The vote form's one choice a seat (`vote:SEAT`: absent, for, against or abstain, or `own`
    for a member present who cast their own vote) as the command's attendance and votes."""
    votes = {k.removeprefix("vote:"): v for k, v in fields.items() if k.startswith("vote:")}
    rest = {k: v for k, v in fields.items() if not k.startswith("vote:")}
    present = [seat for seat, vote in votes.items() if vote != "absent"]
    return {
        **rest,
        "present": [{"seat": seat} for seat in present],
        "in_favour": [seat for seat, vote in votes.items() if vote == "for"],
        "against": [seat for seat, vote in votes.items() if vote == "against"],
    }


def _interests(fields: dict[str, Any]) -> dict[str, Any]:
    """The declaration form's rows (`interest:N:FIELD`) as the command's interests; a row
    without a description is one the member left empty."""
    rows: dict[str, dict[str, Any]] = {}
    for key, value in fields.items():
        if key.startswith("interest:"):
            _, row, name = key.split(":", 2)
            rows.setdefault(row, {})[name] = value
    rest = {k: v for k, v in fields.items() if not k.startswith("interest:")}
    return {**rest, "interests": [r for _, r in sorted(rows.items()) if "description" in r]}

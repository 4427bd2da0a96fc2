"""The partnerships: the list, and each one's page (members, bodies and whether each can be
quorate, the MoU, open processes, the what-if form), with the forms that start processes."""

import asyncio
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import TypeAdapter

from concordat.web import api
from concordat.web.api import OnBehalfOf, Reach
from concordat.web.pages.csrf import PostedForm
from concordat.web.pages.reading import WORKFLOW_TYPES
from concordat.web.pages.rendering import render
from concordat.web.pages.signed_in import Viewer
from concordat.web.pages.submitting import caller, fields_of, form_id, submitted
from domain.aggregates.partnership import PartnershipState, SignMou
from domain.events.declarations import ConflictRuling
from domain.provenance import Person
from domain.readers import reads_what_if
from domain.what_if import Conflict, ProposedChange, SeatRef, what_if
from workflows.contracts.partnership import ProcessStart

router = APIRouter(include_in_schema=False)
STARTS: TypeAdapter[Any] = TypeAdapter(ProcessStart)


@router.get("/partnerships")
async def partnerships(request: Request, viewer: Viewer, reach: Reach) -> HTMLResponse:
    return render(
        request,
        "partnerships.html",
        section="partnerships",
        partnerships=await api.list_partnerships(viewer, reach),
    )


def _seats(values: list[str]) -> list[tuple[str, str]]:
    """`body/seat` pairs from the what-if form."""
    return [(v.partition("/")[0], v.partition("/")[2]) for v in values]


def _change(request: Request) -> ProposedChange | None:
    """The what-if form's change, or None if the form was not sent."""
    params = request.query_params
    if "what_if" not in params:
        return None
    chosen = params.get("ruling") or ConflictRuling.LEAVE
    if chosen not in set(ConflictRuling):
        rulings = ", ".join(r.value for r in ConflictRuling)
        raise ValueError(f"{chosen!r} is not a ruling the Chair can give ({rulings})")
    ruling = ConflictRuling(chosen)
    return ProposedChange(
        leaving=tuple(params.getlist("leave")),
        absent=tuple(SeatRef(body=b, seat=s) for b, s in _seats(params.getlist("absent"))),
        conflicted=tuple(
            Conflict(body=b, seat=s, ruling=ruling) for b, s in _seats(params.getlist("conflicted"))
        ),
    )


async def _page(
    request: Request,
    viewer: Person,
    reach: Reach,
    slug: str,
    refused: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    state: PartnershipState = await api.partnership_state(slug, viewer, reach)
    # Every reader sees whether each body can be quorate now; only planners ask what if (A12).
    now = what_if(state, ProposedChange())
    may_plan = reads_what_if(state.config.access, viewer)
    answer, what_if_refused = None, None
    try:
        change = _change(request)
    except ValueError as error:
        change, what_if_refused = None, str(error)
    if change is not None and may_plan:
        try:
            answer = await api.ask_what_if(slug, change, viewer, reach)
        except HTTPException as error:
            what_if_refused = str(error.detail)
    shown = [r for r in state.open_processes if r.process in WORKFLOW_TYPES]
    # Asked of their workflows together: one after another, they were most of the page's time.
    views = await asyncio.gather(*(api.process_state(r.process_id, viewer, reach) for r in shown))
    processes = list(zip(shown, views, strict=True))
    access = state.config.access
    leaving = change.leaving if change else ()
    return render(
        request,
        "partnership.html",
        status_code=status_code,
        section="partnerships",
        slug=state.slug,
        state=state,
        quorate_now={c.body: c for c in now.bodies},
        may_plan=may_plan,
        processes=processes,
        change=change,
        answer=answer,
        what_if_refused=what_if_refused,
        secretariat=access.is_secretariat(viewer),
        represents=access.organisations_of(viewer),
        refused=refused or {},
        today=datetime.now(UTC).date(),
        leave_items=[
            {"value": o, "text": state.organisation(o).name, "checked": o in leaving}
            for o in state.signatories
        ],
        seat_options=[
            (body.name, [(f"{body.slug}/{m.seat}", m.role) for m in body.members])
            for body in state.bodies
            if body.members
        ],
        chosen={
            "absent": {f"{a.body}/{a.seat}" for a in change.absent} if change else set(),
            "conflicted": {f"{c.body}/{c.seat}" for c in change.conflicted} if change else set(),
        },
        body_names={b.slug: b.name for b in state.bodies},
    )


@router.get("/partnerships/{slug}")
async def partnership_page(
    slug: str, request: Request, viewer: Viewer, reach: Reach
) -> HTMLResponse:
    return await _page(request, viewer, reach, slug)


@router.post("/partnerships/{slug}/processes")
async def start_process(
    slug: str, request: Request, viewer: Viewer, reach: Reach, form: PostedForm
) -> Response:
    """Starts a process as the API does, then shows it; a refusal beside the form."""
    started, refused = await submitted(
        fields_of(form),
        STARTS.validate_python,
        lambda command: api.start_process(
            slug, command, caller(viewer), OnBehalfOf(), request, reach
        ),
    )
    if started is None:
        return await _refused(request, viewer, reach, slug, form_id(form), str(refused))
    return RedirectResponse(
        f"/processes/{started.process_id}", status_code=status.HTTP_303_SEE_OTHER
    )


@router.post("/partnerships/{slug}/signatures")
async def sign(
    slug: str, request: Request, viewer: Viewer, reach: Reach, form: PostedForm
) -> Response:
    """A signature of the MoU as the API records it; a refusal beside the form."""
    signed, refused = await submitted(
        fields_of(form),
        SignMou.model_validate,
        lambda signature: api.sign(slug, signature, caller(viewer), OnBehalfOf(), request, reach),
    )
    if signed is None:
        return await _refused(request, viewer, reach, slug, form_id(form), str(refused))
    return RedirectResponse(f"/partnerships/{slug}", status_code=status.HTTP_303_SEE_OTHER)


async def _refused(
    request: Request, viewer: Person, reach: Reach, slug: str, form_id: str, reason: str
) -> HTMLResponse:
    return await _page(
        request, viewer, reach, slug, {form_id: reason}, status.HTTP_422_UNPROCESSABLE_CONTENT
    )

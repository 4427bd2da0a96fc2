"""What the pages read, through the API's own functions (the same queries, the same errors):
a partnership's state, its open processes' states, and what the signed-in person owes."""

from typing import Any

from temporalio.service import RPCError, RPCStatusCode

from concordat.visibility import running_query, visible
from concordat.web import api
from concordat.web.backends import Backends, query
from concordat.web.kinds import KINDS
from domain.aggregates.partnership import PartnershipState
from domain.events import ProcessKind
from domain.partnerships_config import load_partnership, partnership_slugs
from domain.provenance import Person
from domain.streams import partnership_stream
from domain.tasks import ProcessState, Task, soonest_first, tasks_for

WORKFLOW_TYPES = {
    ProcessKind.REVIEW: "Review",
    ProcessKind.EXIT: "Exit",
    ProcessKind.ESCALATION: "Escalation",
    ProcessKind.COMMITTEE: "Committee",
}
"""The workflow type Temporal names each kind of process by (concordat/web/kinds.py)."""
DECLARATIONS = "Declarations"
MEETINGS = "MeetingCycle"


async def process_state(reach: Backends, workflow_type: str, process_id: str) -> Any:
    """The process's state as its workflow folds it (its own model, not JSON)."""
    client = await reach.temporal()
    return await query(client.get_workflow_handle(process_id), KINDS[workflow_type].state)


async def open_states(reach: Backends, state: PartnershipState) -> list[tuple[str, ProcessState]]:
    """The partnership itself, each open process it started and each open round of
    declarations (its schedule starts those, so Temporal lists them), with their states."""
    states: list[tuple[str, ProcessState]] = [(partnership_stream(state.slug), state)]
    for record in state.open_processes:
        kind = WORKFLOW_TYPES.get(record.process)
        if kind is not None:
            states.append((record.process_id, await process_state(reach, kind, record.process_id)))
    return states + await running(reach, state.slug, DECLARATIONS)


async def running(reach: Backends, slug: str, workflow_type: str) -> list[tuple[str, Any]]:
    """The partnership's running workflows of `workflow_type` that its schedules start (rounds
    of declarations, meeting cycles), with their states; none where Temporal keeps no
    visibility (its time-skipping test server), which has no schedules to start them either."""
    try:
        rows = await visible(await reach.temporal(), running_query(slug, workflow_type))
    except RPCError as error:
        if error.status is RPCStatusCode.UNIMPLEMENTED:
            return []
        raise
    return [(r.workflow_id, await process_state(reach, workflow_type, r.workflow_id)) for r in rows]


async def owed_by(reach: Backends, person: Person) -> list[Task]:
    """Everything `person` owes in every running partnership whose access data names them."""
    owed: list[Task] = []
    client = await reach.temporal()
    for slug in partnership_slugs(reach.settings.partnerships_dir):
        access = load_partnership(slug, reach.settings.partnerships_dir).access
        named = (
            access.is_secretariat(person)
            or access.organisations_of(person)
            or access.seats_of(person, deputy=False)
            or access.seats_of(person, deputy=True)
        )
        if not named or not await api._running(client, partnership_stream(slug)):
            continue
        state = await api.partnership_state(slug, person, reach)
        owed += tasks_for(state.config, person, await open_states(reach, state))
    return soonest_first(owed)

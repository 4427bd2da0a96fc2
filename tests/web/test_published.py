"""What the API publishes from the log, read from a real event store as the auditor role: a
body's register of interests as CSV (docs/rules.md P6.4; a body without one, or unknown, is
404) and the forward plan of key decisions (P5.10)."""

import csv
import io
import uuid
from datetime import UTC, date, datetime, time, timedelta

import httpx
from pydantic import SecretStr
from temporalio.client import Client

from domain.events import (
    DeclarationReturned,
    DeclaredInterest,
    DomainEvent,
    InterestKind,
    MeetingArranged,
    MeetingScheduled,
)
from domain.provenance import Channel, system_actor
from eventstore.codec import to_new_event
from eventstore.store import EventStore
from tests.web.conftest import Serve
from tests.web.signing_in import SECRETARY, program_token

SLUG = "county-durham"
ON = date(2027, 4, 6)
ROUND = f"declarations:{SLUG}:cdcpe:annual:{ON.isoformat()}"


async def append(store: EventStore, stream_id: str, *events: DomainEvent) -> None:
    actor = system_actor("schedule:meeting-cycle", Channel.SCHEDULE)
    await store.append(
        stream_id,
        0,
        [
            to_new_event(e, event_id=uuid.uuid4(), occurred_at=datetime.now(UTC), actor=actor)
            for e in events
        ],
    )


async def test_a_register_is_published_as_csv_and_a_body_without_one_is_404(
    serve: Serve,
    issuer: str,
    temporal: Client,
    store: EventStore,
    task_queue: str,
    database_url: str,
) -> None:
    trustee = DeclaredInterest(
        kind=InterestKind.NON_FINANCIAL_PROFESSIONAL, description="Trustee, Durham Hospice"
    )
    returned = DeclarationReturned(
        partnership=SLUG,
        body="cdcpe",
        round_id=ROUND,
        seat="dcc-director-adults-health",
        returned_on=ON,
        interests=(trustee,),
    )
    await append(store, ROUND, returned)
    token = await program_token(issuer, SECRETARY)
    async with (
        serve(
            temporal=temporal,
            task_queue=task_queue,
            auditor_database_url=SecretStr(database_url),
        ) as web,
        httpx.AsyncClient(
            base_url=f"{web}/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=60
        ) as api,
    ):
        published = await api.get(f"/partnerships/{SLUG}/bodies/cdcpe/register.csv")
        assert published.status_code == 200, published.text
        assert published.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(published.text)))
        assert [(r[1], r[3], r[4], r[5], r[7]) for r in rows[1:]] == [
            (
                "dcc-director-adults-health",
                "dcc",
                "non_financial_professional",
                "Trustee, Durham Hospice",
                ON.isoformat(),
            )
        ]
        none = await api.get(f"/partnerships/{SLUG}/bodies/hwbb/register.csv")
        assert none.status_code == 404 and "keeps no register" in none.json()["detail"]
        unknown = await api.get(f"/partnerships/{SLUG}/bodies/nobody/register.csv")
        assert unknown.status_code == 404
        async with httpx.AsyncClient(base_url=f"{web}/api/v1") as nobody:
            anonymous = await nobody.get(f"/partnerships/{SLUG}/bodies/cdcpe/register.csv")
        assert anonymous.status_code == 401


async def test_the_forward_plan_lists_a_meeting_moved_into_the_next_28_clear_days(
    serve: Serve,
    issuer: str,
    temporal: Client,
    store: EventStore,
    task_queue: str,
    database_url: str,
) -> None:
    nominal = date(2027, 5, 15)
    held_on = date(2027, 5, 4)
    scheduled = MeetingScheduled(
        partnership=SLUG,
        body="cdcpe",
        meeting_on=nominal,
        scheduled_on=ON,
        agenda_requests_due_on=date(2027, 5, 4),
        agenda_issue_by=date(2027, 5, 11),
    )
    moved = MeetingArranged(
        partnership=SLUG,
        body="cdcpe",
        meeting_on=nominal,
        arranged_on=ON,
        held_on=held_on,
        starts_at=time(14),
        venue="County Hall, Durham",
        agenda_requests_due_on=date(2027, 4, 23),
        agenda_issue_by=date(2027, 4, 30),
    )
    await append(store, f"meeting:{SLUG}:cdcpe:{nominal.isoformat()}", scheduled, moved)
    token = await program_token(issuer, SECRETARY)
    async with (
        serve(
            temporal=temporal,
            task_queue=task_queue,
            auditor_database_url=SecretStr(database_url),
        ) as web,
        httpx.AsyncClient(
            base_url=f"{web}/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=60
        ) as api,
    ):
        plan = await api.get(f"/partnerships/{SLUG}/forward-plan", params={"on": str(ON)})
        assert plan.status_code == 200, plan.text
        assert plan.json()["until"] == str(ON + timedelta(days=29))
        assert [(d["on"], d["by"]) for d in plan.json()["decisions"]] == [(str(held_on), "cdcpe")]
        later = await api.get(f"/partnerships/{SLUG}/forward-plan", params={"on": "2027-05-04"})
        assert later.json()["decisions"] == []
        unknown = await api.get("/partnerships/nowhere/forward-plan")
        assert unknown.status_code == 404

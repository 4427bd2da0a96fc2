"""The register of interests published as CSV by the API (docs/rules.md P6.4), read from a real
event store as the auditor role; a body without a register, or unknown, is 404."""

import csv
import io
import uuid
from datetime import UTC, date, datetime

import httpx
from pydantic import SecretStr
from temporalio.client import Client

from domain.events import DeclarationReturned, DeclaredInterest, InterestKind
from domain.provenance import Channel, system_actor
from eventstore.codec import to_new_event
from eventstore.store import EventStore
from tests.web.conftest import Serve
from tests.web.signing_in import SECRETARY, program_token

SLUG = "county-durham"
ON = date(2027, 4, 6)
ROUND = f"declarations:{SLUG}:cdcpe:annual:{ON.isoformat()}"


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
    actor = system_actor("schedule:declarations", Channel.SCHEDULE)
    new = to_new_event(returned, event_id=uuid.uuid4(), occurred_at=datetime.now(UTC), actor=actor)
    await store.append(ROUND, 0, [new])
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

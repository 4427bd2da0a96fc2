"""A member updates their declaration of interests at any time through the API, not only in a
round (docs/rules.md P6.5; CDCPE ToR §6: "can be updated at any time"): the partnership's workflow
records it, the register shows it as the seat's latest with the earlier ones as its history, and
the CSV publishes it. Someone else's seat is 403, a bad update 422, both writing nothing."""

import csv
import io
from typing import Any

import httpx
from pydantic import SecretStr
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from domain.aggregates.partnership import BETWEEN_ROUNDS
from eventstore.store import EventStore
from tests.web.conftest import Serve
from tests.web.signing_in import SECRETARY, program_token

SLUG = "county-durham"
SEAT = "icb-medical-director"
MEMBER = f"dev-member-{SEAT}-county-durham"


def declaration(on: str, *interests: tuple[str, str], seat: str = SEAT) -> dict[str, Any]:
    return {
        "type": "UpdateInterests",
        "body": "cdcpe",
        "seat": seat,
        "updated_on": on,
        "interests": [{"kind": k, "description": d} for k, d in interests],
    }


async def test_a_member_updates_their_declaration_at_any_time_tor_6(
    serve: Serve,
    issuer: str,
    time_skipping_env: WorkflowEnvironment,
    temporal: Client,
    worker: Worker,
    store: EventStore,
    task_queue: str,
    database_url: str,
) -> None:
    today = (await time_skipping_env.get_current_time()).date().isoformat()
    secretary = await program_token(issuer, SECRETARY)
    member = {"Authorization": f"Bearer {await program_token(issuer, MEMBER)}"}
    async with (
        serve(
            temporal=temporal,
            task_queue=task_queue,
            auditor_database_url=SecretStr(database_url),
        ) as web,
        httpx.AsyncClient(
            base_url=f"{web}/api/v1", headers={"Authorization": f"Bearer {secretary}"}, timeout=60
        ) as api,
    ):
        assert (await api.post(f"/partnerships/{SLUG}/start")).status_code == 200
        shares = ("financial", "Shares in Acme Care Ltd")
        first = await api.post(
            f"/partnerships/{SLUG}/declarations",
            json=declaration(today, shares),
            headers=member,
        )
        assert first.status_code == 200, first.text
        second = await api.post(
            f"/partnerships/{SLUG}/declarations",
            json=declaration(today, ("non_financial_personal", "Trustee, Durham Hospice")),
            headers=member,
        )
        assert second.status_code == 200, second.text
        register = second.json()
        (standing,) = register["returns"]
        assert (standing["seat"], standing["round_id"]) == (SEAT, BETWEEN_ROUNDS)
        assert [i["description"] for i in standing["interests"]] == ["Trustee, Durham Hospice"]
        assert [[i["description"] for i in h["interests"]] for h in register["history"]] == [
            ["Shares in Acme Care Ltd"],
            ["Trustee, Durham Hospice"],
        ]
        assert (await api.get(f"/partnerships/{SLUG}/bodies/cdcpe/register")).json() == register

        published = await api.get(f"/partnerships/{SLUG}/bodies/cdcpe/register.csv")
        rows = list(csv.reader(io.StringIO(published.text)))
        assert [(r[1], r[5], r[8]) for r in rows[1:]] == [
            (SEAT, "Trustee, Durham Hospice", BETWEEN_ROUNDS)
        ]

        before = await store.read_all()
        for_another = await api.post(
            f"/partnerships/{SLUG}/declarations",
            json=declaration(today, shares, seat="icb-director-finance"),
            headers=member,
        )
        assert for_another.status_code == 403, for_another.text
        no_register = await api.post(
            f"/partnerships/{SLUG}/declarations",
            json={**declaration(today), "body": "acute-care-board"},
            headers=member,
        )
        assert no_register.status_code == 422, no_register.text
        assert "acute-care-board of county-durham keeps no register" in no_register.text
        future = await api.post(
            f"/partnerships/{SLUG}/declarations",
            json=declaration("2999-01-01"),
            headers=member,
        )
        assert future.status_code == 422 and "after today" in future.json()["detail"]
        assert await store.read_all() == before

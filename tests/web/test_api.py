"""The API driving real workflows: Temporal's time-skipping server, a worker, a real event
store. Commands take effect in the signed-in person's name; refusals come back in the
validator's words with a 4xx and nothing written; unknown things are 404."""

import asyncio
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from domain.partnerships_config import SHIPPED
from domain.streams import partnership_stream
from eventstore.store import EventStore
from tests.people import who
from tests.web.conftest import Serve
from tests.web.signing_in import SECRETARY, SECRETARY_EMAIL, program_token

SLUG = "county-durham"
SIGNATORIES = ("icb", "dcc", "cddft", "tewv", "hdft", "pcns", "durham-community-action")
LAST = "healthwatch"


def signature(organisation: str, on: str) -> dict[str, Any]:
    return {
        "type": "SignMou",
        "organisation": organisation,
        "signatory_name": f"Chief Executive of {organisation}",
        "signatory_role": "Chief Executive",
        "signed_on": on,
    }


def acknowledged_on(exit_state: dict[str, Any], recipient: str) -> str | None:
    (notice,) = (n for n in exit_state["notices"] if n["recipient"] == recipient)
    acknowledged: str | None = notice["acknowledged_on"]
    return acknowledged


async def delivered(api: httpx.AsyncClient, exit_id: str) -> dict[str, Any]:
    """The exit as the API shows it once its first steps have delivered the notices."""
    for _ in range(200):
        view = await api.get(f"/processes/{exit_id}")
        assert view.status_code == 200, view.text
        notices = view.json()["state"]["notices"]
        if notices and all(n["delivered_on"] for n in notices):
            found: dict[str, Any] = view.json()
            return found
        await asyncio.sleep(0.05)
    raise AssertionError("the exit notices were never delivered")


def representative(organisation: str) -> str:
    """The development user who represents `organisation` of County Durham."""
    return f"dev-rep-{organisation}-county-durham"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def recorded(store: EventStore) -> list[str]:
    return [e.type for e in await store.read_all()]


async def test_staff_run_a_partnership_through_the_api(
    serve: Serve,
    issuer: str,
    time_skipping_env: WorkflowEnvironment,
    temporal: Client,
    worker: Worker,
    store: EventStore,
    task_queue: str,
    database_url: str,
) -> None:
    token = await program_token(issuer, SECRETARY)
    today = (await time_skipping_env.get_current_time()).date()
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
        early = await api.post(f"/partnerships/{SLUG}/signatures", json=signature("icb", "x"))
        assert early.status_code == 422  # the body is checked before anything else
        early = await api.post(
            f"/partnerships/{SLUG}/signatures", json=signature("icb", today.isoformat())
        )
        assert early.status_code == 409
        assert f"POST /api/v1/partnerships/{SLUG}/start" in early.json()["detail"]
        assert (await api.post("/partnerships/nowhere/start")).status_code == 404

        started = await api.post(f"/partnerships/{SLUG}/start")
        assert started.json() == {"workflow_id": partnership_stream(SLUG), "started": True}
        again = await api.post(f"/partnerships/{SLUG}/start")
        assert again.json()["started"] is False

        # Each partner's representative signs for their own organisation (rule A2).
        tokens = {o: await program_token(issuer, representative(o)) for o in (*SIGNATORIES, LAST)}
        for organisation in SIGNATORIES:
            signed = await api.post(
                f"/partnerships/{SLUG}/signatures",
                json=signature(organisation, str(today)),
                headers=bearer(tokens[organisation]),
            )
            assert signed.status_code == 200, signed.text
        before = await recorded(store)
        assert before == ["MouSigned"] * len(SIGNATORIES)

        # Refusals: 403 for who may not, the validator's sentence for what may not be; a 4xx,
        # and nothing written.
        for_another = await api.post(
            f"/partnerships/{SLUG}/signatures",
            json=signature(LAST, str(today)),
            headers=bearer(tokens["icb"]),
        )
        assert for_another.status_code == 403
        assert "may not SignMou for healthwatch" in for_another.json()["detail"], for_another.text
        without_reason = await api.post(
            f"/partnerships/{SLUG}/signatures", json=signature(LAST, str(today))
        )
        assert without_reason.status_code == 403, without_reason.text
        twice = await api.post(
            f"/partnerships/{SLUG}/signatures",
            json=signature("icb", str(today)),
            headers=bearer(tokens["icb"]),
        )
        assert twice.status_code == 422
        assert "icb" in twice.json()["detail"] and "already signed" in twice.json()["detail"]
        assert await recorded(store) == before

        # The secretariat records the last counterpart for its partner, saying why.
        behalf = {"on_behalf_of": LAST, "reason": "counterpart received by post"}
        last = await api.post(
            f"/partnerships/{SLUG}/signatures", json=signature(LAST, str(today)), params=behalf
        )
        assert last.status_code == 200, last.text
        assert last.json()["effective_on"] == today.isoformat()
        state = (await api.get(f"/partnerships/{SLUG}")).json()
        assert state["effective_on"] == today.isoformat() and state["mou_version"] == 1

        events = await store.read_stream(partnership_stream(SLUG))
        assert [e.type for e in events][-1] == "MouEffective"
        signers = [who(e.metadata) for e in events if e.type == "MouSigned"]
        assert signers[:-1] == [f"dev.rep.{o}@county-durham.example" for o in SIGNATORIES]
        assert signers[-1] == SECRETARY_EMAIL
        provenance = next(
            e for e in events if e.type == "MouSigned" and who(e.metadata) == SECRETARY_EMAIL
        ).metadata["provenance"]
        assert (provenance["on_behalf_of"], provenance["reason"], provenance["channel"]) == (
            LAST,
            "counterpart received by post",
            "api",
        )

        notice = {
            "type": "NotifyExit",
            "organisation": "tewv",
            "notified_on": str(today),
            "effective_on": str(today + timedelta(days=60)),
            "signatory_name": "A. Name",
        }
        exit_started = await api.post(
            f"/partnerships/{SLUG}/processes", json=notice, headers=bearer(tokens["tewv"])
        )
        assert exit_started.status_code == 200, exit_started.text
        exit_id = exit_started.json()["process_id"]
        assert exit_started.json()["process"] == "exit"
        assert "icb" in exit_started.json()["recipients"]

        view = await delivered(api, exit_id)
        assert view["process"]["workflow_type"] == "Exit"
        assert acknowledged_on(view["state"], "icb") is None

        misdirected = await api.post(
            f"/processes/{exit_id}/commands",
            json={"type": "ApproveMinutes", "approved_on": str(today), "reference": "M-1"},
        )
        assert misdirected.status_code == 422
        assert "does not take ApproveMinutes" in misdirected.json()["detail"]

        acknowledged = await api.post(
            f"/processes/{exit_id}/commands",
            json={
                "type": "AcknowledgeNotice",
                "recipient": "icb",
                "acknowledged_on": str(today),
                "acknowledged_by": "ICB Secretary",
            },
        )
        assert acknowledged.status_code == 200, acknowledged.text
        state = (await api.get(f"/processes/{exit_id}")).json()["state"]
        assert acknowledged_on(state, "icb") == str(today)
        acknowledged_events = [
            e for e in await store.read_stream(exit_id) if e.type == "NoticeAcknowledged"
        ]
        # The secretariat records the letter of acknowledgement it received (rule A1).
        assert [who(e.metadata) for e in acknowledged_events] == [SECRETARY_EMAIL]

        assert (await api.get("/processes/exit:nowhere:x:2020-01-01")).status_code == 404
        unknown = await api.post(
            "/processes/exit:nowhere:x:2020-01-01/commands",
            json={"type": "WithdrawExit", "withdrawn_on": str(today)},
        )
        assert unknown.status_code == 404

        what_if = await api.post(f"/partnerships/{SLUG}/what-if", json={"leaving": ["tewv"]})
        assert what_if.status_code == 200, what_if.text
        assert what_if.json()["source"] == f"the current state of {partnership_stream(SLUG)}"

        auditor = bearer(await program_token(issuer, "dev-auditor"))
        verified = (await api.get("/audit/verify", headers=auditor)).json()
        assert verified["intact"] is True and verified["checked"] == len(await recorded(store))
        trail = (await api.get(f"/audit/partnerships/{SLUG}/trail", headers=auditor)).json()
        signed_lines = [line["actor"] for line in trail if line["type"] == "MouSigned"]
        assert len(signed_lines) == len(SIGNATORIES) + 1
        assert "dev.rep.icb@county-durham.example" in signed_lines[0]


async def test_visibility_lists_the_partnerships_and_their_processes(
    serve: Serve,
    issuer: str,
    dev_client: Client,
    dev_worker: Worker,
    task_queue: str,
    tmp_path: Path,
) -> None:
    """On the dev server: the time-skipping server has no visibility to list from."""
    slug = f"{SLUG}-{uuid.uuid4().hex[:6]}"
    folder = tmp_path / "partnerships"
    folder.mkdir()
    shipped = (SHIPPED / f"{SLUG}.toml").read_text(encoding="utf-8")
    (folder / f"{slug}.toml").write_text(
        shipped.replace(f'slug = "{SLUG}"', f'slug = "{slug}"', 1), encoding="utf-8"
    )
    token = await program_token(issuer, SECRETARY)
    async with (
        serve(temporal=dev_client, task_queue=task_queue, partnerships_dir=folder) as web,
        httpx.AsyncClient(
            base_url=f"{web}/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=60
        ) as api,
    ):
        listed = (await api.get("/partnerships")).json()
        assert listed == [
            {
                "slug": slug,
                "name": "County Durham Care Partnership",
                "workflow_id": partnership_stream(slug),
                "running": False,
            }
        ]
        assert (await api.post(f"/partnerships/{slug}/start")).status_code == 200
        try:
            assert (await api.get("/partnerships")).json()[0]["running"] is True
            rows = (
                await api.get("/processes", params={"partnership": slug, "open": "true"})
            ).json()
            assert [r["workflow_id"] for r in rows] == [partnership_stream(slug)]
            assert rows[0]["concordat_status"] in (None, "collecting-signatures")
        finally:
            await dev_client.get_workflow_handle(partnership_stream(slug)).terminate()

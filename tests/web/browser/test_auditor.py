"""The auditor's story in Chromium on the real stack (the OpenID provider's form, Temporal, the
worker, PostgreSQL): a partnership signs and a partner leaves; the auditor verifies the log,
replays the partnership as it stood before and after the partner left, filters the trail and
downloads the export, which the standalone verifier accepts. Someone who is not an auditor is
shown why not."""

import asyncio
import csv
import io
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path

import asyncpg
import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from playwright.async_api import Browser, Page
from pydantic import SecretStr
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from audit import verify_offline
from eventstore.checkpoint import Signer
from eventstore.store import EventStore
from eventstore.tree import TreeStore
from tests.web.browser.browsing import check_accessibility, screenshot, sign_in
from tests.web.conftest import Serve
from tests.web.signing_in import SECRETARY, program_token

SLUG = "county-durham"
AUDITOR = "dev-auditor"
SIGNATORIES = ("icb", "dcc", "cddft", "tewv", "hdft", "pcns", "durham-community-action")
CHECKPOINTS = Signer("concordat.test/log", Ed25519PrivateKey.generate())


async def a_partner_leaves(
    issuer: str, web: str, env: WorkflowEnvironment, store: EventStore
) -> tuple[date, date]:
    """Every partner signs; TEWV gives notice and, 60 days on (time skipped), leaves. The
    signing day and the day it left."""
    today = (await env.get_current_time()).date()
    secretary = await program_token(issuer, SECRETARY)
    async with httpx.AsyncClient(base_url=f"{web}/api/v1", timeout=60) as api:

        async def as_(
            sub: str | None, path: str, body: Mapping[str, object] | None = None, **params: str
        ) -> None:
            token = secretary if sub is None else await program_token(issuer, sub)
            answer = await api.post(
                path, json=body, params=params, headers={"Authorization": f"Bearer {token}"}
            )
            assert answer.status_code == 200, answer.text

        await as_(None, f"/partnerships/{SLUG}/start")
        for organisation in (*SIGNATORIES, "healthwatch"):
            signature = {
                "type": "SignMou",
                "organisation": organisation,
                "signatory_name": f"Chief Executive of {organisation}",
                "signatory_role": "Chief Executive",
                "signed_on": str(today),
            }
            if organisation == "healthwatch":
                await as_(
                    None,
                    f"/partnerships/{SLUG}/signatures",
                    signature,
                    on_behalf_of=organisation,
                    reason="counterpart received by post",
                )
            else:
                await as_(
                    f"dev-rep-{organisation}-county-durham",
                    f"/partnerships/{SLUG}/signatures",
                    signature,
                )
        left = today + timedelta(days=60)
        notice = {
            "type": "NotifyExit",
            "organisation": "tewv",
            "notified_on": str(today),
            "effective_on": str(left),
            "signatory_name": "A. Name",
        }
        await as_("dev-rep-tewv-county-durham", f"/partnerships/{SLUG}/processes", notice)
    await env.sleep(timedelta(days=61))
    for _ in range(400):
        if "MembershipEnded" in {e.type for e in await store.read_partnership(SLUG)}:
            return today, left
        await asyncio.sleep(0.05)
    raise AssertionError("TEWV never left")


async def replay_on(page: Page, day: date) -> None:
    await page.fill("#as_of-day", str(day.day))
    await page.fill("#as_of-month", str(day.month))
    await page.fill("#as_of-year", str(day.year))
    await page.click("button:has-text('Replay')")
    await page.wait_for_load_state()
    await check_accessibility(page)


async def members(page: Page) -> str:
    return await page.locator("#members").inner_text()


async def test_an_auditor_replays_as_of_a_date_filters_the_trail_and_downloads_the_export(
    serve: Serve,
    issuer: str,
    time_skipping_env: WorkflowEnvironment,
    temporal: Client,
    worker: Worker,
    store: EventStore,
    pool: asyncpg.Pool,
    task_queue: str,
    database_url: str,
    chromium: Browser,
    tmp_path: Path,
) -> None:
    async with serve(
        temporal=temporal,
        task_queue=task_queue,
        auditor_database_url=SecretStr(database_url),
        checkpoint_public_key=str(CHECKPOINTS.verifier),
    ) as web:
        signed, left = await a_partner_leaves(issuer, web, time_skipping_env, store)
        await TreeStore(pool).mint(CHECKPOINTS, (await time_skipping_env.get_current_time()))
        recorded = await store.read_partnership(SLUG)

        auditor = await sign_in(chromium, web, AUDITOR, "/audit")
        page = auditor.page
        await check_accessibility(page)
        body = await page.locator("main").inner_text()
        assert "Intact" in body and f"{len(recorded)} events verified" in body
        head = await store.digest()
        assert str(head) in body
        await screenshot(page, "audit")

        # The whole log up to the checkpoint, and the checkpoint: the verifier accepts them.
        async with page.expect_download() as exported:
            await page.click("text=The log up to the latest checkpoint (JSON Lines)")
        log_file = tmp_path / "log.jsonl"
        await (await exported.value).save_as(log_file)
        async with page.expect_download() as checkpoint:
            await page.click("text=that checkpoint")
        note = Path(await (await checkpoint.value).path()).read_text()
        key = verify_offline.parse_key(str(CHECKPOINTS.verifier))
        lines = log_file.read_text().splitlines()
        assert verify_offline.check_export(lines, note, key) == (
            f"verified: {len(lines)} events, as the checkpoint of size {len(lines)} signed"
        )

        # As it stood after TEWV left, then before: a member again, its exit open.
        await page.click("main a:has-text('County Durham')")
        await page.wait_for_url(f"{web}/audit/partnerships/{SLUG}*")
        await check_accessibility(page)
        await replay_on(page, left + timedelta(days=1))
        assert "Tees, Esk and Wear Valleys" not in await members(page)
        assert "left on" in await page.locator("#departures").inner_text()
        await replay_on(page, signed)
        assert "Tees, Esk and Wear Valleys" in await members(page)
        assert (
            "Exit of Tees, Esk and Wear Valleys"
            in await page.locator("#open-processes").inner_text()
        )
        await page.evaluate("document.getElementById('as_of').scrollIntoView()")
        await screenshot(page, "audit-replay")
        await page.fill("#as_of-day", "31")
        await page.fill("#as_of-month", "2")
        await page.click("button:has-text('Replay')")
        await page.wait_for_load_state()
        assert (
            "The date must be a real date"
            in await page.locator(".nhsuk-error-summary").inner_text()
        )
        await check_accessibility(page)

        # The partnership's events as CSV: every one, every column.
        await replay_on(page, signed)
        async with page.expect_download() as download:
            await page.click("a:has-text('CSV')")
        rows = list(
            csv.DictReader(io.StringIO(Path(await (await download.value).path()).read_text()))
        )
        assert [int(r["position"]) for r in rows] == [e.position for e in recorded]

        # The trail, narrowed to TEWV, then to what its representative did.
        await page.click("text=Read its trail")
        await page.wait_for_url(f"{web}/audit/partnerships/{SLUG}/trail")
        await check_accessibility(page)
        await page.select_option("#organisation", "tewv")
        await page.click("button:has-text('Filter')")
        await page.wait_for_load_state()
        await check_accessibility(page)
        trail_rows = page.locator("#trail tbody tr")
        texts = await trail_rows.all_inner_texts()
        assert texts and all("tewv" in t for t in texts)
        assert any("left the partnership" in t for t in texts)
        await page.select_option("#organisation", "")
        await page.fill("#person", "dev.rep.tewv")
        await page.click("button:has-text('Filter')")
        await page.wait_for_load_state()
        by_rep = await trail_rows.all_inner_texts()
        assert by_rep and all("dev.rep.tewv@county-durham.example" in t for t in by_rep)
        assert len(by_rep) < len(texts)
        await page.select_option("#process", f"partnership:{SLUG}")
        await page.click("button:has-text('Filter')")
        await page.wait_for_load_state()
        in_partnership = await trail_rows.all_inner_texts()
        assert in_partnership and all(f"partnership:{SLUG}" in t for t in in_partnership)
        assert len(in_partnership) < len(by_rep)
        await check_accessibility(page)
        await page.evaluate("document.querySelector('form legend').scrollIntoView()")
        await screenshot(page, "audit-trail")
        for prefix, day in (("since", left), ("until", signed)):
            await page.fill(f"#{prefix}-day", str(day.day))
            await page.fill(f"#{prefix}-month", str(day.month))
            await page.fill(f"#{prefix}-year", str(day.year))
        await page.click("button:has-text('Filter')")
        await page.wait_for_load_state()
        summary = await page.locator(".nhsuk-error-summary").inner_text()
        assert f"the first day {left} is after the last day {signed}: swap them" in summary
        await check_accessibility(page)
        await auditor.close()

        # Not an auditor: a page saying so, in the rule's words.
        secretary = await sign_in(chromium, web, SECRETARY, "/audit")
        refused = await secretary.open(f"/audit/partnerships/{SLUG}")
        assert await refused.locator("h1").inner_text() == "You cannot do that"
        assert "only its auditors do (rule A10)" in await refused.locator("main").inner_text()
        await secretary.close()

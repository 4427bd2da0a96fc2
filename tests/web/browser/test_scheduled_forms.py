"""On the dev server (the time-skipping server lists nothing): a body's meeting cycle and a round
of declarations as their schedules start them, and in a browser without JavaScript the clerk
sets the meeting on the Meetings page, and a member returns their declaration from My tasks and
updates it on the register's page; axe on each page."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from playwright.async_api import Browser, Page
from pydantic import SecretStr
from temporalio.client import Client
from temporalio.worker import Worker

from domain.partnerships_config import SHIPPED, load_partnership
from tests.web.browser.browsing import check_accessibility, screenshot, sign_in
from tests.web.conftest import Serve
from tests.web.signing_in import SECRETARY, program_token
from tests.web.test_api import SLUG, bearer
from workflows.contracts.declarations import DeclarationsInput
from workflows.contracts.meeting_cycle import MeetingCycleInput
from workflows.declarations import DeclarationsWorkflow
from workflows.meeting_cycle import MeetingCycleWorkflow

MEMBER = "dev-member-icb-director-place-based-delivery-county-durham"


async def submitted(page: Page, button: str, back: str) -> None:
    await page.get_by_role("button", name=button).click()
    await page.wait_for_url(f"**{back}")
    await check_accessibility(page, javascript=False)


async def test_the_clerk_sets_a_meeting_and_a_member_returns_and_updates_a_declaration(
    serve: Serve,
    issuer: str,
    dev_client: Client,
    dev_worker: Worker,
    task_queue: str,
    database_url: str,
    chromium: Browser,
    tmp_path: Path,
) -> None:
    slug = f"{SLUG}-{uuid.uuid4().hex[:6]}"  # the dev server outlives the test: its own slug
    folder = tmp_path / "partnerships"
    folder.mkdir()
    shipped = (SHIPPED / f"{SLUG}.toml").read_text(encoding="utf-8")
    (folder / f"{slug}.toml").write_text(
        shipped.replace(f'slug = "{SLUG}"', f'slug = "{slug}"', 1), encoding="utf-8"
    )
    config = load_partnership(slug, folder)
    today = datetime.now(UTC).date()
    meeting_on = today + timedelta(days=70)
    async with serve(
        temporal=dev_client,
        task_queue=task_queue,
        partnerships_dir=folder,
        auditor_database_url=SecretStr(database_url),
    ) as web:
        token = await program_token(issuer, SECRETARY)
        async with httpx.AsyncClient(base_url=f"{web}/api/v1", timeout=60) as api:
            started = await api.post(f"/partnerships/{slug}/start", headers=bearer(token))
            assert started.status_code == 200, started.text
        await dev_client.start_workflow(
            MeetingCycleWorkflow.run,
            MeetingCycleInput(config=config, body="cdcpe", meeting_on=meeting_on),
            id=f"meeting:{slug}:cdcpe-{uuid.uuid4().hex[:8]}",
            task_queue=task_queue,
        )
        await dev_client.start_workflow(
            DeclarationsWorkflow.run,
            DeclarationsInput(config=config, body="cdcpe", kind="annual", requested_on=today),
            id=f"declarations:{slug}:cdcpe:annual-{uuid.uuid4().hex[:8]}",
            task_queue=task_queue,
        )

        clerk = await sign_in(chromium, web, SECRETARY, javascript=False)
        meetings = f"/partnerships/{slug}/meetings"
        for _ in range(100):  # visibility lists a workflow a moment after it starts
            page = await clerk.open(meetings)
            if await page.locator("form[id^='SetMeeting-']").count():
                break
            await asyncio.sleep(0.1)
        form = page.locator("form[id^='SetMeeting-']")
        await form.get_by_label("Starts at").fill("14:00")
        await form.get_by_label("Venue").fill("County Hall, Durham")
        await submitted(page, "Set the meeting", meetings)
        row = page.locator("tbody tr", has_text="County Hall, Durham")
        assert "14:00" in await row.inner_text() and "Going ahead" in await row.inner_text()
        assert await page.locator("form[id^='MoveMeeting-']").count() == 1, "set once, then moved"
        await screenshot(page, "meetings")

        cancel = page.locator("form[id^='CancelMeeting-']")
        await cancel.get_by_role("button", name="Cancel the meeting").click()
        await page.wait_for_url(f"**{meetings}")
        refusal = cancel.locator(".concordat-refusal")
        assert "reason" in (await refusal.inner_text()).lower(), "a cancellation says why"
        await clerk.close()

        member = await sign_in(chromium, web, MEMBER, javascript=False)
        page = await member.open("/tasks")
        await page.get_by_role("link", name="Return your declaration of interests").click()
        form = page.locator("form[id^='ReturnDeclaration-']")
        await form.get_by_label("Description").first.fill("Trustee of a local hospice charity")
        await form.get_by_label("Kind").first.select_option("non_financial_personal")
        await form.get_by_role("button", name="Return the declaration").click()
        await page.wait_for_load_state()
        register = f"/partnerships/{slug}/registers/cdcpe"
        page = await member.open(register)
        row = page.locator("tbody tr", has_text="Trustee of a local hospice charity")
        assert "non financial personal" in await row.inner_text()
        form = page.locator("form[id^='UpdateDeclaration-']")
        await form.get_by_label("Description").first.fill("Chair of a local hospice charity")
        await submitted(page, "Update the declaration", register)
        assert await page.locator("tbody tr", has_text="Chair of a local hospice").count() == 1
        await screenshot(page, "register")
        await member.close()

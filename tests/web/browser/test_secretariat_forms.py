"""The secretariat's escalation records as plain forms in a browser without JavaScript (from My
tasks to the escalation, an action agreed and completed, a referral refused and then made), the
person's calendar addresses, the meetings page and a register with its CSV; axe on each page."""

import asyncio
from datetime import date, timedelta

import httpx
from playwright.async_api import Browser

from tests.web.browser.browsing import check_accessibility, screenshot, sign_in
from tests.web.browser.test_stories import stack, timeline  # noqa: F401 (stack: the fixture)
from tests.web.signing_in import SECRETARY, program_token
from tests.web.test_api import SLUG, bearer, representative


async def raised(web: str, issuer: str, today: date) -> str:
    """An escalation raised at the Acute Care Board through the API, once Temporal lists it."""
    token = await program_token(issuer, SECRETARY)
    async with httpx.AsyncClient(
        base_url=f"{web}/api/v1", headers=bearer(token), timeout=60
    ) as api:
        answer = await api.post(
            f"/partnerships/{SLUG}/processes",
            json={
                "type": "RaiseEscalation",
                "escalation_id": "acute-2",
                "raised_by": "acute-care-board",
                "reason": "outcome_not_delivered",
                "summary": "Discharge target missed",
                "raised_on": today.isoformat(),
            },
        )
        assert answer.status_code == 200, answer.text
        process_id: str = answer.json()["process_id"]
        for _ in range(100):  # Temporal lists its partnership once its first task has run
            if (await api.get(f"/processes/{process_id}")).json()["process"]["partnership"]:
                return process_id
            await asyncio.sleep(0.05)
    raise AssertionError(f"{process_id} never named its partnership")


async def varied(web: str, issuer: str, today: date) -> str:
    """The annual review started and a variation proposed by DCC, through the API."""
    secretariat = bearer(await program_token(issuer, SECRETARY))
    dcc = bearer(await program_token(issuer, representative("dcc")))
    async with httpx.AsyncClient(base_url=f"{web}/api/v1", timeout=60) as api:
        started = await api.post(
            f"/partnerships/{SLUG}/processes", json={"type": "RequestReview"}, headers=secretariat
        )
        assert started.status_code == 200, started.text
        review_id: str = started.json()["process_id"]
        for _ in range(100):  # Temporal lists its partnership once its first task has run
            seen = await api.get(f"/processes/{review_id}", headers=secretariat)
            if seen.json()["process"]["partnership"]:
                break
            await asyncio.sleep(0.05)
        proposed = await api.post(
            f"/processes/{review_id}/commands",
            json={
                "type": "ProposeVariation",
                "proposed_by": "dcc",
                "summary": "Add the hospice as a partner",
                "proposed_on": today.isoformat(),
            },
            headers=dcc,
        )
        assert proposed.status_code == 200, proposed.text
    return review_id


async def test_the_secretariat_records_an_escalations_level_in_forms_without_javascript(
    stack: tuple[str, date],  # noqa: F811
    chromium: Browser,
    issuer: str,
) -> None:
    web, today = stack
    process_id = await raised(web, issuer, today)
    secretary = await sign_in(chromium, web, SECRETARY, javascript=False)
    page = await secretary.open("/tasks")
    await page.get_by_role(
        "link", name="Record the consideration of the Thematic partnership board"
    ).click()
    await page.wait_for_url(f"**/processes/{process_id}#ReferUp-")
    await check_accessibility(page, javascript=False)

    action = page.locator("#AgreeAction")
    await action.get_by_label("Kind of action").select_option("recovery_plan")
    await action.get_by_label("What is to be done").fill("A discharge recovery plan")
    await action.get_by_label("Owner").fill("icb")
    await action.get_by_label("Due on").fill((today + timedelta(days=14)).isoformat())
    await action.get_by_role("button", name="Record the action").click()
    await page.wait_for_url(f"{web}/processes/{process_id}")
    await check_accessibility(page, javascript=False)
    complete = page.locator("form[id^='CompleteAction-']")
    assert "A discharge recovery plan" in await complete.inner_text()
    await complete.get_by_role("button", name="Record it as completed").click()
    await page.wait_for_url(f"{web}/processes/{process_id}")
    assert await page.locator("form[id^='CompleteAction-']").count() == 0

    refer = page.locator("#ReferUp-")
    await refer.get_by_role("button", name="Refer it up").click()
    await check_accessibility(page, javascript=False)
    refusal = refer.locator(".concordat-refusal")
    assert "notes" in (await refusal.inner_text()).lower(), "a referral must say why"
    await refer.get_by_label("The body that met").select_option("acute-care-board")
    await refer.get_by_label("Why it could not be settled").fill("The board cannot fund it")
    await refer.get_by_role("button", name="Refer it up").click()
    await page.wait_for_url(f"{web}/processes/{process_id}")
    assert await page.locator("#DecideEscalation-").count() == 1, "the Executive votes next"
    considered = [line for line in await timeline(page) if "considered escalation" in line]
    assert len(considered) == 1 and "The board cannot fund it" in considered[0]

    page = await secretary.open("/calendars")
    everything = page.get_by_label("One calendar for every partnership")
    assert (await everything.input_value()).endswith(".ics")
    assert await page.get_by_label("The whole partnership").count() >= 1
    await screenshot(page, "calendars")

    page = await secretary.open(f"/partnerships/{SLUG}/meetings")
    assert await page.locator("h1").inner_text() == "Meetings"
    assert "No key decisions" in await page.content() or await page.locator("li").count()
    page = await secretary.open(f"/partnerships/{SLUG}/registers/cdcpe")
    download = page.get_by_role("link", name="Download the register (CSV)")
    csv = await secretary.context.request.get(f"{web}{await download.get_attribute('href')}")
    assert csv.ok and csv.headers["content-type"].startswith("text/csv")
    missing = await secretary.context.request.get(f"{web}/partnerships/{SLUG}/registers/nobody")
    assert missing.status == 404
    await secretary.close()

    # A representative refuses a variation from My tasks, giving a reason.
    review_id = await varied(web, issuer, today)
    icb = await sign_in(chromium, web, representative("icb"), javascript=False)
    page = await icb.open("/tasks")
    await page.get_by_role("link", name="Agree to or refuse the proposed variation for").click()
    refuse = page.locator("#RefuseVariation-icb")
    await refuse.get_by_label("Why").fill("The ICB board has not seen it")
    await refuse.get_by_role("button", name="Refuse the variation").click()
    await page.wait_for_url(f"{web}/processes/{review_id}")
    await check_accessibility(page, javascript=False)
    refused = [line for line in await timeline(page) if "refused variation" in line]
    assert len(refused) == 1 and "The ICB board has not seen it" in refused[0]
    assert await page.locator("#AgreeVariation-icb, #RefuseVariation-icb").count() == 0
    await icb.close()

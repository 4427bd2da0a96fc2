"""The issue's stories in headless Chromium on the real stack: sign-in through the OpenID
provider's form, Temporal (time-skipping) with the worker, PostgreSQL. Every page visited is
checked with axe; the main pages are kept as screenshots in docs/screenshots/."""

import asyncio
from collections.abc import AsyncIterator
from datetime import date, timedelta

import httpx
import pytest
from playwright.async_api import Browser, Page, expect
from pydantic import SecretStr
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from eventstore.store import EventStore
from tests.web.browser.browsing import Person, check_accessibility, screenshot, sign_in
from tests.web.conftest import Serve
from tests.web.signing_in import SECRETARY, program_token
from tests.web.test_api import LAST, SIGNATORIES, SLUG, bearer, representative, signature

ICB = "North East and North Cumbria Integrated Care Board"
MEDICAL_DIRECTOR = "dev-member-icb-medical-director-county-durham"


async def effective(issuer: str, web: str, today: date) -> None:
    """The partnership started and its MoU signed by every representative, through the API."""
    token = await program_token(issuer, SECRETARY)
    async with httpx.AsyncClient(base_url=f"{web}/api/v1", timeout=60) as api:
        started = await api.post(f"/partnerships/{SLUG}/start", headers=bearer(token))
        assert started.status_code == 200, started.text
        for organisation in (*SIGNATORIES, LAST):
            rep = await program_token(issuer, representative(organisation))
            signed = await api.post(
                f"/partnerships/{SLUG}/signatures",
                json=signature(organisation, today.isoformat()),
                headers=bearer(rep),
            )
            assert signed.status_code == 200, signed.text


@pytest.fixture
async def stack(
    serve: Serve,
    issuer: str,
    time_skipping_env: WorkflowEnvironment,
    temporal: Client,
    worker: Worker,
    task_queue: str,
    database_url: str,
) -> AsyncIterator[tuple[str, date]]:
    """The web service on the test's Temporal and database, the partnership in effect."""
    today = (await time_skipping_env.get_current_time()).date()
    async with serve(
        temporal=temporal, task_queue=task_queue, auditor_database_url=SecretStr(database_url)
    ) as web:
        await effective(issuer, web, today)
        yield web, today


async def timeline(page: Page) -> list[str]:
    return await page.locator(".concordat-timeline li").all_inner_texts()


async def respond(person: Person, process_id: str, organisation: str, name: str) -> Page:
    """From My tasks, one click to the form, then the response sent."""
    page = await person.open("/tasks")
    task = page.get_by_role("link", name=f"Respond to the annual review of the MoU for {name}")
    await task.click()
    await page.wait_for_url(f"**/processes/{process_id}*")
    await check_accessibility(page)
    form = page.locator(f"#RecordResponse-{organisation}")
    await form.get_by_label("Yes, unchanged").check()
    await form.get_by_role("button", name="Send the response").click()
    await page.wait_for_load_state()
    await check_accessibility(page)
    return page


async def test_a_review_is_started_answered_by_two_and_refused_for_another_organisation(
    stack: tuple[str, date], chromium: Browser, store: EventStore
) -> None:
    web, _ = stack
    secretary = await sign_in(chromium, web, SECRETARY, f"/partnerships/{SLUG}")
    page = secretary.page
    await check_accessibility(page)
    await page.get_by_role("button", name="Start the annual review now").click()
    await page.wait_for_url(f"{web}/processes/review:{SLUG}:*")
    process_id = page.url.removeprefix(f"{web}/processes/")
    await check_accessibility(page)
    assert "open" in (await page.locator(".nhsuk-tag").first.inner_text()).lower()

    dcc = await sign_in(chromium, web, representative("dcc"))
    tasks = await dcc.open("/tasks")
    await screenshot(tasks, "my-tasks")
    answered = await respond(dcc, process_id, "dcc", "Durham County Council")
    assert any(
        "Durham County Council" in line or "dcc" in line for line in await timeline(answered)
    )
    assert await answered.locator("#RecordResponse-dcc").count() == 0, "the task is done"

    icb = await sign_in(chromium, web, representative("icb"))
    await respond(icb, process_id, "icb", ICB)
    # DCC's page, left open, follows the process: it reloads itself with ICB's response.
    await expect(answered.locator(".concordat-timeline")).to_contain_text(
        "Integrated Care Board) answered review", timeout=15000
    )
    await screenshot(icb.page, "process-review")

    # TEWV's representative alters the form to answer for HDFT: refused beside the form, in the
    # domain's words, and nothing is written.
    tewv = await sign_in(chromium, web, representative("tewv"))
    page = await tewv.open(f"/processes/{process_id}")
    before = [e.position for e in await store.read_all()]
    form = page.locator("#RecordResponse-tewv")
    await form.locator("input[name=organisation]").evaluate("field => field.value = 'hdft'")
    await form.get_by_role("button", name="Send the response").click()
    await page.wait_for_load_state()
    refusal = page.locator("#RecordResponse-tewv .concordat-refusal")
    assert "may not RecordResponse for hdft" in await refusal.inner_text()
    assert "rule A2" in await refusal.inner_text()
    await check_accessibility(page)
    assert [e.position for e in await store.read_all()] == before

    # A form without this session's CSRF token is refused before anything is sent.
    forged = await tewv.context.request.post(
        f"{web}/processes/{process_id}/commands",
        form={"type": "RecordResponse", "organisation": "tewv", "confirms_unchanged": "true"},
    )
    assert forged.status == 403 and "did not come from this sign-in" in await forged.text()
    assert [e.position for e in await store.read_all()] == before

    for person in (secretary, dcc, icb, tewv):
        await person.close()


async def test_a_partner_gives_notice_and_the_secretariat_records_acknowledgements(
    stack: tuple[str, date], chromium: Browser
) -> None:
    web, today = stack
    tewv = await sign_in(chromium, web, representative("tewv"), f"/partnerships/{SLUG}")
    page = tewv.page
    await check_accessibility(page)
    await page.get_by_text("Give notice of exit for Tees").click()
    form = page.locator("#NotifyExit-tewv")
    await form.get_by_label("Leaving on").fill((today + timedelta(days=60)).isoformat())
    await form.get_by_label("Signed by (name)").fill("A. Name, Chief Executive")
    await form.get_by_role("button", name="Give notice of exit").click()
    await page.wait_for_url(f"{web}/processes/exit:{SLUG}:tewv:*")
    exit_id = page.url.removeprefix(f"{web}/processes/")
    await check_accessibility(page)

    secretary = await sign_in(chromium, web, SECRETARY)
    page = secretary.page
    for _ in range(100):  # the worker delivers the notices; then they are owed
        await page.goto(f"{web}/tasks")
        if await page.get_by_role("link", name=f"Record {ICB}'s acknowledgement").count():
            break
        await page.wait_for_timeout(200)
    await check_accessibility(page)
    await page.get_by_role("link", name=f"Record {ICB}'s acknowledgement").click()
    form = page.locator("#AcknowledgeNotice-icb")
    await form.get_by_label("Acknowledged by").fill("ICB Board Secretary")
    await form.get_by_role("button", name="Record the acknowledgement").click()
    await page.wait_for_url(f"{web}/processes/{exit_id}")
    await check_accessibility(page)
    assert await page.locator("#AcknowledgeNotice-icb").count() == 0
    assert any("acknowledg" in line.lower() for line in await timeline(page))
    assert await page.locator("details.nhsuk-details").count() >= 1, "the letters issued"
    await screenshot(page, "process-exit")

    await page.goto(f"{web}/partnerships/{SLUG}")
    await screenshot(page, "partnership")
    await page.get_by_label("Tees, Esk and Wear Valleys NHS Foundation Trust").check()
    await page.get_by_role("button", name="Show the consequences").click()
    await page.wait_for_load_state()
    await check_accessibility(page)
    assert await page.locator("#what-if-answer tbody tr").count() >= 1
    await page.get_by_role("heading", name="Consequences, per body").scroll_into_view_if_needed()
    await screenshot(page, "what-if")

    for person in (tewv, secretary):
        await person.close()


async def test_a_board_member_votes_at_an_escalation_and_sees_the_outcome(
    stack: tuple[str, date], chromium: Browser, issuer: str
) -> None:
    """A member of the CDCP Executive casts their own vote from My tasks (rule A11), the
    secretary records the meeting, which counts it (P4.10), and the member sees the outcome."""
    web, today = stack
    token = await program_token(issuer, SECRETARY)
    async with httpx.AsyncClient(
        base_url=f"{web}/api/v1", headers=bearer(token), timeout=60
    ) as api:
        raised = await api.post(
            f"/partnerships/{SLUG}/processes",
            json={
                "type": "RaiseEscalation",
                "escalation_id": "acute-1",
                "raised_by": "acute-care-board",
                "reason": "outcome_not_delivered",
                "summary": "Discharge target missed",
                "raised_on": today.isoformat(),
            },
        )
        assert raised.status_code == 200, raised.text
        escalation_id = raised.json()["process_id"]
        for _ in range(100):  # Temporal lists its partnership once its first task has run
            if (await api.get(f"/processes/{escalation_id}")).json()["process"]["partnership"]:
                break
            await asyncio.sleep(0.05)
        referred = await api.post(
            f"/processes/{escalation_id}/commands",
            json={
                "type": "ReferUp",
                "level": 1,
                "body": "acute-care-board",
                "referred_on": today.isoformat(),
                "notes": "The board cannot resolve it alone",
            },
        )
        assert referred.status_code == 200, referred.text

    member = await sign_in(chromium, web, MEDICAL_DIRECTOR)
    page = member.page
    await check_accessibility(page)
    await page.get_by_role(
        "link",
        name="Vote at the County Durham Care Partnership Executive on the escalation: "
        "Discharge target missed",
    ).click()
    await page.wait_for_url(f"**/processes/{escalation_id}*")
    await check_accessibility(page)
    own = page.locator("#CastVote-icb-medical-director")
    await own.get_by_label("Against", exact=True).check()
    await own.get_by_role("button", name="Cast my vote").click()
    await page.wait_for_url(f"{web}/processes/{escalation_id}")
    await check_accessibility(page)
    assert "You voted against" in await own.locator(".concordat-own-vote").inner_text()
    await own.scroll_into_view_if_needed()
    await screenshot(page, "process-own-vote")
    cast = [line for line in await timeline(page) if "cast its own vote" in line]
    assert len(cast) == 1 and "icb-medical-director" in cast[0] and "against" in cast[0]
    # Away from the process page, which reloads itself when the process moves: a reload racing
    # the member's own return to it would abort that navigation.
    await member.open("/tasks")

    secretary = await sign_in(chromium, web, SECRETARY)
    page = secretary.page
    await check_accessibility(page)
    await page.get_by_role("link", name="Record the vote of the CDCP Executive").click()
    form = page.locator("#DecideEscalation-")
    await form.wait_for()
    await check_accessibility(page)
    seats = form.locator("fieldset")
    assert await seats.count() >= 5
    for index in range(5):
        seat = seats.nth(index)
        voted = seat.get_by_label("Present, cast their own vote: against")
        if await voted.count():
            await voted.check()
        else:
            await seat.get_by_label("For", exact=True).check()
    await form.get_by_label("What was decided").fill("Fund the discharge team for a year")
    await form.get_by_role("button", name="Record the vote").click()
    await page.wait_for_url(f"{web}/processes/{escalation_id}")
    await check_accessibility(page)
    assert await page.locator("#DecideEscalation-").count() == 0, "the vote is recorded once"
    assert await page.locator("#ResolveEscalation-").count() == 1, "the resolution is owed next"

    page = await member.open(f"/processes/{escalation_id}")
    assert await page.locator("#CastVote-icb-medical-director").count() == 0, "the vote is decided"
    votes = [line for line in await timeline(page) if "voted on escalation" in line]
    assert len(votes) == 1 and "carried" in votes[0] and "4 for and 1 against" in votes[0]
    assert "Fund the discharge team for a year" in votes[0]
    await screenshot(page, "process-escalation")
    for person in (secretary, member):
        await person.close()


async def test_a_representative_signs_the_mou_from_my_tasks_without_javascript(
    serve: Serve,
    issuer: str,
    temporal: Client,
    worker: Worker,
    task_queue: str,
    database_url: str,
    chromium: Browser,
) -> None:
    async with serve(
        temporal=temporal, task_queue=task_queue, auditor_database_url=SecretStr(database_url)
    ) as web:
        token = await program_token(issuer, SECRETARY)
        async with httpx.AsyncClient(base_url=f"{web}/api/v1", timeout=60) as api:
            started = await api.post(f"/partnerships/{SLUG}/start", headers=bearer(token))
            assert started.status_code == 200, started.text
        hdft = await sign_in(chromium, web, representative("hdft"), javascript=False)
        page = hdft.page
        assert await page.locator("body.js-enabled").count() == 0, "no script ran"
        await check_accessibility(page, javascript=False)
        sign = page.get_by_role(
            "link", name="Sign the MoU for Harrogate and District NHS Foundation Trust"
        )
        await sign.click()
        form = page.locator("#SignMou-hdft")
        await form.get_by_label("Signed by (name)").fill("A. Chief")
        await form.get_by_label("Their role").fill("Chief Executive")
        await form.get_by_role("button", name="Sign the MoU").click()
        await page.wait_for_url(f"{web}/partnerships/{SLUG}")
        await check_accessibility(page, javascript=False)
        assert await page.locator("#SignMou-hdft").count() == 0
        row = page.get_by_role("row", name="Harrogate and District NHS Foundation Trust")
        assert "A. Chief" in await row.inner_text()
        await hdft.close()

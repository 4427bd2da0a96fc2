"""The pages' frame in Chromium: a browser not signed in is sent to the provider and back to the
page it asked for; the layout names the person and signs them out; pages pass axe and send
nothing off the machine."""

from playwright.async_api import Browser
from temporalio.client import Client

from tests.web.browser.browsing import check_accessibility, screenshot, sign_in
from tests.web.conftest import Serve
from tests.web.signing_in import SECRETARY


async def test_sign_in_returns_to_the_page_asked_for_and_sign_out_ends_it(
    serve: Serve, dev_client: Client, chromium: Browser
) -> None:
    async with serve(dev_client) as web:
        person = await sign_in(chromium, web, SECRETARY, "/partnerships?from=test")
        page = person.page
        assert page.url == f"{web}/partnerships?from=test"
        await check_accessibility(page)
        header = page.locator("header.nhsuk-header")
        assert "Dev Secretary" in await header.inner_text()
        current = page.locator(".nhsuk-header__navigation-item--current")
        assert await current.inner_text() == "Partnerships"
        assert await page.locator('a[href="/partnerships/county-durham"]').count() == 1
        await screenshot(page, "partnerships")

        await page.click("text=Sign out")
        await page.wait_for_url(f"{web}/signed-out")
        await check_accessibility(page)
        await page.goto(f"{web}/partnerships")
        assert "Authorize" in await page.content(), "a signed-out browser must sign in again"
        await person.close()


async def test_errors_are_pages_in_the_layout_and_the_api_keeps_json(
    serve: Serve, dev_client: Client, chromium: Browser
) -> None:
    async with serve(dev_client) as web:
        person = await sign_in(chromium, web, SECRETARY, "/partnerships")
        page = await person.open("/no-such-page")
        assert await page.locator("h1").inner_text() == "Page not found"
        api = await person.context.request.get(f"{web}/api/v1/no-such-thing")
        assert api.status == 404 and await api.json() == {"detail": "Not Found"}
        await person.close()

"""A person at Debian's Chromium: signed in through the OpenID provider's own form in a browser
context of their own, every page checked by axe-core, and screenshots for the docs.

No request may leave the machine: each context aborts any request to another host and the test
fails if one of our pages made it.
"""

import os
import tempfile
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from playwright.async_api import Browser, BrowserContext, Page, Request, Route

AXE = Path(__file__).resolve().parent / "axe.min.js"
SCREENSHOTS = Path(
    os.environ.get("CONCORDAT_SCREENSHOTS") or tempfile.mkdtemp(prefix="concordat-screenshots-")
)
"""Where the pages' pictures go: the README's own with `make screenshots`
(CONCORDAT_SCREENSHOTS=docs/screenshots); otherwise a throwaway folder, so a test run leaves
the checkout as it found it."""
CHROMIUM = "/usr/bin/chromium"
FAILING_IMPACTS = ("serious", "critical")


class Person:
    """One person's browser context and page, and the requests its pages tried to send away."""

    def __init__(self, context: BrowserContext, page: Page, web: str, javascript: bool) -> None:
        self.context = context
        self.page = page
        self.web = web
        self.javascript = javascript
        self.sent_away: list[str] = []

    async def open(self, path: str) -> Page:
        """`path` of the web service, after which it is checked for accessibility."""
        await self.page.goto(f"{self.web}{path}")
        await check_accessibility(self.page, javascript=self.javascript)
        return self.page

    async def close(self) -> None:
        assert not self.sent_away, f"pages sent requests off the machine: {self.sent_away}"
        await self.context.close()


async def sign_in(
    browser: Browser, web: str, sub: str, path: str = "/tasks", *, javascript: bool = True
) -> Person:
    """A fresh context for `sub`: asks for `path`, is sent to the provider's login form, types
    the subject and authorizes, and is brought back to `path`. Without `javascript` the
    browser runs none."""
    context = await browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=javascript
    )
    page = await context.new_page()
    person = Person(context, page, web, javascript)
    local = {urlsplit(web).hostname, "127.0.0.1", "localhost"}

    async def keep_local(route: Route, request: Request) -> None:
        if urlsplit(request.url).hostname in local:
            await route.continue_()
            return
        if request.frame.url.startswith(web):
            person.sent_away.append(request.url)
        await route.abort()

    await context.route("**/*", keep_local)
    await page.goto(f"{web}{path}")
    await page.fill("input[name=sub]", sub)
    await page.click("button[type=submit]:has-text('Authorize')")
    await page.wait_for_url(f"{web}{path}")
    return person


async def check_accessibility(page: Page, *, javascript: bool = True) -> None:
    """axe-core over the page as it stands; fails naming each serious or critical violation.
    A page in a browser without JavaScript (`javascript` False) is checked as the same markup
    in a scratch page of its origin that runs it."""
    if not javascript:
        browser = page.context.browser
        assert browser is not None, "a page of a launched browser, not a persistent context"
        scratch = await browser.new_context(viewport=page.viewport_size)
        try:
            checked = await scratch.new_page()
            await checked.goto(urljoin(page.url, "/signed-out"))
            await checked.set_content(await page.content())
            await check_accessibility(checked)
        finally:
            await scratch.close()
        return
    await page.add_script_tag(path=str(AXE))
    violations = await page.evaluate(
        """async () => (await axe.run(document, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                            "wcag22aa", "best-practice"]}
        })).violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            targets: v.nodes.map(n => n.target.join(" ")).slice(0, 5)
        }))"""
    )
    failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    assert not failing, f"accessibility violations on {page.url}: " + "; ".join(
        f"{v['impact']} {v['id']} ({v['help']}) at {v['targets']}" for v in failing
    )


async def screenshot(page: Page, name: str) -> Path:
    """What a 1280 by 900 window shows of the page, into SCREENSHOTS/NAME.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path))
    return path

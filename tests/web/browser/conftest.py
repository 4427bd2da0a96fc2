"""One headless Chromium per test module (Debian's package, never a downloaded build)."""

import os
import shutil
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, async_playwright

from tests.web.browser.browsing import CHROMIUM


@pytest.fixture(scope="module")
async def chromium() -> AsyncIterator[Browser]:
    if shutil.which(CHROMIUM) is None:
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (make test does, as root: "
            "apt-get install -y --no-install-recommends chromium)"
        )
    # As root Chromium refuses its sandbox; the pages it opens are our own.
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=args
        )
        yield browser
        await browser.close()

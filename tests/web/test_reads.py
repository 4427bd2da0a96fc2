"""Who reads what through the web service (docs/rules.md A12), on the real stack: the dev
Temporal server (its visibility lists processes), the worker, PostgreSQL, the OpenID provider.

The rows come from the app's own routes: every GET of the OpenAPI document and every page, so a
route added without a row fails. On each, the secretary of another partnership (a stranger to
this one) is refused, in the same words as for a partnership or process that does not exist, or
is shown a list with nothing of it; a person it names (a seat's member, or its auditor for the
record's routes) reads it."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic import SecretStr
from temporalio.client import Client
from temporalio.worker import Worker

from concordat.settings import Settings
from concordat.web.app import create_app
from deploy.dev_users import representative
from domain.partnerships_config import SHIPPED, load_partnership
from eventstore.checkpoint import Signer
from eventstore.tree import TreeStore
from tests.people import SIGNER, seat_holder
from tests.web.authority_judge import OUTSIDER, SEAT
from tests.web.conftest import Serve
from tests.web.signing_in import SECRETARY, browser_sign_in, program_token

SHIPPED_SLUG = "county-durham"
AUDITOR = "dev-auditor"
NOWHERE = "no-such-partnership"
ESCALATION = {
    "type": "RaiseEscalation",
    "escalation_id": "discharge",
    "raised_by": "acute-care-board",
    "reason": "outcome_not_delivered",
    "summary": "Delayed discharges above plan for a third month",
    "affected": ["cddft", "dcc"],
}
CHECKPOINTS = Signer("concordat.test/log", Ed25519PrivateKey.generate())


class Reader(Enum):
    """Who a route is read by, and so what a stranger gets."""

    MEMBER = "member"
    """The partnership's own (A12): a stranger gets 404 worded as for one that does not exist."""
    PLANNER = "planner"
    """Its secretariat and representatives (A12's what-if): 403 for a member, 404 a stranger."""
    LIST = "list"
    """Anyone: a list of what the person may read, where a stranger finds nothing of it."""
    LOG_AUDITOR = "log auditor"
    """An auditor of any partnership (A10): 403 for a stranger, who audits none."""
    PUBLIC = "public"
    """No partnership's data: health, signing in and out, who I am."""


@dataclass(frozen=True)
class Row:
    reader: Reader
    paths: tuple[str, ...] = ()
    """What to ask, `{slug}`, `{process}`, `{body}`, `{token}`, `{size}` filled in."""
    also: tuple[Reader, str] | None = None
    """One more ask read by another reader (the export of one partnership)."""

    def asks(self) -> list[tuple[Reader, str]]:
        return [(self.reader, path) for path in self.paths] + ([self.also] if self.also else [])


API: dict[str, Row] = {
    "GET /healthz": Row(Reader.PUBLIC),
    "GET /readyz": Row(Reader.PUBLIC),
    "GET /api/v1/me": Row(Reader.PUBLIC),
    "GET /api/v1/partnerships": Row(Reader.LIST, ("/api/v1/partnerships",)),
    "GET /api/v1/partnerships/{slug}": Row(Reader.MEMBER, ("/api/v1/partnerships/{slug}",)),
    "GET /api/v1/partnerships/{slug}/bodies/{body}/register.csv": Row(
        Reader.MEMBER, ("/api/v1/partnerships/{slug}/bodies/{body}/register.csv",)
    ),
    "GET /api/v1/partnerships/{slug}/bodies/{body}/register": Row(
        Reader.MEMBER, ("/api/v1/partnerships/{slug}/bodies/{body}/register",)
    ),
    "GET /api/v1/partnerships/{slug}/as-of": Row(
        Reader.MEMBER, ("/api/v1/partnerships/{slug}/as-of?as_of=2026-01-01",)
    ),
    "GET /api/v1/partnerships/{slug}/forward-plan": Row(
        Reader.MEMBER, ("/api/v1/partnerships/{slug}/forward-plan",)
    ),
    "POST /api/v1/partnerships/{slug}/what-if": Row(
        Reader.PLANNER, ("/api/v1/partnerships/{slug}/what-if",)
    ),
    "GET /api/v1/processes": Row(Reader.LIST, ("/api/v1/processes", "/api/v1/processes?open=true")),
    "GET /api/v1/processes/{process_id}": Row(Reader.MEMBER, ("/api/v1/processes/{process}",)),
    "GET /api/v1/audit/verify": Row(Reader.LOG_AUDITOR, ("/api/v1/audit/verify",)),
    "GET /api/v1/audit/check": Row(Reader.LOG_AUDITOR, ("/api/v1/audit/check",)),
    "GET /api/v1/audit/checkpoint": Row(Reader.LOG_AUDITOR, ("/api/v1/audit/checkpoint",)),
    "GET /api/v1/audit/proofs/inclusion/{position}": Row(
        Reader.LOG_AUDITOR, ("/api/v1/audit/proofs/inclusion/1?size={size}",)
    ),
    "GET /api/v1/audit/proofs/consistency": Row(
        Reader.LOG_AUDITOR, ("/api/v1/audit/proofs/consistency?old={size}&new={size}",)
    ),
    "GET /api/v1/audit/digest": Row(Reader.LOG_AUDITOR, ("/api/v1/audit/digest",)),
    "GET /api/v1/audit/export": Row(
        Reader.LOG_AUDITOR,
        ("/api/v1/audit/export?format=jsonl",),
        (Reader.MEMBER, "/api/v1/audit/export?format=csv&partnership={slug}"),
    ),
    # A stranger is not told the slug exists; a reader who is no auditor gets A10's 403.
    "GET /api/v1/audit/partnerships/{slug}/replay": Row(
        Reader.MEMBER, ("/api/v1/audit/partnerships/{slug}/replay",)
    ),
    "GET /api/v1/audit/partnerships/{slug}/trail": Row(
        Reader.MEMBER, ("/api/v1/audit/partnerships/{slug}/trail",)
    ),
    "GET /api/v1/calendars/subscription": Row(Reader.LIST, ("/api/v1/calendars/subscription",)),
    "GET /calendars/{token}.ics": Row(Reader.LIST, ("/calendars/{token}.ics",)),
    "GET /calendars/{token}/{slug}.ics": Row(Reader.MEMBER, ("/calendars/{token}/{slug}.ics",)),
    "GET /calendars/{token}/{slug}/{body}.ics": Row(
        Reader.MEMBER, ("/calendars/{token}/{slug}/{body}.ics",)
    ),
}
"""Every API route that reads, by the OpenAPI document's method and path."""

PAGES: dict[str, Row] = {
    "/": Row(Reader.PUBLIC),
    "/login": Row(Reader.PUBLIC),
    "/auth/callback": Row(Reader.PUBLIC),
    "/logout": Row(Reader.PUBLIC),
    "/signed-out": Row(Reader.PUBLIC),
    "/tasks": Row(Reader.LIST, ("/tasks",)),
    "/partnerships": Row(Reader.LIST, ("/partnerships",)),
    "/partnerships/{slug}": Row(Reader.MEMBER, ("/partnerships/{slug}",)),
    "/partnerships/{slug}/meetings": Row(Reader.MEMBER, ("/partnerships/{slug}/meetings",)),
    "/partnerships/{slug}/registers/{body}": Row(
        Reader.MEMBER, ("/partnerships/{slug}/registers/{body}",)
    ),
    "/calendars": Row(Reader.LIST, ("/calendars",)),
    "/processes/{process_id}": Row(Reader.MEMBER, ("/processes/{process}",)),
    "/processes/{process_id}/version": Row(Reader.MEMBER, ("/processes/{process}/version",)),
    "/audit": Row(Reader.LOG_AUDITOR, ("/audit",)),
    "/audit/partnerships/{slug}": Row(Reader.MEMBER, ("/audit/partnerships/{slug}",)),
    "/audit/partnerships/{slug}/trail": Row(Reader.MEMBER, ("/audit/partnerships/{slug}/trail",)),
}
"""Every page a browser GETs, by its route."""


def openapi_reads(openapi: dict[str, Any]) -> set[str]:
    """Every GET of the OpenAPI document, and the POSTs that only ask (what-if)."""
    found = set()
    for path, operations in openapi["paths"].items():
        for method in operations:
            if method == "get" or path.endswith("/what-if"):
                found.add(f"{method.upper()} {path}")
    return found


def page_routes(app: FastAPI) -> set[str]:
    """Every GET route the OpenAPI document leaves out: the pages, signing in and out."""
    found: set[str] = set()

    def walk(routes: Iterable[Any]) -> None:
        for route in routes:
            if hasattr(route, "original_router"):
                walk(route.original_router.routes)
            elif (
                isinstance(route, APIRoute)
                and "GET" in (route.methods or ())
                and not route.include_in_schema
            ):
                found.add(route.path)

    walk(app.routes)
    return found


@dataclass
class Partnership:
    """One running partnership seen by the people of the table."""

    web: str
    slug: str
    process: str
    size: int
    people: dict[str, str]
    tokens: dict[str, str]
    calendars: dict[str, str]

    def url(
        self, path: str, who: str, *, slug: str | None = None, process: str | None = None
    ) -> str:
        filled = path.format(
            slug=slug or self.slug,
            process=process or self.process,
            body="cdcpe",
            token=self.calendars.get(who, "none"),
            size=self.size,
        )
        return f"{self.web}{filled}"


def county_durham_as(folder: Path, slug: str) -> None:
    text = (SHIPPED / f"{SHIPPED_SLUG}.toml").read_text(encoding="utf-8")
    text = text.replace(f'slug = "{SHIPPED_SLUG}"', f'slug = "{slug}"', 1)
    (folder / f"{slug}.toml").write_text(text, encoding="utf-8")


@pytest.fixture
async def running(
    serve: Serve,
    issuer: str,
    dev_client: Client,
    dev_worker: Worker,
    task_queue: str,
    database_url: str,
    pool: asyncpg.Pool,
    tmp_path: Path,
) -> AsyncIterator[Partnership]:
    """County Durham under a new slug, running with an escalation open, beside NENC (not running),
    the log checkpointed; each person's token and calendar address."""
    slug = f"{SHIPPED_SLUG}-{uuid.uuid4().hex[:6]}"
    folder = tmp_path / "partnerships"
    folder.mkdir()
    county_durham_as(folder, slug)
    (folder / "nenc-ics.toml").write_text((SHIPPED / "nenc-ics.toml").read_text("utf-8"), "utf-8")
    config = load_partnership(slug, folder)
    people = {
        "secretary": SECRETARY,
        "member": seat_holder(config, SEAT).subject,
        "representative": representative(config, "dcc").subject,
        "auditor": AUDITOR,
        "stranger": OUTSIDER,
    }
    tokens = {who: await program_token(issuer, sub) for who, sub in people.items()}
    async with serve(
        temporal=dev_client,
        task_queue=task_queue,
        partnerships_dir=folder,
        auditor_database_url=SecretStr(database_url),
        checkpoint_public_key=str(CHECKPOINTS.verifier),
    ) as web:
        secretary = {"Authorization": f"Bearer {tokens['secretary']}"}
        async with httpx.AsyncClient(
            base_url=f"{web}/api/v1", headers=secretary, timeout=60
        ) as api:
            started = await api.post(f"/partnerships/{slug}/start")
            assert started.status_code == 200, started.text
            today = str(datetime.now(UTC).date())
            for organisation in config.signatories:  # recorded by the secretariat from post
                signed = await api.post(
                    f"/partnerships/{slug}/signatures",
                    params={"on_behalf_of": organisation, "reason": "signed copy received"},
                    json={
                        "type": "SignMou",
                        "organisation": organisation,
                        "signatory_name": "Chief Executive",
                        "signatory_role": "Chief Executive",
                        "signed_on": today,
                    },
                )
                assert signed.status_code == 200, signed.text
            raised = await api.post(
                f"/partnerships/{slug}/processes", json={**ESCALATION, "raised_on": today}
            )
            assert raised.status_code == 200, raised.text
            process = raised.json()["process_id"]
            for _ in range(200):  # visibility lists a process a moment after it starts
                listed = await api.get("/processes", params={"partnership": slug})
                if process in listed.text:
                    break
                await asyncio.sleep(0.1)
            assert process in listed.text
            calendars = {}
            for who in ("member", "stranger"):
                headers = {"Authorization": f"Bearer {tokens[who]}"}
                answer = await api.get("/calendars/subscription", headers=headers)
                assert answer.status_code == 200, answer.text
                calendars[who] = (
                    urlsplit(answer.json()["url"]).path.split("/")[2].removesuffix(".ics")
                )
        minted = await TreeStore(pool).mint(CHECKPOINTS, datetime.now(UTC))
        yield Partnership(
            web, slug, process, minted.checkpoint.tree_size, people, tokens, calendars
        )


def same_but_for(
    refused: httpx.Response, unknown: httpx.Response, ours: str, other: str, says: str
) -> None:
    """A stranger's refusal says what it says of something that does not exist."""
    assert refused.status_code == unknown.status_code == 404, (refused.text, unknown.text)
    assert refused.text.replace(ours, other) == unknown.text
    assert says in refused.text, refused.text


async def test_every_read_route_refuses_a_stranger_and_serves_a_member(
    running: Partnership, issuer: str
) -> None:
    p = running
    async with httpx.AsyncClient(timeout=60) as http:
        openapi = (await http.get(f"{p.web}/api/v1/openapi.json")).json()
        assert openapi_reads(openapi) == set(API), (
            f"without a row: {sorted(openapi_reads(openapi) - set(API))}; "
            f"not offered: {sorted(set(API) - openapi_reads(openapi))}"
        )

        async def ask(method: str, path: str, who: str, **at: str) -> httpx.Response:
            headers = {"Authorization": f"Bearer {p.tokens[who]}"}
            body = {"leaving": ["tewv"]} if method == "POST" else None
            return await http.request(method, p.url(path, who, **at), headers=headers, json=body)

        for route, row in API.items():
            method = route.split()[0]
            for reader, path in row.asks():
                await judge(ask, method, path, reader, p, route)


async def judge(
    ask: Any, method: str, path: str, reader: Reader, p: Partnership, route: str
) -> None:
    """`path` asked as a stranger and as someone the partnership names, as `reader` says."""
    stranger = await ask(method, path, "stranger")
    member = await ask(method, path, "member")
    match reader:
        case Reader.MEMBER:
            if "{process}" in path:
                ours, other = p.process, f"review:{NOWHERE}:x"
                unknown = await ask(method, path, "stranger", process=other)
            else:
                ours, other = p.slug, NOWHERE
                unknown = await ask(method, path, "stranger", slug=other)
            # A feed's address is read by calendar programs: its 404 names no rule (A9).
            says = "no such calendar" if path.startswith("/calendars/") else "(rule A12)"
            same_but_for(stranger, unknown, ours, other, says)
            if "/audit/" in path:  # the record is its auditors' (A10)
                assert member.status_code == 403 and "(rule A10)" in member.text, route
                member = await ask(method, path, "auditor")
            assert member.status_code == 200, (route, member.text)
        case Reader.PLANNER:
            unknown = await ask(method, path, "stranger", slug=NOWHERE)
            same_but_for(stranger, unknown, p.slug, NOWHERE, "(rule A12)")
            assert member.status_code == 403, (route, member.text)
            assert "only its secretariat and the representatives" in member.text
            planner = await ask(method, path, "representative")
            assert planner.status_code == 200, (route, planner.text)
        case Reader.LIST:
            assert stranger.status_code == member.status_code == 200, (route, stranger.text)
            assert p.slug not in stranger.text, route
            if "{token}" not in path and not path.startswith("/tasks"):
                assert p.slug in member.text, route
        case Reader.LOG_AUDITOR:
            assert stranger.status_code == 403 and "(rule A10)" in stranger.text, route
            auditor = await ask(method, path, "auditor")
            assert auditor.status_code == 200, (route, auditor.text)
        case Reader.PUBLIC:
            pass


async def test_a_stranger_sees_no_page_of_a_partnership(running: Partnership, issuer: str) -> None:
    p = running
    settings = Settings(oidc_issuer=issuer, oidc_client_id="x", oidc_client_secret=SecretStr("y"))
    routes = page_routes(create_app(settings, None, SIGNER))
    assert routes == set(PAGES), (
        f"without a row: {sorted(routes - set(PAGES))}; not offered: {sorted(set(PAGES) - routes)}"
    )
    browsers: dict[str, httpx.AsyncClient] = {}
    try:
        for who in ("stranger", "member", "representative", "auditor"):
            browsers[who] = httpx.AsyncClient(timeout=60, headers={"Accept": "text/html"})
            await browser_sign_in(browsers[who], p.web, p.people[who])

        async def ask(method: str, path: str, who: str, **at: str) -> httpx.Response:
            return await browsers[who].request(method, p.url(path, who, **at))

        for route, row in PAGES.items():
            for reader, path in row.asks():
                await judge(ask, "GET", path, reader, p, route)
        # The page shows every reader each body's quorum; only planners the what-if form.
        page = f"{p.web}/partnerships/{p.slug}"
        member = await browsers["member"].get(page)
        planner = await browsers["representative"].get(page)
        assert "Can be quorate now" in member.text
        assert 'id="what-if"' not in member.text and 'id="what-if"' in planner.text
    finally:
        for browser in browsers.values():
            await browser.aclose()

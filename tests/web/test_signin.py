"""Sign-in: a person through the browser (authorization code with PKCE and a nonce, a signed
session cookie), a program with a bearer token, and no one else."""

from urllib.parse import parse_qs, urlsplit

import httpx
from pydantic import SecretStr

from concordat.web.app import SESSION_COOKIE, create_app
from tests.people import SIGNER
from tests.web.conftest import Serve, web_settings
from tests.web.signing_in import SECRETARY, SECRETARY_EMAIL, browser_sign_in, program_token


async def test_a_person_signs_in_through_the_provider_and_out_again(
    serve: Serve, issuer: str
) -> None:
    async with serve() as web, httpx.AsyncClient() as browser:
        to_provider = await browser.get(f"{web}/login")
        sent = parse_qs(urlsplit(to_provider.headers["location"]).query)
        assert to_provider.headers["location"].startswith(f"{issuer}/")
        assert sent["code_challenge_method"] == ["S256"] and sent["code_challenge"][0]
        assert sent["nonce"][0] and sent["state"][0]
        assert sent["redirect_uri"] == [f"{web}/auth/callback"]

        landed = await browser_sign_in(browser, web, SECRETARY)
        assert landed.status_code == 303 and landed.headers["location"] == "/api/v1/me"
        cookie = landed.headers["set-cookie"].lower()
        assert cookie.startswith(f"{SESSION_COOKIE}=")
        assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie

        me = await browser.get(f"{web}/api/v1/me")
        assert me.status_code == 200
        assert me.json() == {
            "issuer": issuer,
            "subject": SECRETARY,
            "name": "Dev Secretary (County Durham Care Partnership)",
            "email": SECRETARY_EMAIL,
            "groups": ["county-durham-secretariat"],
        }

        await browser.get(f"{web}/logout")
        assert (await browser.get(f"{web}/api/v1/me")).status_code == 401


async def test_sign_in_comes_back_to_the_page_asked_for_and_never_elsewhere(
    serve: Serve,
) -> None:
    async with serve() as web:
        for asked, back in (
            ("%2Ftasks%3Fsoonest%3D1", "/tasks?soonest=1"),
            ("%2F%2Fevil.example%2Ftasks", "/api/v1/me"),
            ("https%3A%2F%2Fevil.example%2F", "/api/v1/me"),
        ):
            async with httpx.AsyncClient() as browser:
                landed = await browser_sign_in(browser, web, SECRETARY, f"/login?next={asked}")
                assert landed.status_code == 303 and landed.headers["location"] == back, asked


async def test_a_callback_without_the_login_that_began_it_is_refused(serve: Serve) -> None:
    async with serve() as web, httpx.AsyncClient() as stranger:
        forged = await stranger.get(f"{web}/auth/callback?code=stolen&state=guessed")
        assert forged.status_code == 401
        assert forged.json()["detail"].startswith("sign-in failed")
        assert (await stranger.get(f"{web}/api/v1/me")).status_code == 401


async def test_a_program_acts_with_a_bearer_token_from_the_same_provider(
    serve: Serve, issuer: str
) -> None:
    token = await program_token(issuer, "dev-auditor")
    async with serve() as web, httpx.AsyncClient() as program:
        me = await program.get(f"{web}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200
        assert me.json()["email"] == "dev.auditor@concordat.example"
        assert me.json()["groups"] == ["concordat-auditors"]

        forged = await program.get(
            f"{web}/api/v1/me", headers={"Authorization": "Bearer not-a-token-it-issued"}
        )
        assert forged.status_code == 401
        assert "refused the bearer token" in forged.json()["detail"]


async def test_an_unauthenticated_command_is_refused_before_it_reaches_anything(
    serve: Serve,
) -> None:
    # Temporal and PostgreSQL are unreachable here: a 401 shows nothing was tried.
    async with serve() as web, httpx.AsyncClient() as anyone:
        signed = await anyone.post(
            f"{web}/api/v1/partnerships/county-durham/signatures",
            json={
                "organisation": "icb",
                "signatory_name": "A",
                "signatory_role": "Chief Executive",
                "signed_on": "2026-01-05",
            },
        )
        assert signed.status_code == 401
        assert signed.headers["www-authenticate"] == "Bearer"
        assert "not signed in" in signed.json()["detail"]
        for path in ("/api/v1/partnerships", "/api/v1/audit/verify", "/api/v1/processes"):
            assert (await anyone.get(f"{web}{path}")).status_code == 401, path


async def test_the_session_cookie_is_secure_behind_https(issuer: str) -> None:
    settings = web_settings(
        issuer,
        public_base_url="https://concordat.example.nhs.uk",
        session_secret=SecretStr("fixed"),
    )
    app = create_app(settings, signer=SIGNER)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as browser:
        to_provider = await browser.get("/login")
    sent = parse_qs(urlsplit(to_provider.headers["location"]).query)
    assert sent["redirect_uri"] == ["https://concordat.example.nhs.uk/auth/callback"]
    assert "secure" in to_provider.headers["set-cookie"].lower()

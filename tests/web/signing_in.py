"""Signing in as people and programs do, over HTTP against the real OpenID provider: the
authorization-code flow with PKCE, the login form posted as a person would."""

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

CLIENT_ID = "concordat"
CLIENT_SECRET = "test-secret"
SECRETARY = "dev-secretary-county-durham"
SECRETARY_EMAIL = "dev.secretary@county-durham.example"


async def browser_sign_in(
    browser: httpx.AsyncClient, web: str, sub: str, login: str = "/login"
) -> httpx.Response:
    """`login`, the provider's form posted for `sub`, the callback: the browser's session cookie
    is set on `browser`. Returns the callback's response."""
    to_provider = await browser.get(f"{web}{login}")
    assert to_provider.status_code == 302, to_provider.text
    authorize = to_provider.headers["location"]
    form = await browser.get(authorize)
    assert form.status_code == 200
    back = await browser.post(authorize, data={"sub": sub})
    assert back.status_code == 302, back.text
    return await browser.get(back.headers["location"])


async def program_token(issuer: str, sub: str) -> str:
    """An access token for `sub` as a program gets one from the same provider: the
    authorization-code flow with PKCE, straight against the provider's endpoints."""
    async with httpx.AsyncClient() as http:
        metadata = (await http.get(f"{issuer}/.well-known/openid-configuration")).json()
        verifier = secrets.token_urlsafe(48)
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        redirect = "http://127.0.0.1:9/callback"
        query = urlencode(
            {
                "response_type": "code",
                "client_id": CLIENT_ID,
                "redirect_uri": redirect,
                "scope": "openid profile email",
                "state": secrets.token_urlsafe(8),
                "nonce": secrets.token_urlsafe(8),
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
        )
        back = await http.post(f"{metadata['authorization_endpoint']}?{query}", data={"sub": sub})
        assert back.status_code == 302, back.text
        code = parse_qs(urlsplit(back.headers["location"]).query)["code"][0]
        token = await http.post(
            metadata["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect,
                "code_verifier": verifier,
            },
            auth=(CLIENT_ID, CLIENT_SECRET),
        )
        assert token.status_code == 200, token.text
        access: str = token.json()["access_token"]
        return access

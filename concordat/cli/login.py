"""`concordat login`, `logout` and `whoami`: signing in to the API as a person.

`login` runs the OpenID Connect authorization-code flow with PKCE through the browser: it listens
on a loopback address (`http://127.0.0.1:<port>/callback`, RFC 8252 §7.3), prints the provider's
sign-in address and tries to open it, exchanges the code the provider sends back for tokens,
asks the API who they name, and keeps them (tokens.py). The provider is the one the web service
uses (`CONCORDAT_OIDC_ISSUER`; unset, the embedded one `make run` starts). An expired sign-in
is renewed with its refresh token, if the provider gave one, when a command next needs it.
"""

import base64
import hashlib
import secrets
import threading
import webbrowser
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import click
import httpx

from concordat.cli.api import Api, api_address, sign_in
from concordat.cli.output import emit, fail, json_option, run_async
from concordat.cli.provider import TIMEOUT_SECONDS, TokenRefused, expiry, metadata, tokens
from concordat.cli.tokens import SignIn, TokenFileError, forget, save
from concordat.settings import Settings

SCOPE = "openid profile email"


class _Callback(BaseHTTPRequestHandler):
    """Answers the provider's redirect once, handing its query to the waiting command."""

    server: "_Loopback"

    def do_GET(self) -> None:
        where = urlsplit(self.path)
        if where.path != "/callback":
            self.send_error(404)
            return
        self.server.answer = {k: v[0] for k, v in parse_qs(where.query).items()}
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.end_headers()
        self.wfile.write(b"Concordat: signed in. You can close this window.\n")
        self.server.done.set()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the command prints what matters."""


class _Loopback(HTTPServer):
    def __init__(self, port: int) -> None:
        try:
            super().__init__(("127.0.0.1", port), _Callback)
        except OSError as error:
            fail(f"cannot listen on 127.0.0.1:{port} for the sign-in: {error.strerror}")
        self.answer: dict[str, str] = {}
        self.done = threading.Event()

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/callback"


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _code(loopback: _Loopback, state: str, timeout: float) -> str:
    """The authorization code the provider sends back to the loopback address."""
    serving = threading.Thread(target=loopback.serve_forever, daemon=True)
    serving.start()
    try:
        if not loopback.done.wait(timeout):
            fail(f"no answer from the identity provider within {timeout:.0f} s; try again")
    finally:
        loopback.shutdown()
        loopback.server_close()
    answer = loopback.answer
    if "error" in answer:
        fail(f"the identity provider refused: {answer.get('error_description') or answer['error']}")
    if answer.get("state") != state or "code" not in answer:
        fail("the identity provider's answer did not match this sign-in; try again")
    return answer["code"]


@click.command()
@click.option(
    "--no-browser", is_flag=True, help="Only print the sign-in address; do not open a browser."
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    help="The loopback port the provider sends the sign-in back to, for a provider that "
    "allows only the redirect URI registered (default: any free port).",
)
@click.option(
    "--timeout",
    "wait_seconds",
    type=click.FloatRange(min=1),
    default=300.0,
    show_default=True,
    help="Seconds to wait for the sign-in to finish.",
)
@run_async
async def login(no_browser: bool, port: int, wait_seconds: float) -> None:
    """Sign in to the API through the identity provider, in the browser; the token is kept
    readable by you only, and every command then acts as you."""
    settings = Settings()
    api = api_address(settings)
    issuer = settings.issuer()
    verifier = secrets.token_urlsafe(48)
    state = secrets.token_urlsafe(16)
    with httpx.Client(timeout=TIMEOUT_SECONDS) as http:
        loopback = _Loopback(port)
        query = urlencode(
            {
                "response_type": "code",
                "client_id": settings.oidc_client_id,
                "redirect_uri": loopback.redirect_uri,
                "scope": SCOPE,
                "state": state,
                "nonce": secrets.token_urlsafe(16),
                "code_challenge": _challenge(verifier),
                "code_challenge_method": "S256",
            }
        )
        authorize = f"{metadata(http, issuer)['authorization_endpoint']}?{query}"
        click.echo(f"Sign in at: {authorize}", err=True)
        if not no_browser:
            webbrowser.open(authorize)
        code = _code(loopback, state, wait_seconds)
        grant = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": loopback.redirect_uri,
            "code_verifier": verifier,
        }
        try:
            answer = tokens(http, issuer, settings, grant)
        except TokenRefused as error:
            fail(f"the identity provider refused the sign-in: {error}")
    access = answer["access_token"]
    me = await Api(api, access).get("/me")
    kept = SignIn(
        api=api,
        issuer=issuer,
        access_token=access,
        refresh_token=answer.get("refresh_token"),
        expires_at=expiry(answer),
        email=me.get("email") or me["subject"],
        name=me["name"],
    )
    try:
        where = save(kept)
    except TokenFileError as error:
        fail(str(error))
    click.echo(f"signed in to {api} as {kept.name} <{kept.email}>; token kept in {where}")


@click.command()
def logout() -> None:
    """Forget the token kept for the API."""
    api = api_address()
    try:
        forgotten = forget(api)
    except TokenFileError as error:
        fail(str(error))
    click.echo(f"signed out of {api}" if forgotten else f"not signed in to {api}")


@click.command()
@json_option
@run_async
async def whoami(as_json: bool) -> None:
    """Who the API says you are, with the token `concordat login` kept."""
    address = api_address()
    person = await Api(address, sign_in(address).access_token).get("/me")
    emit(
        person,
        as_json,
        lambda p: (
            f"{p['name']} <{p.get('email') or '-'}> ({p['issuer']} {p['subject']}) at {address}"
        ),
    )

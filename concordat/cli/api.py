"""The command line as a client of the HTTP API, acting as the signed-in person.

Every command a person performs goes through `/api/v1` with the token `concordat login` kept, so
the service, not this machine, decides who acts and whether they may. A refusal is the API's own
words on one line; a missing, expired or refused sign-in says to run `concordat login`.
"""

from functools import cache
from typing import Any

import httpx
from pydantic import BaseModel

from concordat.cli.output import fail
from concordat.cli.provider import TokenRefused, refreshed
from concordat.cli.tokens import SignIn, TokenFileError, load, save
from concordat.settings import Settings

TIMEOUT_SECONDS = 60.0
TEXT_SHOWN = 200


def api_address(settings: Settings | None = None) -> str:
    """Where the API is: the web service's public address (`make run`: 127.0.0.1:8000)."""
    return (settings or Settings()).web_base_url()


def sign_in(api: str) -> SignIn:
    """The kept sign-in for `api`, renewed with its refresh token if it has expired, or a
    one-line refusal saying how to get one."""
    try:
        kept = load(api)
        if kept is None:
            fail(f"not signed in to {api}: run concordat login")
        if not kept.expired():
            return kept
        expired = f"your sign-in to {api} as {kept.email} has expired"
        if kept.refresh_token is None:
            fail(f"{expired}: run concordat login")
        try:
            renewed = refreshed(kept, Settings())
        except TokenRefused as error:
            fail(
                f"{expired} and the identity provider would not renew it ({error}): "
                "run concordat login"
            )
        save(renewed)
    except TokenFileError as error:
        fail(str(error))
    return renewed


def _detail(response: httpx.Response) -> str:
    """The API's words: FastAPI's `detail`, a sentence or the request's validation errors."""
    try:
        body = response.json()
    except ValueError:
        body = None
    detail = body.get("detail") if isinstance(body, dict) else None
    if detail is None:
        # Not the API's answer (a proxy's page, say): its status and the start of its text.
        text = " ".join(response.text.split())[:TEXT_SHOWN] or response.reason_phrase
        return f"{response.request.url} answered {response.status_code}: {text}"
    if isinstance(detail, list):
        return "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'request'}: {e.get('msg')}"
            for e in detail
        )
    return str(detail)


def _body(value: BaseModel | None) -> Any:
    return None if value is None else value.model_dump(mode="json")


class Api:
    """`/api/v1` at one address, with one person's bearer token."""

    def __init__(self, address: str, token: str) -> None:
        self.address = address
        self._token = token

    async def request(
        self,
        method: str,
        path: str,
        *,
        body: BaseModel | None = None,
        params: dict[str, str] | None = None,
        missing: bool = False,
    ) -> Any:
        """The JSON the API answers; anything but a 2xx ends the command in the API's words,
        except a 404 when `missing` is allowed, answered as None."""
        url = f"{self.address}/api/v1{path}"
        headers = {"Authorization": f"Bearer {self._token}"}
        try:
            async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as http:
                response = await http.request(
                    method, url, json=_body(body), params=params, headers=headers
                )
        except httpx.TransportError as error:
            fail(f"cannot reach the Concordat API at {self.address} ({error}): is it running?")
        if response.status_code == httpx.codes.UNAUTHORIZED:
            fail(
                f"the API at {self.address} refused your sign-in ({_detail(response)}): "
                "run concordat login"
            )
        if missing and response.status_code == httpx.codes.NOT_FOUND:
            return None
        if response.is_error:
            fail(_detail(response))
        return response.json()

    async def get(self, path: str, params: dict[str, str] | None = None) -> Any:
        return await self.request("GET", path, params=params)

    async def find(self, path: str) -> Any:
        """What the API answers for `path`, or None if it knows nothing there (yet)."""
        return await self.request("GET", path, missing=True)

    async def post(
        self, path: str, body: BaseModel | None = None, params: dict[str, str] | None = None
    ) -> Any:
        return await self.request("POST", path, body=body, params=params)


@cache
def api() -> Api:
    """The API at the configured address, as the person signed in to it."""
    address = api_address()
    return Api(address, sign_in(address).access_token)

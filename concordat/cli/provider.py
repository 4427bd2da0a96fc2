"""The identity provider as the command line's OAuth client: its published configuration, and
its token endpoint for a code (`concordat login`) or a refresh token (an expired sign-in)."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from concordat.cli.output import fail
from concordat.cli.tokens import SignIn
from concordat.settings import Settings

TIMEOUT_SECONDS = 30.0


def metadata(http: httpx.Client, issuer: str) -> dict[str, Any]:
    """`<issuer>/.well-known/openid-configuration`, or a one-line refusal naming where."""
    where = f"{issuer.rstrip('/')}/.well-known/openid-configuration"
    try:
        response = http.get(where)
        response.raise_for_status()
        found: dict[str, Any] = response.json()
    except (httpx.HTTPError, ValueError) as error:
        fail(f"cannot read the identity provider's configuration at {where}: {error}")
    return found


class TokenRefused(Exception):
    """The token endpoint refused the grant; its words."""


def tokens(
    http: httpx.Client, issuer: str, settings: Settings, grant: dict[str, str]
) -> dict[str, Any]:
    """The provider's answer to `grant` at its token endpoint, the client authenticated with its
    id and secret; `TokenRefused` in the provider's words."""
    endpoint = metadata(http, issuer)["token_endpoint"]
    try:
        response = http.post(
            endpoint,
            data=grant,
            auth=(settings.oidc_client_id, settings.oidc_client_secret.get_secret_value()),
        )
    except httpx.HTTPError as error:
        fail(f"cannot reach the identity provider's token endpoint {endpoint}: {error}")
    if response.is_error:
        raise TokenRefused(f"{response.status_code} {response.text.strip()}")
    answer: dict[str, Any] = response.json()
    if not isinstance(answer.get("access_token"), str):
        raise TokenRefused("the answer held no access token")
    return answer


def expiry(answer: dict[str, Any]) -> datetime | None:
    lifetime = answer.get("expires_in")
    if not isinstance(lifetime, int | float):
        return None
    return datetime.now(UTC) + timedelta(seconds=float(lifetime))


def refreshed(kept: SignIn, settings: Settings) -> SignIn:
    """`kept` with new tokens for its refresh token; `TokenRefused` if the provider says no."""
    assert kept.refresh_token is not None
    grant = {"grant_type": "refresh_token", "refresh_token": kept.refresh_token}
    with httpx.Client(timeout=TIMEOUT_SECONDS) as http:
        answer = tokens(http, kept.issuer, settings, grant)
    return kept.model_copy(
        update={
            "access_token": answer["access_token"],
            "refresh_token": answer.get("refresh_token") or kept.refresh_token,
            "expires_at": expiry(answer),
        }
    )

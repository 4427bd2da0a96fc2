"""Sign-in with OpenID Connect: people through the browser (authorization code with PKCE and a
nonce, then a signed session cookie), programs with a bearer token from the same provider.

A bearer token is checked by the provider's userinfo endpoint rather than read as a JWT: NHS
CIS2 and the embedded provider issue opaque access tokens, and Entra ID's are meant for their
own audience, so only the provider can say whether a token is live (not revoked or expired) and
whose it is. The cost is one call to the provider a request.
"""

from typing import Annotated, Any

import httpx2
from authlib.integrations.base_client import OAuthError
from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App
from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import RedirectResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from concordat.settings import Settings
from concordat.web.person import NotAPerson, person_from_claims
from domain.provenance import Person

SESSION_KEY = "person"
RETURN_KEY = "after_sign_in"

router = APIRouter(include_in_schema=False)
bearer = HTTPBearer(auto_error=False, description="an access token from the OpenID provider")


def provider(settings: Settings) -> StarletteOAuth2App:
    """The OpenID provider as a client of it: any conformant one, found by its issuer URL."""
    oauth = OAuth()
    client: StarletteOAuth2App = oauth.register(
        "concordat",
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret.get_secret_value(),
        server_metadata_url=f"{settings.issuer().rstrip('/')}/.well-known/openid-configuration",
        client_kwargs={"scope": "openid profile email", "code_challenge_method": "S256"},
    )
    return client


def _provider(request: Request) -> StarletteOAuth2App:
    client: StarletteOAuth2App = request.app.state.oidc
    return client


def safe_return(path: str | None) -> str | None:
    """`path` if it is a path on this service to come back to after signing in, else None: an
    address elsewhere would make /login an open redirect."""
    if path and path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return None


@router.get("/login")
async def login(request: Request, next: str | None = None) -> RedirectResponse:
    """Sends the browser to the provider; Authlib keeps the PKCE verifier, state and nonce in
    the session until the callback, and the session keeps the page to come back to (`next`)."""
    settings: Settings = request.app.state.settings
    back_to = safe_return(next)
    if back_to is None:
        request.session.pop(RETURN_KEY, None)
    else:
        request.session[RETURN_KEY] = back_to
    try:
        redirect: RedirectResponse = await _provider(request).authorize_redirect(
            request, f"{settings.web_base_url()}/auth/callback"
        )
    except httpx2.HTTPError as error:
        raise _provider_unreachable(settings, error) from error
    return redirect


@router.get("/auth/callback")
async def callback(request: Request) -> RedirectResponse:
    """Exchanges the code (with the PKCE verifier), checks the ID token and its nonce, and
    keeps the person in the signed session cookie."""
    settings: Settings = request.app.state.settings
    try:
        token = await _provider(request).authorize_access_token(request)
    except OAuthError as error:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, f"sign-in failed: {error.description or error.error}"
        ) from error
    except httpx2.HTTPError as error:
        raise _provider_unreachable(settings, error) from error
    person = _person(settings, token.get("userinfo") or {})
    back_to = safe_return(request.session.get(RETURN_KEY)) or "/api/v1/me"
    request.session.clear()
    request.session[SESSION_KEY] = person.model_dump(mode="json")
    return RedirectResponse(back_to, status_code=status.HTTP_303_SEE_OTHER)


@router.get("/logout")
async def logout(request: Request) -> RedirectResponse:
    request.session.clear()
    return RedirectResponse("/signed-out", status_code=status.HTTP_303_SEE_OTHER)


async def signed_in(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Person:
    """The person from the bearer token if there is one, else from the session; 401 if
    neither."""
    settings: Settings = request.app.state.settings
    if credentials is not None:
        return await _bearer_person(request, settings, credentials.credentials)
    kept = request.session.get(SESSION_KEY)
    if kept is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "not signed in: sign in at /login, or send a bearer token from the identity provider",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return Person.model_validate(kept)


async def _bearer_person(request: Request, settings: Settings, token: str) -> Person:
    try:
        claims = await _provider(request).userinfo(
            token={"access_token": token, "token_type": "Bearer"}
        )
    except httpx2.HTTPStatusError as error:
        # RFC 6750 says 401; some providers (the embedded one among them) answer 400. Any
        # refusal of the request is a refusal of the token; a 5xx is the provider's trouble.
        if error.response.status_code < status.HTTP_500_INTERNAL_SERVER_ERROR:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "the identity provider refused the bearer token (unknown, expired or revoked)",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            ) from error
        raise _provider_unreachable(settings, error) from error
    except httpx2.HTTPError as error:
        raise _provider_unreachable(settings, error) from error
    return _person(settings, claims)


def _person(settings: Settings, claims: dict[str, Any]) -> Person:
    try:
        return person_from_claims(settings.issuer(), claims)
    except NotAPerson as error:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(error)) from error


def _provider_unreachable(settings: Settings, error: httpx2.HTTPError) -> HTTPException:
    return HTTPException(
        status.HTTP_503_SERVICE_UNAVAILABLE,
        f"cannot reach the identity provider at {settings.issuer()}: {error}",
    )

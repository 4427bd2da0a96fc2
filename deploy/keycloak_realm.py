"""The Keycloak realm of deploy/compose.yaml, made from the development users of the embedded
stack (deploy/dev-users.toml), so both sign in the same people with the same claims.

`python -m deploy.keycloak_realm > deploy/compose/concordat-realm.json` writes it again; a test
checks the committed file is what this makes.
"""

import json
import sys
from pathlib import Path
from typing import Any

from deploy.dev_identity import DevUser, load_dev_users

REALM = "concordat"
CLIENT_ID = "concordat"
WEB_URL = "http://localhost:8000"
CLI_CALLBACK = "http://127.0.0.1:8765/callback"
DEV_USERS = Path(__file__).resolve().parent / "dev-users.toml"
# For trying the stack on one host only, like the users themselves; the README says to change
# both before anyone else can reach it.
DEV_PASSWORD = "concordat"
CLIENT_SECRET_PLACEHOLDER = "${CONCORDAT_OIDC_CLIENT_SECRET}"


def _user(user: DevUser) -> dict[str, Any]:
    first, _, last = user.name.partition(" ")
    return {
        "username": user.sub,
        "email": user.email,
        "emailVerified": True,
        "firstName": first,
        "lastName": last or first,
        "enabled": True,
        "groups": [f"/{group}" for group in user.groups],
        "credentials": [{"type": "password", "value": DEV_PASSWORD, "temporary": False}],
    }


def realm(users: tuple[DevUser, ...]) -> dict[str, Any]:
    groups = sorted({group for user in users for group in user.groups})
    return {
        "realm": REALM,
        "enabled": True,
        "sslRequired": "external",
        "groups": [{"name": group} for group in groups],
        "users": [_user(user) for user in users],
        "clients": [
            {
                "clientId": CLIENT_ID,
                "enabled": True,
                "protocol": "openid-connect",
                "publicClient": False,
                "clientAuthenticatorType": "client-secret",
                # Keycloak replaces ${...} in an imported realm from its own environment.
                "secret": CLIENT_SECRET_PLACEHOLDER,
                "standardFlowEnabled": True,
                "directAccessGrantsEnabled": False,
                # The web service's callback, and `concordat login --port 8765`'s loopback one.
                "redirectUris": [f"{WEB_URL}/auth/callback", CLI_CALLBACK],
                "webOrigins": [WEB_URL],
                "attributes": {
                    "pkce.code.challenge.method": "S256",
                    "post.logout.redirect.uris": f"{WEB_URL}/*",
                },
                "protocolMappers": [
                    {
                        "name": "groups",
                        "protocol": "openid-connect",
                        "protocolMapper": "oidc-group-membership-mapper",
                        "config": {
                            "claim.name": "groups",
                            "full.path": "false",
                            "id.token.claim": "true",
                            "access.token.claim": "true",
                            "userinfo.token.claim": "true",
                        },
                    }
                ],
            }
        ],
    }


def render(users_file: Path = DEV_USERS) -> str:
    return json.dumps(realm(load_dev_users(users_file)), indent=2) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())

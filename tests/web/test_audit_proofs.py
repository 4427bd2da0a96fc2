"""An auditor's own machine fetches checkpoints and proofs over the API and checks them with the
standalone verifier alone (issue 16): nothing the service says is taken on trust."""

from datetime import UTC, datetime

import asyncpg
import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import SecretStr

from audit import verify_offline
from eventstore.checkpoint import Signer
from eventstore.store import EventStore
from eventstore.tree import TreeStore
from tests.store.events import batch
from tests.web.conftest import Serve
from tests.web.signing_in import program_token

AUDITOR = "dev-auditor"


async def test_an_auditor_fetches_a_checkpoint_and_proofs_and_checks_them_offline(
    serve: Serve, issuer: str, store: EventStore, pool: asyncpg.Pool, database_url: str
) -> None:
    signer = Signer("concordat.test/log", Ed25519PrivateKey.generate())
    tree = TreeStore(pool)
    await store.append("s", 0, batch(5))
    old = await tree.mint(signer, datetime(2026, 3, 1, tzinfo=UTC))
    await store.append("s", 5, batch(6, start=5))
    new = await tree.mint(signer, datetime(2026, 3, 2, tzinfo=UTC))
    key = verify_offline.parse_key(str(signer.verifier))
    token = await program_token(issuer, AUDITOR)
    async with (
        serve(
            auditor_database_url=SecretStr(database_url),
            checkpoint_public_key=str(signer.verifier),
        ) as web,
        httpx.AsyncClient(
            base_url=f"{web}/api/v1", headers={"Authorization": f"Bearer {token}"}
        ) as api,
    ):
        latest = await api.get("/audit/checkpoint")
        assert latest.status_code == 200, latest.text
        assert latest.text == new.note
        assert (await api.get("/audit/checkpoint", params={"size": 5})).text == old.note
        assert verify_offline.open_checkpoint(latest.text, key)[0] == 11

        inclusion = await api.get("/audit/proofs/inclusion/3", params={"size": 5})
        assert inclusion.status_code == 200, inclusion.text
        assert verify_offline.check_inclusion(inclusion.json(), key) == (
            "verified: position 3 is in the checkpoint of size 5"
        )
        consistency = await api.get("/audit/proofs/consistency", params={"old": 5, "new": 11})
        assert verify_offline.check_consistency(consistency.json(), key) == (
            "verified: the log of 5 events is a prefix of the log of 11"
        )

        # What no checkpoint covers is refused, not vouched for.
        await store.append("s", 11, batch(1, start=11))
        beyond = await api.get("/audit/proofs/inclusion/12")
        assert beyond.status_code == 404
        assert "no proof of position 12" in beyond.json()["detail"]

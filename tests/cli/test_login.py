"""`concordat login`, `whoami`, `logout`, and commands acting as the signed-in person through the
API, against the real embedded stack and its OpenID provider. The tests run in file order."""

import json
import stat
from datetime import UTC, datetime, timedelta

import pytest

from deploy.dev_users import dev_users
from tests.cli.conftest import Stack
from tests.cli.refusals import assert_ok, assert_refused

CD = "county-durham"
TODAY = datetime.now(UTC).date().isoformat()
SECRETARY = "dev-secretary-county-durham"
ICB = "dev-rep-icb-county-durham"


def email(sub: str) -> str:
    return next(address for address, u in dev_users().items() if u["sub"] == sub)


def sign(organisation: str, *extra: str) -> list[str]:
    return ["mou", "sign", CD, organisation, "--name", "A. Signatory", "--role", "Chief Executive",
            "--date", TODAY, *extra]  # fmt: skip


@pytest.fixture(scope="module")
def secretary(stack: Stack) -> Stack:
    return stack.signed_in(SECRETARY)


@pytest.fixture(scope="module")
def icb(stack: Stack) -> Stack:
    return stack.signed_in(ICB)


def test_login_keeps_the_token_readable_by_its_owner_only(secretary: Stack) -> None:
    folder = secretary.config_folder
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    tokens = folder / "tokens.json"
    assert stat.S_IMODE(tokens.stat().st_mode) == 0o600
    kept = json.loads(tokens.read_text())
    api = f"http://127.0.0.1:{secretary.env['CONCORDAT_WEB_PORT']}"
    assert list(kept) == [api]
    assert kept[api]["email"] == email(SECRETARY) and kept[api]["access_token"]


def test_whoami_is_the_person_the_api_names(secretary: Stack) -> None:
    me = json.loads(assert_ok(secretary.run("whoami", "--json")))
    assert (me["subject"], me["email"]) == (SECRETARY, email(SECRETARY))
    assert email(SECRETARY) in assert_ok(secretary.run("whoami"))


def test_no_token_is_a_clear_message_and_writes_nothing(stack: Stack) -> None:
    before = stack.digest()
    config = stack.env["CONCORDAT_DATA_DIR"] + "/people/nobody"
    nobody = Stack(env=stack.env | {"XDG_CONFIG_HOME": config})
    assert_refused(nobody.run("partnerships", "start", CD), "run concordat login")
    assert_refused(nobody.run("whoami"), "not signed in to http://127.0.0.1:")
    assert stack.digest() == before


def test_a_representative_signs_for_their_own_organisation_as_themselves(
    stack: Stack, secretary: Stack, icb: Stack
) -> None:
    assert_ok(secretary.run("partnerships", "start", CD))
    before = stack.settled_digest()
    assert "icb signed" in assert_ok(icb.run(*sign("icb")))
    (signed,) = [e for e in stack.events(before) if e.type == "MouSigned"]
    provenance = signed.metadata["provenance"]
    assert provenance["person"]["subject"] == ICB
    assert provenance["person"]["email"] == email(ICB)
    assert (provenance["role"], provenance["organisation"]) == ("representative", "icb")
    assert "on_behalf_of" not in provenance and provenance["channel"] == "api"


def test_a_representative_acting_for_another_organisation_is_refused_in_the_apis_words(
    stack: Stack, icb: Stack
) -> None:
    before = stack.settled_digest()
    refused = icb.run(*sign("dcc"))
    assert_refused(refused, f":{ICB}) may not SignMou for dcc")
    behalf = icb.run(*sign("dcc", "--on-behalf-of", "letter received"))
    assert_refused(behalf, "may not SignMou on behalf of dcc")
    assert stack.digest() == before


def test_the_secretariat_records_for_a_partner_with_the_reason_kept(
    stack: Stack, secretary: Stack
) -> None:
    before = stack.settled_digest()
    assert_ok(secretary.run(*sign("dcc", "--on-behalf-of", "counterpart by post")))
    (signed,) = [e for e in stack.events(before) if e.type == "MouSigned"]
    provenance = signed.metadata["provenance"]
    assert provenance["person"]["subject"] == SECRETARY
    assert provenance["role"] == "secretariat"
    assert (provenance["on_behalf_of"], provenance["reason"]) == ("dcc", "counterpart by post")


def test_an_expired_sign_in_is_renewed_with_its_refresh_token(icb: Stack) -> None:
    tokens = icb.config_folder / "tokens.json"
    kept = json.loads(tokens.read_text())
    (api,) = kept
    assert kept[api]["refresh_token"]
    before = kept[api]["access_token"]
    kept[api]["expires_at"] = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    tokens.write_text(json.dumps(kept))
    me = json.loads(assert_ok(icb.run("whoami", "--json")))
    assert me["subject"] == ICB
    renewed = json.loads(tokens.read_text())[api]
    assert renewed["access_token"] != before
    assert datetime.fromisoformat(renewed["expires_at"]) > datetime.now(UTC)
    assert stat.S_IMODE(tokens.stat().st_mode) == 0o600


def test_an_expired_or_refused_sign_in_says_to_sign_in_again(stack: Stack, icb: Stack) -> None:
    tokens = icb.config_folder / "tokens.json"
    kept = json.loads(tokens.read_text())
    (api,) = kept
    before = stack.digest()
    expired = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    for changed, refusal in [
        ({"expires_at": expired, "refresh_token": None}, "has expired: run concordat login"),
        (
            {"expires_at": expired, "refresh_token": "not-a-refresh-token"},
            "has expired and the identity provider would not renew it (",
        ),
        ({"access_token": "not-a-token"}, "refused your sign-in"),
    ]:
        tokens.write_text(json.dumps({api: kept[api] | changed}))
        refused = icb.run(*sign("icb"))
        assert_refused(refused, refusal)
        assert refused.stderr.endswith("run concordat login\n")
    assert stack.digest() == before


def test_logout_forgets_the_token(secretary: Stack) -> None:
    assert "signed out of" in assert_ok(secretary.run("logout"))
    assert json.loads((secretary.config_folder / "tokens.json").read_text()) == {}
    assert_refused(secretary.run("whoami"), "run concordat login")

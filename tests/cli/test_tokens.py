"""The token file `concordat login` keeps: its owner's alone, one sign-in per API address. No
stack: these run in a moment."""

import os
import stat
from pathlib import Path

import pytest

from concordat.cli.tokens import SignIn, TokenFileError, forget, load, save

API = "http://127.0.0.1:8000"


def sign_in(api: str = API, token: str = "t") -> SignIn:
    return SignIn(api=api, issuer="http://idp", access_token=token, email="a@b.example", name="A")


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    return tmp_path / "concordat"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_folder_and_file_are_the_owners_alone_whatever_was_there(config: Path) -> None:
    config.mkdir(mode=0o755)
    config.chmod(0o755)
    leftover = config / f".tokens.{os.getpid()}.json"
    leftover.write_text("{}")
    leftover.chmod(0o644)
    written = save(sign_in())
    assert (mode(config), mode(written)) == (0o700, 0o600)
    assert not leftover.exists()


def test_one_sign_in_per_api_address(config: Path) -> None:
    save(sign_in(API, "first"))
    save(sign_in("https://concordat.example", "second"))
    save(sign_in(API, "third"))
    assert load(API) == sign_in(API, "third")
    assert load("https://concordat.example") == sign_in("https://concordat.example", "second")
    assert forget(API) is True and forget(API) is False
    assert load(API) is None and load("https://concordat.example") is not None


def test_a_file_that_is_not_a_token_file_is_named(config: Path) -> None:
    config.mkdir()
    (config / "tokens.json").write_text("not json")
    with pytest.raises(TokenFileError, match=r"tokens\.json is not a token file; remove it"):
        load(API)

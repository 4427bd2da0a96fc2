"""The service's signing key: made once, readable by its owner only, and refused when broken;
the keys a worker trusts, and the signature an auditor checks."""

import stat
from pathlib import Path

import pytest

from audit.signatures import Seal, seal_of
from concordat.settings import Settings
from concordat.signing import Signer, SigningKeyError, service_signer, trusted_keys
from domain.aggregates.partnership import RequestReview
from tests.people import shipped, signed
from workflows import signatures


def test_the_embedded_stack_makes_its_key_once_mode_0600(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    made = service_signer(settings, create=True)
    key = settings.signing_key()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert service_signer(settings, create=True).public_key == made.public_key
    assert trusted_keys(settings) == [made.public_key]


def test_a_missing_or_broken_key_is_refused_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(SigningKeyError, match=f"{tmp_path / 'absent.pem'} cannot be read"):
        Signer.from_file(tmp_path / "absent.pem")
    broken = tmp_path / "broken.pem"
    broken.write_text("not a key")
    with pytest.raises(SigningKeyError, match=f"{broken} is not a PEM key"):
        Signer.from_file(broken)


def test_outside_the_embedded_stack_the_trusted_keys_must_be_set(tmp_path: Path) -> None:
    production = Settings(temporal_address="temporal.internal:7233", data_dir=tmp_path)
    with pytest.raises(SigningKeyError, match="CONCORDAT_TRUSTED_KEYS is not set"):
        trusted_keys(production)
    assert trusted_keys(production.model_copy(update={"trusted_keys": ["ab" * 32]})) == ["ab" * 32]
    with pytest.raises(ValueError, match="is not a hex Ed25519 public key"):
        signatures.trust(["not hex"])


def test_a_recorded_signature_verifies_only_over_what_was_signed() -> None:
    envelope = signed(shipped("county-durham"), RequestReview())
    actor = envelope.actor.signed_by_command(envelope.command)
    assert seal_of(actor.metadata()) == (Seal.VERIFIED, actor.signature and actor.signature.key)
    other = {**actor.metadata(), "signature": {**actor.metadata()["signature"], "command": {}}}
    assert seal_of(other)[0] is Seal.BROKEN
    unsigned = {k: v for k, v in actor.metadata().items() if k != "signature"}
    assert seal_of(unsigned)[0] is Seal.UNSIGNED

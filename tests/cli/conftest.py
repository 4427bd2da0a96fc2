"""The real embedded stack for command-line tests: `python -m deploy.embedded` in a child process
(PostgreSQL, the Temporal dev server and the worker), one per test module, with the `concordat`
command spawned against it as a user would run it.

Import `Stack` for type hints; take the `stack` fixture in any test module under tests/cli/, or
start one with settings of its own with `running_stack`.
"""

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from concordat.settings import Settings
from deploy.processes import free_port
from eventstore.models import RecordedEvent
from eventstore.pool import open_pool
from eventstore.store import EventStore

READY = "Concordat is running."
SIGN_IN_AT = "Sign in at: "
START_TIMEOUT_SECONDS = 120
COMMAND_TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class Stack:
    """The running stack: `env` makes a `concordat` process talk to it and to nothing else."""

    env: dict[str, str]

    def _argv(self, args: tuple[str, ...]) -> list[str]:
        return [sys.executable, "-m", "concordat.cli", *args]

    def signed_in(self, sub: str) -> "Stack":
        """The stack as the development user `sub` uses it: `concordat login` run as a person
        does, the provider's sign-in form posted for `sub` (as tests/web/signing_in.py does),
        the token kept in a configuration folder of that person's own (once a stack)."""
        config = Path(self.env["CONCORDAT_DATA_DIR"]) / "people" / sub
        config.mkdir(parents=True, exist_ok=True)
        person = Stack(env=self.env | {"XDG_CONFIG_HOME": str(config)})
        if (person.config_folder / "tokens.json").exists():
            return person
        port = free_port()
        login = subprocess.Popen(
            person._argv(("login", "--no-browser", "--timeout", "60", "--port", str(port))),
            env=person.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert login.stderr is not None
        prompt = login.stderr.readline()
        assert prompt.startswith(SIGN_IN_AT), prompt
        assert f"redirect_uri=http%3A%2F%2F127.0.0.1%3A{port}%2Fcallback&" in prompt
        back = httpx.post(prompt.removeprefix(SIGN_IN_AT).strip(), data={"sub": sub})
        assert back.status_code == 302, back.text
        assert httpx.get(back.headers["location"]).status_code == 200
        stdout, stderr = login.communicate(timeout=COMMAND_TIMEOUT_SECONDS)
        assert login.returncode == 0, stderr
        assert stdout.startswith("signed in to "), stdout
        return person

    @property
    def config_folder(self) -> Path:
        return Path(self.env["XDG_CONFIG_HOME"]) / "concordat"

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`concordat ARGS`, waited for."""
        return subprocess.run(
            self._argv(args),
            env=self.env,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_SECONDS,
        )

    def run_all(self, *commands: tuple[str, ...]) -> list[subprocess.CompletedProcess[str]]:
        """Several commands at once (each a tuple of arguments), in the order given: refusals
        that must not interfere with each other, checked in one go to keep tests quick."""
        started = [
            (
                command,
                subprocess.Popen(
                    self._argv(command),
                    env=self.env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                ),
            )
            for command in commands
        ]
        results = []
        for command, process in started:
            stdout, stderr = process.communicate(timeout=COMMAND_TIMEOUT_SECONDS)
            results.append(
                subprocess.CompletedProcess(list(command), process.returncode, stdout, stderr)
            )
        return results

    @property
    def database_url(self) -> str:
        """As the application role, with the stack's generated password."""
        return Settings(
            database_url=None,
            data_dir=Path(self.env["CONCORDAT_DATA_DIR"]),
            embedded_postgres_port=int(self.env["CONCORDAT_EMBEDDED_POSTGRES_PORT"]),
        ).database_dsn()

    def digest(self) -> str:
        """The log's POSITION:HASH, as `concordat audit digest` prints it; read in this process
        because tests take it before and after every refusal, and an interpreter costs seconds."""

        async def read() -> str:
            pool = await open_pool(self.database_url, max_size=1)
            try:
                return str(await EventStore(pool).digest())
            finally:
                await pool.close()

        # In a thread of its own, so the session's event loop (pytest-asyncio) is left alone.
        with ThreadPoolExecutor(max_workers=1) as thread:
            return thread.submit(asyncio.run, read()).result()

    def events(self, after_digest: str) -> list[RecordedEvent]:
        """The events recorded after the log stood at `after_digest` (POSITION:HASH)."""
        after = int(after_digest.split(":")[0])

        async def read() -> list[RecordedEvent]:
            pool = await open_pool(self.database_url, max_size=1)
            try:
                return await EventStore(pool).read_all(after)
            finally:
                await pool.close()

        with ThreadPoolExecutor(max_workers=1) as thread:
            return thread.submit(asyncio.run, read()).result()

    def settled_digest(self, pause_seconds: float = 1.0) -> str:
        """The digest once the log has stopped growing: processes write their notices a moment
        after the command that started them returns."""
        last = self.digest()
        while True:
            time.sleep(pause_seconds)
            current = self.digest()
            if current == last:
                return current
            last = current


def _wait_until_ready(process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if READY in log.read_text(errors="replace"):
            return
        if process.poll() is not None:
            break
        time.sleep(0.2)
    process.kill()
    raise AssertionError(f"the stack did not start:\n{log.read_text(errors='replace')}")


@contextmanager
def running_stack(**settings: str) -> Iterator[Stack]:
    """A stack whose processes, and the commands run against it, have the extra `settings`
    (environment variables) too."""
    # Under /tmp, readable by all: when tests run as root PostgreSQL runs as its own user.
    data = Path(tempfile.mkdtemp(prefix="concordat-cli-"))
    data.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONCORDAT_")}
    env |= {
        "CONCORDAT_DATA_DIR": str(data),
        "CONCORDAT_EMBEDDED_POSTGRES_PORT": str(free_port()),
        "CONCORDAT_EMBEDDED_TEMPORAL_PORT": str(free_port()),
        "CONCORDAT_EMBEDDED_TEMPORAL_UI_PORT": str(free_port()),
        "CONCORDAT_EMBEDDED_OIDC_PORT": str(free_port()),
        "CONCORDAT_WEB_PORT": str(free_port()),
        "CONCORDAT_LOG_FORMAT": "json",
        "USER": "cli-test",
    }
    env |= settings
    log = data / "stack.log"
    # The stack's output goes to a file, never a pipe nobody reads, which would fill and stall it.
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "deploy.embedded"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_ready(process, log)
        yield Stack(env=env)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with running_stack() as running:
        yield running

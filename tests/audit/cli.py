"""Run `concordat` as a separate process, as an auditor would, connected as the read-only role."""

import asyncio
import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from concordat.settings import Settings


def auditor_url(database_url: str) -> str:
    """The test database's URL for the read-only auditor role, as `concordat audit` derives it."""
    return Settings(database_url=database_url).auditor_database_dsn()


@dataclass(frozen=True)
class Ran:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


async def concordat(*args: str, env: Mapping[str, str] | None = None) -> Ran:
    """`python -m concordat.cli ARGS` with no CONCORDAT_ settings but those given."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CONCORDAT_")}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "concordat.cli",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**environment, **(env or {})},
    )
    stdout, stderr = await process.communicate()
    assert process.returncode is not None
    return Ran(process.returncode, stdout.decode(), stderr.decode())

"""Witnesses of the signed checkpoints, configured per partnership in one TOML file
(CONCORDAT_CHECKPOINT_WITNESSES):

    [county-durham]
    directory = "/srv/witness/county-durham"    # checkpoint-<size>.txt and latest.txt
    auditors = ["internal.audit@example.nhs.uk"]  # by the notice delivery channel

A checkpoint covers the whole log, so every partnership's witnesses receive each one; a witness
that kept a checkpoint can later show any rewrite or truncation behind it (docs/audit.md).
"""

import asyncio
import hashlib
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from activities.contracts import DeliveryRequest
from activities.delivery import Channel
from activities.letters import Paper
from eventstore.checkpoint import SignedCheckpoint


class WitnessConfigError(ValueError):
    """The witnesses file cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class Witness:
    partnership: str
    directory: Path | None
    auditors: tuple[str, ...]


def load_witnesses(path: Path | None) -> list[Witness]:
    if path is None:
        return []
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise WitnessConfigError(f"{path}: {error}") from error
    witnesses = []
    for slug, entry in table.items():
        if not isinstance(entry, dict) or not set(entry) <= {"directory", "auditors"}:
            raise WitnessConfigError(f"{path}: [{slug}] may hold only directory and auditors")
        directory = entry.get("directory")
        auditors = entry.get("auditors", [])
        if directory is not None and not isinstance(directory, str):
            raise WitnessConfigError(f"{path}: [{slug}] directory must be a path")
        if not isinstance(auditors, list) or not all(
            isinstance(a, str) and "@" in a for a in auditors
        ):
            raise WitnessConfigError(f"{path}: [{slug}] auditors must be a list of addresses")
        witnesses.append(Witness(slug, Path(directory) if directory else None, tuple(auditors)))
    return witnesses


def _write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    staging = folder / f".{name}.{os.getpid()}.tmp"
    staging.write_text(text, encoding="utf-8")
    os.replace(staging, folder / name)


class Witnesses:
    """Publishes a checkpoint to every witness: a file in each directory, a mail to each auditor."""

    def __init__(
        self, witnesses: list[Witness], channel: Channel, papers: Mapping[str, Paper] | None = None
    ) -> None:
        """`papers` give each partnership's officer, who sends its witnesses' mail."""
        self._witnesses = witnesses
        self._channel = channel
        self._papers = dict(papers or {})

    async def publish(self, signed: SignedCheckpoint) -> None:
        size = signed.checkpoint.tree_size
        for witness in self._witnesses:
            if witness.directory is not None:
                for name in (f"checkpoint-{size}.txt", "latest.txt"):
                    await asyncio.to_thread(_write, witness.directory, name, signed.note)
            for address in witness.auditors:
                request = DeliveryRequest(
                    partnership=witness.partnership,
                    notice_id=f"checkpoint-{size}",
                    recipient="auditor",
                    subject=f"Signed checkpoint of the Concordat log: {size} events",
                    body="Keep this signed checkpoint: docs/audit.md says how to check the log "
                    f"against it.\n\n{signed.note}",
                    content_hash=hashlib.sha256(signed.note.encode()).hexdigest(),
                )
                await self._channel.send(request, address, self._papers.get(witness.partnership))

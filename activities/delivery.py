"""Delivery of written notices: to a local outbox folder by default, by SMTP in production.

A retried delivery must not send a second, different notice: the outbox keeps the file the first
attempt wrote, and an SMTP resend carries the same X-Concordat-Notice and content-hash headers
(its Message-ID is new, from `email.utils.make_msgid`), so a receiving system can tell a resend
from a new notice. Every receipt names the SHA-256 of the bytes it sent.
"""

import asyncio
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parseaddr
from pathlib import Path
from typing import Protocol

import aiosmtplib
import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.contracts import DELIVER_NOTICE, DeliveryReceipt, DeliveryRequest
from activities.letters import Paper, compose, sha256
from activities.metrics import NOTICES

log = structlog.get_logger(__name__)


class AddressBook:
    """Recipients' addresses: a TOML file of `[addresses] slug = "email"`, else slug@domain."""

    def __init__(self, addresses: dict[str, str], default_domain: str) -> None:
        self._addresses = addresses
        self._default_domain = default_domain

    @classmethod
    def from_file(cls, path: Path | None, default_domain: str) -> "AddressBook":
        """The addresses in `path`, or none but the fallback when there is no file."""
        addresses: dict[str, str] = {}
        if path is not None:
            with path.open("rb") as file:
                table = tomllib.load(file).get("addresses", {})
            if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
                raise ValueError(f"{path}: [addresses] must map slugs to email addresses")
            addresses = dict(table)
        return cls(addresses, default_domain)

    def address(self, recipient: str) -> str:
        return self._addresses.get(recipient, f"{recipient}@{self._default_domain}")


class Channel(Protocol):
    name: str

    async def send(self, request: DeliveryRequest, to: str, paper: Paper | None) -> str:
        """Delivers and returns a reference to what was delivered, with the SHA-256 of the
        exact bytes sent."""
        ...


def message_key(request: DeliveryRequest) -> str:
    safe_id = "".join(c if c.isalnum() or c in "-." else "_" for c in request.notice_id)
    return f"{safe_id}.{request.content_hash[:16]}"


class OutboxChannel:
    """Each notice as an .eml file under <outbox>/<partnership>/, written atomically."""

    name = "outbox"

    def __init__(self, folder: Path, sender: str | None) -> None:
        self._folder = folder
        self._sender = sender

    def _write(self, request: DeliveryRequest, to: str, paper: Paper | None) -> str:
        folder = self._folder / request.partnership
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{message_key(request)}.eml"
        if not target.exists():
            staging = target.with_suffix(f".{os.getpid()}.tmp")
            staging.write_bytes(compose(request, paper, self._sender, to).as_bytes())
            os.replace(staging, target)
        # A retry finds the file the first attempt wrote, and names those bytes.
        return f"{target} {sha256(target.read_bytes())}"

    async def send(self, request: DeliveryRequest, to: str, paper: Paper | None) -> str:
        return await asyncio.to_thread(self._write, request, to, paper)


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    starttls: bool = False
    username: str | None = None
    password: str = field(default="", repr=False)


class SmtpChannel:
    name = "smtp"

    def __init__(self, server: SmtpServer, sender: str | None) -> None:
        self._server = server
        self._sender = sender

    async def send(self, request: DeliveryRequest, to: str, paper: Paper | None) -> str:
        server = self._server
        # The PDF is made off the event loop: other letters of the decision go out meanwhile.
        message = await asyncio.to_thread(compose, request, paper, self._sender, to)
        sent = message.as_bytes()
        envelope_from = parseaddr(str(message["Sender"] or message["From"]))[1]
        smtp = aiosmtplib.SMTP(
            hostname=server.host, port=server.port, start_tls=server.starttls, timeout=30
        )
        async with smtp:
            if server.username is not None:
                await smtp.login(server.username, server.password)
            refused, _ = await smtp.sendmail(envelope_from, [to], sent)
        if refused:
            raise ApplicationError(
                f"the mail server refused {to} for notice {request.notice_id}: {refused}",
                type="DeliveryRefused",
            )
        return f"{message['Message-ID']} {sha256(sent)}"


class DeliveryActivities:
    def __init__(
        self, channel: Channel, addresses: AddressBook, papers: Mapping[str, Paper] | None = None
    ) -> None:
        """`papers` are the partnerships' officers and letterheads (`activities.letters.papers`);
        a partnership without one is sent as plain text from the channel's sender."""
        self._channel = channel
        self._addresses = addresses
        self._papers = dict(papers or {})

    @activity.defn(name=DELIVER_NOTICE)
    async def deliver_notice(self, request: DeliveryRequest) -> DeliveryReceipt:
        """One notice; histories from before the patch `notices-delivered-in-one-activity`
        deliver each notice here (activities/notices.py delivers a decision's together)."""
        return await self.send(request)

    async def send(self, request: DeliveryRequest) -> DeliveryReceipt:
        to = self._addresses.address(request.recipient)
        try:
            reference = await self._channel.send(request, to, self._papers.get(request.partnership))
        except Exception:
            NOTICES.labels("failed", self._channel.name).inc()
            raise
        NOTICES.labels("delivered", self._channel.name).inc()
        log.info("notice delivered", notice_id=request.notice_id, to=to, reference=reference)
        return DeliveryReceipt(
            notice_id=request.notice_id,
            channel=self._channel.name,
            reference=reference,
            delivered_at=datetime.now(UTC),
        )

"""Delivery of written notices: to a local outbox folder by default, by SMTP in production.

A retried delivery must not send a second, different notice: the outbox writes the same file again
(and recognises it), and SMTP messages carry a Message-ID made from the notice id and content hash,
so a receiving system can tell a resend from a new notice.
"""

import asyncio
import email.policy
import os
import smtplib
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import Protocol

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.contracts import DELIVER_NOTICE, DeliveryReceipt, DeliveryRequest
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


# Headers are not folded, so the content hash header reads back exactly as written.
_POLICY = email.policy.default.clone(max_line_length=998)


def compose(request: DeliveryRequest, sender: str, to: str) -> EmailMessage:
    message = EmailMessage(policy=_POLICY)
    message["From"] = sender
    message["To"] = to
    message["Subject"] = request.subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = f"<{message_key(request)}@concordat>"
    message["X-Concordat-Notice"] = request.notice_id
    message["X-Concordat-Content-Hash"] = request.content_hash
    message.set_content(request.body)
    return message


def message_key(request: DeliveryRequest) -> str:
    safe_id = "".join(c if c.isalnum() or c in "-." else "_" for c in request.notice_id)
    return f"{safe_id}.{request.content_hash[:16]}"


class Channel(Protocol):
    name: str

    async def send(self, request: DeliveryRequest, to: str) -> str:
        """Delivers and returns a reference to what was delivered."""
        ...


class OutboxChannel:
    """Each notice as an .eml file under <outbox>/<partnership>/, written atomically."""

    name = "outbox"

    def __init__(self, folder: Path, sender: str) -> None:
        self._folder = folder
        self._sender = sender

    def _write(self, request: DeliveryRequest, to: str) -> str:
        folder = self._folder / request.partnership
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{message_key(request)}.eml"
        if not target.exists():
            staging = target.with_suffix(f".{os.getpid()}.tmp")
            staging.write_bytes(compose(request, self._sender, to).as_bytes())
            os.replace(staging, target)
        return str(target)

    async def send(self, request: DeliveryRequest, to: str) -> str:
        return await asyncio.to_thread(self._write, request, to)


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    starttls: bool = False
    username: str | None = None
    password: str = field(default="", repr=False)


class SmtpChannel:
    name = "smtp"

    def __init__(self, server: SmtpServer, sender: str) -> None:
        self._server = server
        self._sender = sender

    def _send(self, request: DeliveryRequest, to: str) -> str:
        server = self._server
        message = compose(request, self._sender, to)
        with smtplib.SMTP(server.host, server.port, timeout=30) as smtp:
            if server.starttls:
                smtp.starttls()
            if server.username is not None:
                smtp.login(server.username, server.password)
            refused = smtp.send_message(message)
        if refused:
            raise ApplicationError(
                f"the mail server refused {to} for notice {request.notice_id}: {refused}",
                type="DeliveryRefused",
            )
        return str(message["Message-ID"])

    async def send(self, request: DeliveryRequest, to: str) -> str:
        return await asyncio.to_thread(self._send, request, to)


class DeliveryActivities:
    def __init__(self, channel: Channel, addresses: AddressBook) -> None:
        self._channel = channel
        self._addresses = addresses

    @activity.defn(name=DELIVER_NOTICE)
    async def deliver_notice(self, request: DeliveryRequest) -> DeliveryReceipt:
        """One notice; histories from before the patch `notices-delivered-in-one-activity`
        deliver each notice here (activities/notices.py delivers a decision's together)."""
        return await self.send(request)

    async def send(self, request: DeliveryRequest) -> DeliveryReceipt:
        to = self._addresses.address(request.recipient)
        try:
            reference = await self._channel.send(request, to)
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

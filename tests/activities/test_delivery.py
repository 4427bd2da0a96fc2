"""Notice delivery through both channels: the outbox folder and a real SMTP server (aiosmtpd).

The SMTP delivery is built from settings as the worker builds it (concordat/delivery.py).
"""

import email
import email.policy
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from temporalio.testing import ActivityEnvironment

from activities.contracts import DeliveryRequest
from activities.delivery import (
    AddressBook,
    DeliveryActivities,
    OutboxChannel,
    SmtpChannel,
    SmtpServer,
)
from concordat.delivery import delivery_from_settings
from concordat.settings import DeliveryChannel, Settings
from deploy.processes import free_port
from domain.notices import content_hash

SUBJECT = "Notice of withdrawal from the County Durham Care Partnership MoU"
BODY = "Tees, Esk and Wear Valleys NHS FT gives notice in writing (CDCP MoU §27).\nÉté ✓"


def request(notice_id: str = "exit:county-durham:tewv/dcc") -> DeliveryRequest:
    return DeliveryRequest(
        partnership="county-durham",
        notice_id=notice_id,
        recipient="dcc",
        subject=SUBJECT,
        body=BODY,
        content_hash=content_hash(SUBJECT, BODY),
    )


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        content = envelope.content  # type: ignore[attr-defined]
        self.messages.append(email.message_from_bytes(content, policy=email.policy.default))
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, Inbox]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, inbox
    controller.stop()


async def test_outbox_writes_one_file_per_notice_and_a_retry_writes_the_same(
    tmp_path: Path,
) -> None:
    activities = DeliveryActivities(
        OutboxChannel(tmp_path, "concordat@test"), AddressBook({"dcc": "gov@durham.test"}, "x")
    )
    env = ActivityEnvironment()
    first = await env.run(activities.deliver_notice, request())
    again = await env.run(activities.deliver_notice, request())
    assert first.channel == "outbox" and first.reference == again.reference
    files = list((tmp_path / "county-durham").iterdir())
    assert [Path(first.reference)] == files
    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert message["To"] == "gov@durham.test"
    assert message["Subject"] == SUBJECT
    assert message["X-Concordat-Content-Hash"] == content_hash(SUBJECT, BODY)
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes) and payload.decode().strip() == BODY


async def test_smtp_delivers_to_a_real_server_with_a_stable_message_id(
    smtp_server: tuple[int, Inbox],
) -> None:
    port, inbox = smtp_server
    settings = Settings(
        delivery_channel=DeliveryChannel.SMTP,
        smtp_host="127.0.0.1",
        smtp_port=port,
        notice_sender="concordat@partnership.test",
        notice_default_domain="partners.test",
    )
    activities = delivery_from_settings(settings)
    env = ActivityEnvironment()
    receipt = await env.run(activities.deliver_notice, request())
    retry = await env.run(activities.deliver_notice, request())
    assert receipt.channel == "smtp"
    assert [m["To"] for m in inbox.messages] == ["dcc@partners.test"] * 2
    # A resend carries the same Message-ID, so the receiving side can tell it is not a new notice.
    assert inbox.messages[0]["Message-ID"] == inbox.messages[1]["Message-ID"] == receipt.reference
    assert retry.reference == receipt.reference
    assert inbox.messages[0]["X-Concordat-Notice"] == "exit:county-durham:tewv/dcc"
    assert inbox.messages[0]["From"] == "concordat@partnership.test"


async def test_smtp_failure_raises_so_the_activity_is_retried() -> None:
    channel = SmtpChannel(SmtpServer("127.0.0.1", free_port()), "concordat@test")
    activities = DeliveryActivities(channel, AddressBook({}, "partners.test"))
    with pytest.raises(ConnectionRefusedError):
        await ActivityEnvironment().run(activities.deliver_notice, request())


def test_address_book_file_and_fallback(tmp_path: Path) -> None:
    book = tmp_path / "addresses.toml"
    book.write_text('[addresses]\ntewv = "governance@tewv.test"\n')
    addresses = AddressBook.from_file(book, "partners.test")
    assert addresses.address("tewv") == "governance@tewv.test"
    assert addresses.address("dcc") == "dcc@partners.test"
    book.write_text("[addresses]\ntewv = 3\n")
    with pytest.raises(ValueError, match="must map slugs to email addresses"):
        AddressBook.from_file(book, "partners.test")

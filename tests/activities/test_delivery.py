"""Notice delivery through both channels: the outbox folder and a real SMTP server (aiosmtpd).

The SMTP delivery is built from settings as the worker builds it (concordat/delivery.py), and
sends a real letter: County Durham's officer signs it and its file asks for a PDF copy.
"""

import email
import email.policy
import hashlib
import io
from collections.abc import Iterator
from datetime import date
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from aiosmtplib import SMTPConnectError
from pypdf import PdfReader
from temporalio.testing import ActivityEnvironment

from activities.contracts import DeliveryRequest
from activities.delivery import (
    AddressBook,
    DeliveryActivities,
    OutboxChannel,
    SmtpChannel,
    SmtpServer,
)
from activities.letters import Paper, papers, pdf_of
from concordat.delivery import delivery_from_settings
from concordat.settings import DeliveryChannel, Settings
from deploy.processes import free_port
from domain.letters.exit import ExitParticulars, exit_notice
from domain.notices import content_hash
from domain.partnerships_config import SHIPPED, load_partnership

SUBJECT = "Notice of withdrawal from the County Durham Care Partnership MoU"
BODY = "Tees, Esk and Wear Valleys NHS FT gives notice in writing.\nÉté ✓"
ISSUED_ON = date(2027, 10, 11)


def request(notice_id: str = "exit:county-durham:tewv/dcc") -> DeliveryRequest:
    return DeliveryRequest(
        partnership="county-durham",
        notice_id=notice_id,
        recipient="dcc",
        subject=SUBJECT,
        body=BODY,
        content_hash=content_hash(SUBJECT, BODY),
    )


def letter() -> DeliveryRequest:
    """County Durham's exit notice to Durham County Council, as a workflow records it."""
    config = load_partnership("county-durham").model_copy(
        update={"web_base_url": "https://concordat.durham.example"}
    )
    document = exit_notice(
        ExitParticulars(
            exit_id="2027-10-01-tewv",
            partnership_name=config.name,
            mou_title=config.mou.title,
            organisation_name="Tees, Esk and Wear Valleys NHS Foundation Trust",
            signatory_name="Brent Kilmurray, Chief Executive",
            notified_on=date(2027, 10, 1),
            effective_on=date(2028, 3, 31),
        ),
        config=config,
        recipient="dcc",
        recipient_name="Durham County Council",
        issued_on=ISSUED_ON,
        acknowledge_by=date(2027, 11, 8),
    )
    return DeliveryRequest(
        partnership=config.slug,
        notice_id=document.notice_id,
        recipient=document.recipient,
        subject=document.subject,
        body=document.body,
        content_hash=document.content_hash,
        issued_on=ISSUED_ON,
    )


class Inbox:
    def __init__(self) -> None:
        self.received: list[bytes] = []
        self.senders: list[str] = []

    @property
    def messages(self) -> list[EmailMessage]:
        return [email.message_from_bytes(m, policy=email.policy.default) for m in self.received]

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        # The controller leaves the data undecoded (decode_data=False), and MAIL comes first.
        assert isinstance(envelope.content, bytes) and envelope.mail_from is not None
        self.received.append(envelope.content)
        self.senders.append(envelope.mail_from)
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
        OutboxChannel(tmp_path, "concordat@test.example"),
        AddressBook({"dcc": "gov@durham.test"}, "x"),
    )
    env = ActivityEnvironment()
    first = await env.run(activities.deliver_notice, request())
    again = await env.run(activities.deliver_notice, request())
    assert first.channel == "outbox" and first.reference == again.reference
    files = list((tmp_path / "county-durham").iterdir())
    where, _, digest = first.reference.rpartition(" sha256=")
    assert [Path(where)] == files
    assert hashlib.sha256(files[0].read_bytes()).hexdigest() == digest
    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert message["To"] == "gov@durham.test"
    assert message["From"] == "concordat@test.example"
    assert message["Subject"] == SUBJECT
    assert message["X-Concordat-Content-Hash"] == content_hash(SUBJECT, BODY)
    payload = message.get_payload(decode=True)
    # The recorded text exactly, with the line ends mail carries.
    assert isinstance(payload, bytes) and payload.decode() == BODY.replace("\n", "\r\n") + "\r\n"


async def test_a_letter_goes_by_smtp_from_the_officer_dated_as_written_with_its_pdf(
    smtp_server: tuple[int, Inbox],
) -> None:
    """The headers, the text and HTML parts and the PDF copy as a real SMTP server receives
    them; the receipt names the SHA-256 of those very bytes; the recorded text's hash covers the
    text part; the PDF, made again from the recorded text, is the same bytes."""
    port, inbox = smtp_server
    settings = Settings(
        delivery_channel=DeliveryChannel.SMTP,
        smtp_host="127.0.0.1",
        smtp_port=port,
        notice_sender="letters@concordat.durham.example",
        notice_default_domain="partners.test",
    )
    activities = delivery_from_settings(settings)
    sent = letter()
    receipt = await ActivityEnvironment().run(activities.deliver_notice, sent)
    retry = await ActivityEnvironment().run(activities.deliver_notice, sent)

    assert receipt.channel == "smtp" and len(inbox.received) == 2
    message_id, _, digest = receipt.reference.partition(" ")
    assert digest == f"sha256={hashlib.sha256(inbox.received[0]).hexdigest()}"
    message = inbox.messages[0]
    assert message["Message-ID"] == message_id and message_id.endswith("@durham.gov.uk>")
    # A resend is recognisable by its notice and content hash, under a new Message-ID.
    resent = inbox.messages[1]
    assert retry.reference.partition(" ")[0] == resent["Message-ID"] != message_id
    assert resent["X-Concordat-Notice"] == message["X-Concordat-Notice"] == sent.notice_id
    assert resent["X-Concordat-Content-Hash"] == sent.content_hash

    officer = load_partnership("county-durham").officer
    assert officer is not None
    assert parseaddr(message["From"]) == (officer.name, officer.email)
    assert message["Sender"] == "letters@concordat.durham.example"
    assert inbox.senders[0] == "letters@concordat.durham.example"
    assert message["To"] == "dcc@partners.test"
    assert message["Subject"] == sent.subject
    assert message["Date"] == "Mon, 11 Oct 2027 09:00:00 +0100"
    assert message["Date"].datetime.date() == ISSUED_ON

    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    written = text.get_content().replace("\r\n", "\n").removesuffix("\n")
    assert content_hash(message["Subject"], written) == sent.content_hash
    html_text = html.get_content()
    assert "<p>Dear Ben Hall,</p>" in html_text
    assert '<a href="https://concordat.durham.example/processes/2027-10-01-tewv">' in html_text

    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    pdf = attachment.get_content()
    assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF")
    words = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split()
    for paragraph in sent.body.split("\n\n"):
        assert " ".join(paragraph.split()) in " ".join(words)
    assert pdf_of(sent, papers(SHIPPED)["county-durham"]) == pdf


async def test_a_partnership_whose_file_asks_for_no_pdf_gets_none(
    smtp_server: tuple[int, Inbox],
) -> None:
    port, inbox = smtp_server
    paper = papers(SHIPPED)["mid-south-essex"]
    assert not paper.pdf
    channel = SmtpChannel(SmtpServer("127.0.0.1", port), None)
    activities = DeliveryActivities(
        channel, AddressBook({}, "partners.test"), {"mid-south-essex": paper}
    )
    sent = request().model_copy(update={"partnership": "mid-south-essex"})
    await ActivityEnvironment().run(activities.deliver_notice, sent)
    (message,) = inbox.messages
    assert list(message.iter_attachments()) == []
    assert message["Sender"] is None and inbox.senders == ["mse.governance@nhs.net"]


def test_a_letter_with_neither_officer_nor_sender_is_refused() -> None:
    bare = Paper("Test", None, None, None, pdf=False)
    with pytest.raises(ValueError, match="names no officer and no sender is set"):
        OutboxChannel(Path("."), None)._write(request(), "x@y.test", bare)


async def test_smtp_failure_raises_so_the_activity_is_retried() -> None:
    channel = SmtpChannel(SmtpServer("127.0.0.1", free_port()), "concordat@test.example")
    activities = DeliveryActivities(channel, AddressBook({}, "partners.test"))
    with pytest.raises(SMTPConnectError):
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

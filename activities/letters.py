"""A recorded letter as it is sent: an e-mail with the text, an HTML alternative and, where the
partnership asks for one, a PDF copy on its letterhead.

The HTML and the PDF are derived from the recorded text alone (and the partnership's letterhead),
deterministically: the PDF's metadata dates are the letter's date, so the same letter always
gives the same bytes and an auditor can make them again from the log. The recorded SHA-256
covers the text; the receipt carries the SHA-256 of the message exactly as it was sent.
"""

import base64
import email.policy
import hashlib
import mimetypes
import re
from dataclasses import dataclass
from datetime import datetime, time
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path
from zoneinfo import ZoneInfo

import weasyprint
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from activities.contracts import DeliveryRequest
from domain.letters.stationery import Letterhead, Officer
from domain.partnership import Partnership
from domain.partnerships_config import load_partnership, logo_file, partnership_slugs

LONDON = ZoneInfo("Europe/London")
SENT_AT = time(9, 0)
"""The time of day a letter's Date header gives: 09:00 in London on the letter's date, the start
of an office day, so the header names the date the letter bears wherever it is read in the UK."""

# CRLF line ends, as SMTP carries them, so the bytes hashed are the bytes the server receives;
# headers are not folded, so the content hash header reads back exactly as written.
POLICY = email.policy.SMTP.clone(max_line_length=998)

_HTML = Environment(
    loader=PackageLoader("activities", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_URL = re.compile(r"https?://\S+")


@dataclass(frozen=True)
class Paper:
    """What one partnership's letters are sent from and printed on."""

    partnership: str
    officer: Officer | None
    letterhead: Letterhead | None
    logo: Path | None
    pdf: bool

    @classmethod
    def of(cls, config: Partnership, folder: Path) -> "Paper":
        letterhead = config.letters.letterhead
        logo = logo_file(letterhead.logo, folder) if letterhead and letterhead.logo else None
        return cls(config.name, config.officer, letterhead, logo, config.letters.pdf)


def papers(folder: Path) -> dict[str, Paper]:
    """Every partnership's paper in `folder` (the service's partnerships folder), by slug."""
    return {
        slug: Paper.of(load_partnership(slug, folder), folder) for slug in partnership_slugs(folder)
    }


def letter_date(request: DeliveryRequest) -> datetime:
    """When the letter says it was written; a notice recorded before letters carried their date
    is dated when it is sent."""
    if request.issued_on is None:
        return datetime.now(LONDON).replace(microsecond=0)
    return datetime.combine(request.issued_on, SENT_AT, tzinfo=LONDON)


def _paragraphs(text: str) -> list[Markup]:
    """The text's paragraphs as HTML: escaped, lines kept, addresses made links."""
    out = []
    for paragraph in text.split("\n\n"):
        lines = []
        for line in paragraph.split("\n"):
            parts, at = [], 0
            for url in _URL.finditer(line):
                parts += [escape(line[at : url.start()]), _link(url.group())]
                at = url.end()
            parts.append(escape(line[at:]))
            lines.append(Markup("").join(parts))
        out.append(Markup("<br>\n").join(lines))
    return out


def _link(url: str) -> Markup:
    return Markup('<a href="{0}">{0}</a>').format(url)


def _logo(paper: Paper) -> str | None:
    if paper.logo is None:
        return None
    kind = mimetypes.guess_type(paper.logo.name)[0] or "image/png"
    return f"data:{kind};base64,{base64.b64encode(paper.logo.read_bytes()).decode()}"


def html_of(request: DeliveryRequest, paper: Paper, *, printed: bool) -> str:
    """The letter as HTML, from its recorded text: for the e-mail, or `printed` on the letterhead
    for the PDF (which shows the logo and the partnership's address)."""
    written = letter_date(request).isoformat()
    return _HTML.get_template("letter.html.jinja").render(
        subject=request.subject,
        paragraphs=_paragraphs(request.body),
        partnership=paper.partnership,
        letterhead=paper.letterhead,
        logo=_logo(paper) if printed else None,
        printed=printed,
        written=written,
    )


def pdf_of(request: DeliveryRequest, paper: Paper) -> bytes:
    """The PDF copy on the letterhead; the same request always gives the same bytes."""
    return bytes(weasyprint.HTML(string=html_of(request, paper, printed=True)).write_pdf())


def compose(
    request: DeliveryRequest, paper: Paper | None, sender: str | None, to: str
) -> EmailMessage:
    """The e-mail of one letter. From is the partnership's officer, sent on their behalf by the
    service's `sender` when one is set; without an officer, from the service's sender."""
    officer = paper.officer if paper is not None else None
    if officer is None and sender is None:
        raise ValueError(
            f"{request.partnership} names no officer and no sender is set "
            "(CONCORDAT_NOTICE_SENDER): a letter needs a From address"
        )
    message = EmailMessage(policy=POLICY)
    if officer is not None:
        message["From"] = formataddr((officer.name, officer.email))
        if sender is not None and sender != officer.email:
            message["Sender"] = sender
    else:
        message["From"] = sender
    message["To"] = to
    message["Subject"] = request.subject
    message["Date"] = format_datetime(letter_date(request))
    domain = officer.domain if officer is not None else str(sender).rpartition("@")[2]
    message["Message-ID"] = make_msgid(request.content_hash[:16], domain=domain)
    message["X-Concordat-Notice"] = request.notice_id
    message["X-Concordat-Content-Hash"] = request.content_hash
    message.set_content(request.body)
    if paper is not None:
        message.add_alternative(html_of(request, paper, printed=False), subtype="html")
        if paper.pdf:
            message.add_attachment(
                pdf_of(request, paper),
                maintype="application",
                subtype="pdf",
                filename=f"{_safe(request.subject)}.pdf",
            )
    return message


def _safe(subject: str) -> str:
    return re.sub(r"[^\w ,.-]+", "", subject).strip()[:100] or "letter"


def sha256(sent: bytes) -> str:
    """How a receipt names the bytes it sent."""
    return f"sha256={hashlib.sha256(sent).hexdigest()}"

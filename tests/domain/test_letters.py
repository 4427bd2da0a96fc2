"""Every kind of letter, written for every shipped partnership, read in full as its recipient
would read it: addressed by name, signed by the named officer with contact details, the action
asked for with the page's address, no internal ids or clause codes, and grammar a test can check.
`pytest -s` prints them all."""

import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from domain.errors import ConfigError, DomainError
from domain.events import ActionKind, EscalationReason, ReviewConcluded, ReviewOutcome
from domain.letters import committee, escalation, exit, meetings, review
from domain.letters.render import LETTER_NAMES
from domain.notices import Document
from domain.partnership import Partnership
from domain.partnerships_config import SHIPPED, load_partnership, partnership_slugs

BASE = "https://concordat.example.gov.uk"
PROCESS = "2027-10-11-ea3190"
D = date


def configured(slug: str) -> Partnership:
    return load_partnership(slug).model_copy(update={"web_base_url": BASE})


def letters_of(config: Partnership) -> Iterator[tuple[str, Document]]:
    """One of each kind of letter, to the kind of recipient each goes to."""
    org = config.signatories[0]
    org_name = config.organisation(org).name
    other = config.organisation(config.signatories[1]).name
    body = next(b for b in config.bodies if b.members)
    raiser = config.bodies[1]

    e = exit.ExitParticulars(
        exit_id=PROCESS,
        partnership_name=config.name,
        mou_title=config.mou.title,
        organisation_name=other,
        signatory_name="Alex Reed, Chief Executive",
        notified_on=D(2027, 10, 1),
        effective_on=D(2028, 3, 31),
    )
    yield (
        "exit-notice",
        exit.exit_notice(
            e,
            config=config,
            recipient=org,
            recipient_name=org_name,
            issued_on=D(2027, 10, 11),
            acknowledge_by=D(2027, 11, 8),
            reason="Its services are moving to a neighbouring partnership.",
        ),
    )
    yield (
        "exit-reminder",
        exit.exit_reminder(
            e,
            config=config,
            recipient=org,
            recipient_name=org_name,
            sent_on=D(2027, 10, 18),
            issued_on=D(2027, 10, 11),
            acknowledge_by=D(2027, 11, 8),
        ),
    )

    r = review.ReviewParticulars(
        review_id=PROCESS,
        partnership_name=config.name,
        mou_title=config.mou.title,
        mou_version=2,
        response_deadline=D(2027, 11, 8),
    )
    on = D(2027, 10, 11)
    yield (
        "review-request",
        review.review_request(r, config, recipient=org, recipient_name=org_name, issued_on=on),
    )
    yield (
        "review-variation",
        review.variation_notice(
            r,
            config,
            variation_id="v1",
            proposed_by_name=other,
            summary="Add a schedule on sharing data between the partners.",
            recipient=org,
            recipient_name=org_name,
            issued_on=on,
        ),
    )
    yield (
        "review-reminder",
        review.reminder(
            r, config, recipient=org, recipient_name=org_name, owes="a response", issued_on=on
        ),
    )
    concluded = ReviewConcluded(
        partnership=config.slug,
        review_id=PROCESS,
        outcome=ReviewOutcome.LAPSED,
        concluded_on=D(2027, 11, 9),
        next_review_due_on=D(2028, 11, 9),
        variation_id="v1",
        not_agreed_by=(config.signatories[1],),
    )
    names = {o.slug: o.name for o in config.organisations}
    yield (
        "review-outcome",
        review.outcome_notice(r, config, concluded=concluded, names=names, recipient=org),
    )

    x = escalation.EscalationParticulars(
        escalation_id=PROCESS,
        partnership_name=config.name,
        raised_by_name=raiser.name,
        reason=EscalationReason.OUTCOME_NOT_DELIVERED,
        summary="Discharge delays have not fallen as the winter plan promised.",
        raised_on=D(2027, 1, 4),
    )
    stage = config.ladder[0]
    to = stage.bodies[0] if stage.bodies else body.slug
    yield (
        "escalation-level",
        escalation.level_notice(
            x,
            config,
            level=stage.level,
            stage_name=stage.name,
            recipient=to,
            recipient_name=config.body(to).name,
            issued_on=D(2027, 1, 5),
            respond_by=D(2027, 2, 2),
        ),
    )
    yield (
        "escalation-overdue-action",
        escalation.overdue_action_notice(
            x,
            config,
            action_id="a1",
            kind=ActionKind.RECOVERY_PLAN,
            description="Publish a recovery plan for discharge from hospital.",
            due_on=D(2027, 3, 1),
            recipient=org,
            recipient_name=org_name,
            issued_on=D(2027, 3, 2),
        ),
    )
    yield (
        "escalation-outcome",
        escalation.outcome_notice(
            x,
            config,
            resolved=True,
            outcome="The recovery plan was agreed and delays are now reported monthly.",
            recipient=raiser.slug,
            recipient_name=raiser.name,
            issued_on=D(2027, 4, 1),
        ),
    )

    s = committee.SlippageParticulars(
        committee_id=PROCESS,
        committee_name=f"{config.name} Joint Committee",
        partnership_name=config.name,
        milestone_id="m2",
        milestone_title="Terms of reference agreed",
        owner_name=org_name,
        target_on=D(2027, 6, 30),
        dependencies_outstanding=("Legal advice received",),
        agreements_outstanding=(other,),
    )
    yield (
        "committee-slippage",
        committee.slippage_notice(
            s, config, recipient=org, recipient_name=org_name, noticed_on=D(2027, 7, 1)
        ),
    )

    m = meetings.MeetingParticulars(
        meeting_id=f"meeting-{config.slug}-{body.slug}-2027-03-09",
        partnership_name=config.name,
        body_name=body.name,
        meeting_on=D(2027, 3, 9),
    )
    yield (
        "meeting-call-for-items",
        meetings.call_for_items(
            m,
            config,
            recipient=org,
            recipient_name=org_name,
            sent_on=D(2027, 2, 1),
            requests_due_on=D(2027, 2, 27),
        ),
    )
    yield (
        "meeting-notice",
        meetings.meeting_notice(
            m,
            config,
            recipient=org,
            recipient_name=org_name,
            sent_on=D(2027, 2, 8),
            change="moved",
            sequence=2,
            when_and_where="9 March 2027 at 14:00 (Europe/London time), County Hall",
            reason="the chair is at the ICB board.",
            agenda_issue_by=D(2027, 3, 4),
        ),
    )
    yield (
        "meeting-notice",
        meetings.meeting_notice(
            m,
            config,
            recipient=org,
            recipient_name=org_name,
            sent_on=D(2027, 2, 8),
            change="cancelled",
            sequence=3,
            when_and_where=None,
            reason="there is no business this month",
            agenda_issue_by=None,
        ),
    )
    yield (
        "meeting-agenda",
        meetings.agenda(
            m,
            config,
            recipient=org,
            recipient_name=org_name,
            issued_on=D(2027, 3, 4),
            items=("Winter plan",),
            any_other_business=(),
            minutes_of=D(2027, 2, 9),
        ),
    )
    yield (
        "meeting-minutes",
        meetings.confirmed_minutes(
            m,
            config,
            recipient=org,
            recipient_name=org_name,
            sent_on=D(2027, 3, 10),
            minutes_of=D(2027, 2, 9),
            reference="Minutes 2027/02",
        ),
    )
    yield (
        "declaration-request",
        meetings.declaration_request(
            config,
            round_id=f"declarations-{config.slug}-2027",
            kind="annual",
            body=body.slug,
            recipient=org,
            recipient_name=org_name,
            seats=tuple(m.role for m in body.members[:2]),
            sent_on=D(2027, 4, 1),
            return_by=D(2027, 4, 29),
        ),
    )


LETTERS = [
    (slug, n, name, document)
    for slug in partnership_slugs()
    for n, (name, document) in enumerate(letters_of(configured(slug)))
]
ALL = [
    pytest.param(configured(slug), name, document, id=f"{slug}-{name}-{n}")
    for slug, n, name, document in LETTERS
]

A_BEFORE_VOWEL_SOUND = re.compile(r"\ba ([aeiouAEIOU]\w*)")
AN_BEFORE_CONSONANT = re.compile(r"\ban ([b-df-hj-np-tv-zB-DF-HJ-NP-TV-Z]\w*)")
SOUNDS_LIKE_YOU = {"one", "union", "unique", "university", "user", "useful", "unanimous"}


def prose(text: str) -> list[str]:
    """The lines between the salutation and the sign-off, but for addresses and list items."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Dear "))
    end = lines.index("Yours sincerely,")
    return [
        line
        for line in lines[start + 1 : end]
        if line and not line.startswith(BASE) and not re.match(r"\d+\. ", line)
    ]


def test_every_kind_of_letter_is_written_for_every_partnership() -> None:
    written = {(slug, name) for slug, _, name, _ in LETTERS}
    assert written == {(s, n) for s in partnership_slugs() for n in LETTER_NAMES}


@pytest.mark.parametrize(("config", "name", "document"), ALL)
def test_letter_reads_as_an_officer_would_write_it(
    config: Partnership, name: str, document: Document
) -> None:
    text = document.body
    print(f"\n===== {config.slug}: {name} =====\nSubject: {document.subject}\n\n{text}")
    officer = config.officer
    addressee = config.letters.addressee(document.recipient)
    assert officer is not None and addressee is not None
    lines = text.splitlines()

    # Dated, addressed by name and role, greeted by name, one sign-off, signed by the officer.
    assert re.fullmatch(
        r"[1-3]?\d (January|February|March|April|May|June|July|August|"
        r"September|October|November|December) 20\d\d",
        lines[0],
    )
    assert lines[lines.index(addressee.name) + 1] == addressee.role
    assert f"Dear {addressee.name}," in lines
    assert text.count("Yours sincerely,") == 1 and "faithfully" not in text
    assert lines[lines.index("Yours sincerely,") + 2 :] == [
        officer.name,
        f"{officer.title}, {officer.organisation}",
        f"On behalf of the {config.name}",
    ]
    assert officer.email in text and officer.telephone in text

    # Where to act: the page's address, on a line of its own.
    pages = [line for line in lines if line.startswith(BASE)]
    assert len(pages) == 1
    body_with_members = next(b for b in config.bodies if b.members)
    assert pages[0] in (
        f"{BASE}/processes/{PROCESS}",
        f"{BASE}/partnerships/{config.slug}/meetings",
        f"{BASE}/partnerships/{config.slug}/registers/{body_with_members.slug}",
    )

    # No ids or clause codes but on the reference line and in the address.
    reference = [line for line in lines if line.startswith("Reference: ")]
    assert len(reference) <= 1
    body = "\n".join(line for line in lines if line not in reference and line not in pages)
    assert "§" not in text and "MoU" not in body and "ToR" not in body
    for internal in (
        PROCESS,
        document.notice_id,
        f"declarations-{config.slug}",
        f"meeting-{config.slug}",
        document.recipient,
        "partnership-",
    ):
        assert not re.search(rf"(?<![\w-]){re.escape(internal)}(?![\w-])", body), internal

    # Grammar: sentences capitalised and ended, no doubled words or spaces, a/an agreement.
    for line in prose(text):
        assert line[0].isupper() or line[0].isdigit() or line[0] == '"', line
        assert line[-1] in ".:", line
        assert not re.search(r"[.?!] +[a-z]", line), line
    assert "  " not in text and " ." not in text and " ," not in text and ".." not in text
    doubled = re.search(r"\b(\w+)\s+\1\b", text, re.IGNORECASE)
    assert doubled is None, doubled
    for article in A_BEFORE_VOWEL_SOUND.findall(text):
        assert article.lower() in SOUNDS_LIKE_YOU, f"a {article}"
    for article in AN_BEFORE_CONSONANT.findall(text):
        assert article.isupper() and article[0] in "FHLMNRSX", f"an {article}"


def test_without_the_service_address_a_letter_asks_to_quote_its_reference() -> None:
    config = load_partnership("county-durham")
    (_, notice), *_ = letters_of(config)
    assert "quoting the reference above." in notice.body
    assert "http" not in notice.body


def test_an_organisation_with_no_named_addressee_is_greeted_as_a_colleague() -> None:
    config = configured("county-durham")
    nobody = config.model_copy(
        update={"letters": config.letters.model_copy(update={"addressees": ()})}
    )
    (_, notice), *_ = letters_of(nobody)
    assert "Dear colleague," in notice.body.splitlines()


def copy_shipped(tmp_path: Path, slug: str, text: str | None = None) -> Path:
    source = SHIPPED / f"{slug}.toml"
    target = tmp_path / source.name
    target.write_text(text if text is not None else source.read_text(encoding="utf-8"))
    (tmp_path / slug).mkdir()  # its logo is not copied: the shipped one serves
    return target


def test_a_partnership_words_a_letter_its_own_way(tmp_path: Path) -> None:
    copy_shipped(tmp_path, "nenc-ics")
    own = tmp_path / "nenc-ics" / "letters"
    own.mkdir()
    (own / "review-request.txt.jinja").write_text(
        '{% extends "letter.txt.jinja" %}{% block body %}'
        "Our annual review of the {{ mou_title }} is open until {{ respond_by }}."
        "{% endblock %}"
    )
    config = load_partnership("nenc-ics", tmp_path).model_copy(update={"web_base_url": BASE})
    letters = dict(letters_of(config))
    assert "Our annual review of the" in letters["review-request"].body
    assert "Yours sincerely," in letters["review-request"].body
    assert "Our annual review" not in letters["review-reminder"].body


@pytest.mark.parametrize(
    ("template", "error"),
    [
        ("thank-you", "is not a letter template"),
        ("review-request", "is not a valid template"),
    ],
)
def test_a_broken_own_template_is_refused_as_the_file_is_read(
    tmp_path: Path, template: str, error: str
) -> None:
    copy_shipped(tmp_path, "nenc-ics")
    own = tmp_path / "nenc-ics" / "letters"
    own.mkdir()
    (own / f"{template}.txt.jinja").write_text("{% if %}")
    with pytest.raises(ConfigError, match=f"letters.templates\\[{template}\\]: {error}"):
        load_partnership("nenc-ics", tmp_path)


def test_a_template_naming_what_a_letter_lacks_is_refused_when_written(tmp_path: Path) -> None:
    copy_shipped(tmp_path, "nenc-ics")
    own = tmp_path / "nenc-ics" / "letters"
    own.mkdir()
    (own / "exit-reminder.txt.jinja").write_text(
        '{% extends "letter.txt.jinja" %}{{ nonsense }}'
        "{% block body %}{{ no_such_thing }}{% endblock %}"
    )
    config = load_partnership("nenc-ics", tmp_path)
    with pytest.raises(DomainError, match="'no_such_thing' is undefined"):
        dict(letters_of(config))


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        (lambda t: re.sub(r"\n\[officer\]\n(.+\n)+", "\n", t), "officer", "is missing"),
        (
            lambda t: t.replace('telephone = "0191 498 0456"', 'telephone = "ring us"'),
            "officer.telephone",
            "String should match pattern",
        ),
        (
            lambda t: t.replace('email = "nencicb.governance@nhs.net"', 'email = "governance"'),
            "officer.email",
            "String should match pattern",
        ),
        (
            lambda t: t.replace('to = "adass"', 'to = "nobody"'),
            "letters.addressees[nobody].to",
            "'nobody' is not an organisation, body or seat",
        ),
        (
            lambda t: t.replace('logo = "nenc-ics/logo.svg"', 'logo = "nenc-ics/none.svg"'),
            "letters.letterhead.logo",
            "nenc-ics/none.svg is not a file beside it, nor shipped",
        ),
        (
            lambda t: "web_base_url = 'https://x.example'\n" + t,
            "web_base_url",
            "comes from the service's settings",
        ),
    ],
)
def test_a_file_with_a_bad_officer_or_letters_section_is_refused(
    tmp_path: Path, change: Callable[[str], str], field: str, problem: str
) -> None:
    text = (SHIPPED / "nenc-ics.toml").read_text(encoding="utf-8")
    changed = change(text)
    assert changed != text
    copy_shipped(tmp_path, "nenc-ics", changed)
    with pytest.raises(ConfigError, match=re.escape(f"{field}: ") + ".*" + re.escape(problem)):
        load_partnership("nenc-ics", tmp_path)


def test_a_body_owning_an_overdue_action_is_named_with_its_article() -> None:
    config = configured("mid-south-essex")
    (_, level), *_ = [(n, d) for n, d in letters_of(config) if n == "escalation-level"]
    assert level.recipient == "sle"
    particulars = escalation.EscalationParticulars(
        escalation_id=PROCESS,
        partnership_name=config.name,
        raised_by_name="Partnership Board",
        reason=EscalationReason.ISSUE_BETWEEN_PARTNERS,
        summary="The partners disagree on the shared beds.",
        raised_on=D(2027, 1, 4),
    )
    notice = escalation.overdue_action_notice(
        particulars,
        config,
        action_id="a1",
        kind=ActionKind.MITIGATING_ACTION,
        description="Agree how the shared beds are allocated.",
        due_on=D(2027, 3, 1),
        recipient="sle",
        recipient_name=config.body("sle").name,
        issued_on=D(2027, 3, 2),
    )
    assert "with the System Leadership Executive responsible for completing it" in notice.body
    assert "because there is an issue between partners." in notice.body

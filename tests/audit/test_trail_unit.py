"""Every event type reads as a sentence, and every trail line says who acted and what wrote it."""

import typing
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, time
from enum import Enum
from typing import Any
from uuid import uuid4

import pytest
from pydantic import BaseModel

from audit.trail import Names, TrailLine, sentence, trail
from concordat.cli.output import emit, emit_each
from domain.bodies import Body
from domain.events import (
    DomainEvent,
    EscalationDecided,
    MouSigned,
    PartnerAdmitted,
    VoteCast,
    VoteChoice,
)
from domain.organisations import Sector
from domain.provenance import system_actor
from domain.rules.voting import UncountedVote
from eventstore.codec import to_new_event
from eventstore.models import RecordedEvent
from eventstore.store import EventStore
from tests.audit.story import CONFIG, county_durham_story, recorded_story
from tests.people import SIGNER

EVENT_TYPES: tuple[type[BaseModel], ...] = typing.get_args(typing.get_args(DomainEvent)[0])
NAMES = Names.of(CONFIG)


def _example(annotation: Any) -> Any:
    """A value for a field: every optional field is filled, so a sentence that prints a
    missing value as "None" is caught."""
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin is typing.Literal:
        return args[0]
    if origin is tuple:
        if isinstance(args[0], type) and issubclass(args[0], BaseModel):
            return (example_model(args[0]),)
        return ("tewv", "dcc")
    if args:  # X | None
        return _example(args[0])
    if (
        isinstance(annotation, type)
        and issubclass(annotation, BaseModel)
        and annotation is not Body
    ):
        return example_model(annotation)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return next(iter(annotation))
    plain = {
        str: "tewv",
        date: date(2022, 8, 23),
        time: time(14, 0),
        int: 2,
        bool: True,
        Body: CONFIG.bodies[0],
    }
    return plain[annotation]


def example_model(cls: type[BaseModel]) -> Any:
    return cls(
        **{
            name: _example(info.annotation)
            for name, info in cls.model_fields.items()
            if name not in ("type", "schema_version")
        }
    )


def example(cls: type[BaseModel]) -> Any:
    return example_model(cls).model_copy(update={"partnership": "county-durham"})


@pytest.mark.parametrize("cls", EVENT_TYPES, ids=lambda cls: cls.__name__)
def test_every_event_type_has_a_sentence(cls: type[BaseModel]) -> None:
    text = sentence(example(cls), NAMES)
    assert text and "None" not in text and "{" not in text


def test_sentences_differ_between_event_types() -> None:
    texts = [sentence(example(cls), NAMES) for cls in EVENT_TYPES]
    assert len(set(texts)) == len(texts)


def test_a_signature_names_the_organisation_its_signatory_and_role() -> None:
    signed = MouSigned(
        partnership="county-durham",
        organisation="tewv",
        signatory_name="A. Name",
        signatory_role="Chief Executive",
        signed_on=date(2022, 8, 10),
    )
    assert sentence(signed, NAMES) == (
        "tewv (Tees, Esk and Wear Valleys NHS Foundation Trust) signed the MoU "
        "(Chief Executive, A. Name)"
    )


def test_a_vote_names_the_votes_recorded_but_not_counted_003_s8_10() -> None:
    decided = EscalationDecided(
        partnership="county-durham",
        escalation_id="e1",
        level=2,
        body="cdcpe",
        decided_on=date(2023, 1, 25),
        rule="eligible_majority",
        eligible_voters=("dcc", "icb"),
        in_favour=("dcc", "tewv"),
        against=("icb",),
        carried=False,
        summary="bed capacity",
        explanation="quorate",
        not_counted=(UncountedVote(seat="tewv", reason="tewv is not an eligible partner"),),
    )
    text = sentence(decided, NAMES)
    assert "2 for and 1 against of 2 eligible; not counted: tewv is not an eligible partner" in text


def test_a_members_own_vote_says_how_they_voted_and_what_they_declared() -> None:
    cast = VoteCast(
        partnership="county-durham",
        escalation_id="e1",
        level=2,
        body="cdcpe",
        seat="icb-medical-director",
        vote=VoteChoice.AGAINST,
        cast_on=date(2023, 1, 25),
        declaration="a family member works in the service",
    )
    assert sentence(cast, NAMES) == (
        "seat icb-medical-director of cdcpe (County Durham Care Partnership Executive) cast its "
        "own vote against the matter on escalation e1 at level 2 (CDCP Executive), declaring an "
        "interest: a family member works in the service"
    )
    abstained = cast.model_copy(update={"vote": VoteChoice.ABSTAIN, "declaration": ""})
    assert "abstained in its own vote on escalation e1" in sentence(abstained, NAMES)


def test_an_admitted_partner_is_named_from_its_event() -> None:
    admitted = PartnerAdmitted(
        partnership="county-durham",
        organisation="newco",
        name="New Community Interest Company",
        kind="CIC",
        sector=Sector.OTHER,
        admitted_on=date(2023, 5, 1),
        agreed_by=("icb",),
    )
    names = Names.of(CONFIG, [admitted])
    assert names("newco") == "newco (New Community Interest Company)"
    assert NAMES("newco") == "newco"


def test_every_line_says_who_acted_and_which_run_and_attempt_wrote_it() -> None:
    events = recorded_story(county_durham_story())
    lines = trail(CONFIG, events)
    assert [line.position for line in lines] == [e.position for e in events]
    for line, event in zip(lines, events, strict=True):
        assert line.actor == event.metadata["actor"]
        assert line.workflow_id == event.stream_id
        assert line.run_id == event.metadata["run_id"]
        assert line.attempt == 1
        text = line.text()
        assert text.startswith(f"{line.on.isoformat()} [{line.position}] ")
        assert f"by {line.actor}" in text
        assert f"run {line.run_id}, activity {line.activity_id} attempt 1" in text
    slipped = next(line for line in lines if line.type == "MilestoneSlipped")
    assert slipped.actor == "timer:slippage" and slipped.seal is None
    signature = next(line for line in lines if line.type == "MouSigned")
    assert signature.seal == f"signed by key {SIGNER.public_key[:16]}"
    assert signature.actor is not None
    assert "<dev.rep.icb@county-durham.example> (representative of icb; web)" in signature.actor
    assert f"(by {signature.actor}; signed by key {SIGNER.public_key[:16]}; workflow" in (
        signature.text()
    )


def test_each_line_is_the_line_validation_would_make() -> None:
    """The trail makes its lines without validating them again; each is the validated model's
    equal, field for field in the model's order, and prints and dumps the same."""
    for line in trail(CONFIG, recorded_story(county_durham_story())):
        validated = TrailLine(**line.model_dump())
        assert line == validated
        assert list(line.__dict__) == list(TrailLine.model_fields)
        assert line.model_fields_set == validated.model_fields_set
        assert line.model_dump_json() == validated.model_dump_json()
        assert line.text() == validated.text()


def test_a_signature_that_does_not_cover_the_recorded_person_is_shown_broken() -> None:
    event = next(e for e in recorded_story(county_durham_story()) if e.type == "MouSigned")
    forged = {**event.metadata["provenance"], "on_behalf_of": "dcc", "reason": "forged"}
    (line,) = trail(CONFIG, [replace(event, metadata={**event.metadata, "provenance": forged})])
    assert line.seal == "SIGNATURE DOES NOT VERIFY"
    assert "; SIGNATURE DOES NOT VERIFY; workflow" in line.text()


def test_a_line_without_workflow_metadata_says_so() -> None:
    event = recorded_story(county_durham_story())[0]
    bare = replace(event, metadata={})
    (line,) = trail(CONFIG, [bare])
    assert line.actor is None and line.attempt is None
    assert line.text().endswith("(by an unrecorded actor; not written by a workflow)")


async def test_a_recorded_newline_or_override_cannot_forge_a_line(store: EventStore) -> None:
    """Before issue 9 a name could hold anything: recorded so, as an older version recorded it,
    it is printed escaped, one event one line, the override shown rather than obeyed."""
    forged = "A. Name)\n2022-08-24 [2] dcc (Durham County Council) withdrew from the MoU ("
    signed = MouSigned(
        partnership="county-durham",
        organisation="tewv",
        signatory_name=forged,
        signatory_role="Chief \u202eevitucexE",
        signed_on=date(2022, 8, 10),
    )
    await store.append(
        "partnership:county-durham",
        0,
        [
            # As an older version recorded who acted: a bare, typed-in name.
            to_new_event(
                signed,
                event_id=uuid4(),
                occurred_at=datetime(2022, 8, 10, 9, tzinfo=UTC),
                actor=system_actor("timer:unused"),
            ).model_copy(update={"metadata": {"actor": "officer\n2022-08-24"}})
        ],
    )
    (line,) = trail(CONFIG, await store.read_all())
    assert line.sentence.endswith(f"(Chief \u202eevitucexE, {forged})")
    printed = line.text()
    assert printed.splitlines() == [printed]
    assert "\u202e" not in printed
    assert "Chief \\u202eevitucexE, A. Name)\\n2022-08-24 [2] dcc" in printed
    assert "(by officer\\n2022-08-24; unsigned;" in printed


def test_an_entry_made_more_than_a_week_late_is_flagged_with_its_reason_r12() -> None:
    """The trail compares each event's own date with the day the log recorded it."""

    def recorded(signed_on: date, entered: date, reason: str | None) -> Any:
        event = MouSigned(
            partnership="county-durham",
            organisation="tewv",
            signatory_name="A. Name",
            signatory_role="Chief Executive",
            signed_on=signed_on,
        )
        provenance: dict[str, Any] = {"person": {"issuer": "local", "subject": "clerk"}}
        if reason:
            provenance["reason"] = reason
        return RecordedEvent(
            position=1,
            stream_id="partnership:county-durham",
            version=1,
            event_id=uuid4(),
            type="MouSigned",
            schema_version=1,
            data=event.model_dump(mode="json"),
            metadata={"actor": "clerk", "provenance": provenance},
            occurred_at=datetime.combine(entered, datetime.min.time(), UTC),
            recorded_at=datetime.combine(entered, datetime.min.time(), UTC),
            chain_hash="00" * 32,
        )

    on_time = recorded(date(2022, 8, 10), date(2022, 8, 17), None)
    (line,) = trail(CONFIG, [on_time])
    assert line.late is None
    late = recorded(date(2022, 8, 10), date(2023, 1, 9), "posted to the wrong office")
    (line,) = trail(CONFIG, [late])
    assert line.late == "entered 152 days after its date: posted to the wrong office"
    assert "; entered 152 days after its date: posted to the wrong office;" in line.text()
    (line,) = trail(CONFIG, [recorded(date(2022, 8, 10), date(2022, 8, 18), None)])
    assert line.late == "entered 8 days after its date, no reason recorded"


async def test_a_streamed_trail_prints_what_the_whole_trail_prints(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`audit trail` prints each line as it is read: the same text and the same JSON array as
    printing the whole list, and the same words for no events."""
    lines = trail(CONFIG, recorded_story(county_durham_story()))

    async def each(values: list[TrailLine]) -> AsyncIterator[TrailLine]:
        for value in values:
            yield value

    for values in (lines, lines[:1], []):
        for as_json in (False, True):
            emit(values, as_json, lambda v: "\n".join(x.text() for x in v) or "none")
            whole = capsys.readouterr().out
            for item_json in (None, TrailLine.json_text):
                await emit_each(each(values), as_json, TrailLine.text, "none", item_json)
                assert capsys.readouterr().out == whole


@pytest.mark.parametrize(
    ("sentence", "attempt"),
    [
        ('controls \x00\x1f\x7f\b\f\r\n\t, quotes " and \\, bidi \u202e\u2066, é 😀', 1),
        ("a lone surrogate \ud800, which pydantic refuses", 1),
        ("an attempt past 64 bits", 2**70),
    ],
)
async def test_the_streamed_json_is_the_listed_json_whatever_the_text(
    capsys: pytest.CaptureFixture[str], sentence: str, attempt: int
) -> None:
    """The streamed JSON (pydantic's, or orjson's through `TrailLine.json_text`) is the standard
    library's text of `emit`, including where each hands the item back to the standard
    library."""
    (first,) = trail(CONFIG, recorded_story(county_durham_story()[:1]))[:1]
    odd = first.model_copy(update={"sentence": sentence, "attempt": attempt})

    async def each() -> AsyncIterator[TrailLine]:
        for value in (first, odd, first):
            yield value

    emit([first, odd, first], True)
    whole = capsys.readouterr().out
    for item_json in (None, TrailLine.json_text):
        await emit_each(each(), True, TrailLine.text, "none", item_json)
        assert capsys.readouterr().out == whole
    assert f'"attempt": {attempt}' in whole

"""Domain commands cross the wire in a discriminated union: each names its class in `type`,
refuses fields it does not know, and leaves to the workflow what only the workflow knows (the
date it decides on, the ids it numbers)."""

from datetime import date
from typing import Annotated, Any, Literal, get_args, get_origin

import pytest
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from domain import declarations as decl, meetings
from domain.aggregates import committee_commands, escalation, review
from domain.events import ActionAgreed, ActionKind, EscalationReason
from domain.partnership import Partnership

UNIONS: dict[str, Any] = {
    "ReviewCommand": review.ReviewCommand,
    "CommitteeCommand": committee_commands.CommitteeCommand,
    "EscalationCommand": escalation.EscalationCommand,
    "MeetingCommand": meetings.MeetingCommand,
    "DeclarationsCommand": decl.DeclarationsCommand,
}

COMMANDS: list[type[BaseModel]] = [c for union in UNIONS.values() for c in get_args(union)]


def wire(union: Any) -> TypeAdapter[Any]:
    return TypeAdapter(Annotated[union, Field(discriminator="type")])


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.__name__)
def test_every_command_is_tagged_with_its_class_name_first(command: type[BaseModel]) -> None:
    name = command.__name__
    first, field = next(iter(command.model_fields.items()))
    assert first == "type"
    assert get_origin(field.annotation) is Literal
    assert get_args(field.annotation) == (name,)
    assert field.default == name
    assert command.model_config.get("extra") == "forbid"


def test_the_unions_hold_every_command_once() -> None:
    assert len(COMMANDS) == len(set(COMMANDS)) == 47


@pytest.mark.parametrize(
    ("union", "payload", "expected"),
    [
        # Same fields, different commands: only the tag tells them apart.
        ("MeetingCommand", {"type": "CloseRequests", "on": "2022-10-05"}, meetings.CloseRequests),
        ("MeetingCommand", {"type": "IssueAgenda", "on": "2022-10-05"}, meetings.IssueAgenda),
        ("MeetingCommand", {"type": "CloseCycle", "on": "2022-10-05"}, meetings.CloseCycle),
        ("DeclarationsCommand", {"type": "CloseRound", "on": "2023-05-01"}, decl.CloseRound),
        (
            "DeclarationsCommand",
            {"type": "RequestDeclarations", "on": "2023-05-01"},
            decl.RequestDeclarations,
        ),
        ("EscalationCommand", {"type": "LevelLapsed", "on": "2023-01-20"}, escalation.LevelLapsed),
        (
            "EscalationCommand",
            {"type": "NoticeOverdueActions", "on": "2023-01-20"},
            escalation.NoticeOverdueActions,
        ),
        (
            "ReviewCommand",
            {
                "type": "ProposeVariation",
                "proposed_by": "a",
                "summary": "s",
                "proposed_on": "2023-06-02",
            },
            review.ProposeVariation,
        ),
        (
            "CommitteeCommand",
            {
                "type": "ReplanMilestone",
                "milestone_id": "shadow-form",
                "new_target_on": "2023-01-31",
                "reason": "guidance",
            },
            committee_commands.ReplanMilestone,
        ),
    ],
)
def test_json_with_a_tag_parses_to_that_command(
    union: str, payload: dict[str, str], expected: type[BaseModel]
) -> None:
    parsed = wire(UNIONS[union]).validate_python(payload)
    assert type(parsed) is expected
    assert wire(UNIONS[union]).validate_json(parsed.model_dump_json()) == parsed


def test_fields_only_the_workflow_knows_are_refused_from_the_edge() -> None:
    adapter = wire(review.ReviewCommand)
    with pytest.raises(ValidationError, match="variation_id"):
        adapter.validate_python(
            {
                "type": "ProposeVariation",
                "variation_id": "v1",
                "proposed_by": "a",
                "summary": "s",
                "proposed_on": "2023-06-02",
            }
        )
    with pytest.raises(ValidationError, match="action_id"):
        escalation.AgreeAction.model_validate(
            {
                "action_id": "a9",
                "kind": ActionKind.RECOVERY_PLAN,
                "description": "d",
                "owner": "icb",
                "due_on": "2023-03-01",
                "agreed_on": "2023-01-10",
            }
        )
    with pytest.raises(ValidationError, match="union_tag_invalid"):
        adapter.validate_python({"type": "SignMou", "organisation": "a"})


def test_a_command_without_the_workflow_date_is_a_programming_error(
    county_durham: Partnership,
) -> None:
    meeting = meetings.initial_state(county_durham, "cdcpe", date(2022, 10, 15))
    ask = meetings.RequestItem(item="x", requested_by="dcc", requested_on=date(2022, 10, 1))
    with pytest.raises(ValueError, match="the workflow must set `today`"):
        meetings.decide(meeting, ask)
    round_ = decl.initial_state(county_durham, "cdcpe", "review")
    with pytest.raises(ValueError, match="the workflow must set `today`"):
        decl.decide(round_, decl.RecordReview(reviewed_on=date(2023, 5, 20)))


def test_decide_numbers_agreed_actions(county_durham: Partnership) -> None:
    state = escalation.initial_state(county_durham)
    raise_ = escalation.RaiseEscalation(
        escalation_id="e1",
        raised_by=county_durham.ladder[0].bodies[0],
        reason=EscalationReason.OUTCOME_NOT_DELIVERED,
        summary="s",
        raised_on=date(2023, 1, 3),
    )
    state = escalation.fold(state, escalation.decide(state, raise_))
    ids = []
    for _ in range(2):
        agree = escalation.AgreeAction(
            kind=ActionKind.RECOVERY_PLAN,
            description="d",
            owner="icb",
            due_on=date(2023, 3, 1),
            agreed_on=date(2023, 1, 10),
        )
        (agreed,) = escalation.decide(state, agree)
        assert isinstance(agreed, ActionAgreed)
        ids.append(agreed.action_id)
        state = escalation.fold(state, [agreed])
    assert ids == ["a1", "a2"]

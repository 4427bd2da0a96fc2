"""A process's input carries what it reads of the configuration, and no more
(workflows/child_config.py): trimmed, each process decides exactly what it decides on the whole
configuration, letters to the byte included, and the parts it never reads are gone."""

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from pydantic_core import to_json

from domain.aggregates import escalation as escalations, exit as exits
from domain.aggregates.committee import fold as fold_formation, initial_state as no_formation
from domain.aggregates.committee_commands import StartFormation
from domain.aggregates.committee_slippage import record_slippages
from domain.aggregates.escalation import LevelLapsed, RaiseEscalation
from domain.aggregates.review import (
    OpenReview,
    RecordResponse,
    ReviewCommand,
    fold as fold_review,
    initial_state as no_review,
)
from domain.events import DomainEvent, EscalationReason
from domain.partnership import Partnership
from domain.partnerships_config import load_partnership
from domain.rules.statutory_days import BankHolidays
from workflows.child_config import READS, Reads, what_it_reads
from workflows.committee import decide_formation
from workflows.contracts.committee import CommitteeInput
from workflows.contracts.escalation import EscalationInput
from workflows.contracts.exit import ExitInput
from workflows.contracts.review import ReviewInput
from workflows.review import decide as decide_review

SHIPPED = ("county-durham", "mid-south-essex", "nenc-ics")
ON = date(2026, 6, 1)

Story = Callable[[Partnership, tuple[str, ...]], list[DomainEvent]]
"""A process's story on a configuration, given the signatories as they stand (the partnership
hands them to a process beside the configuration)."""


def review_story(config: Partnership, signatories: tuple[str, ...]) -> list[DomainEvent]:
    """The review opened (a request to every signatory) and answered by all but the last (the
    last answer concludes it on the workflow's clock)."""
    state, events = no_review(config.slug), []
    opening = OpenReview(
        review_id="r1",
        opened_on=ON,
        due_on=ON + timedelta(days=60),
        response_deadline=ON + timedelta(days=28),
        mou_version=1,
        signatories=signatories,
    )
    responses = [
        RecordResponse(organisation=s, confirms_unchanged=True, received_on=ON)
        for s in signatories[:-1]
    ]
    commands: list[ReviewCommand] = [opening, *responses]
    for command in commands:
        decided = decide_review(config, state, command)
        state = fold_review(state, decided)
        events += decided
    return events


def exit_story(config: Partnership, signatories: tuple[str, ...]) -> list[DomainEvent]:
    """The last signatory's written notice to every other, and what leaving does to each body."""
    state = exits.initial_state(config, signatories)
    notice = exits.NotifyExit(
        organisation=signatories[-1],
        notified_on=ON,
        effective_on=ON + timedelta(days=90),
        signatory_name="Chief Executive",
        reason="a story",
        exit_id="exit-1",
    )
    events = exits.give_notice(state, notice, ON, config.exit_policy.acknowledgement_days)
    state = exits.fold(state, events)
    return [*events, *exits.decide(state, exits.CompleteExit(ended_on=ON + timedelta(days=90)))]


def escalation_story(config: Partnership, signatories: tuple[str, ...]) -> list[DomainEvent]:
    """Raised by the first rung's body, climbing every rung as each lapses, to its close."""
    state = escalations.initial_state(config)
    raised = RaiseEscalation(
        escalation_id="e1",
        raised_by=config.ladder[0].bodies[0],
        reason=EscalationReason.OUTCOME_NOT_DELIVERED,
        summary="a story",
        raised_on=ON,
        affected=signatories[:2],
    )
    events = escalations.decide(state, raised)
    state = escalations.fold(state, events)
    while state.status == "open":
        assert state.respond_by is not None
        decided = escalations.decide(state, LevelLapsed(on=state.respond_by + timedelta(days=1)))
        state = escalations.fold(state, decided)
        events += decided
    return events


def committee_story(config: Partnership, signatories: tuple[str, ...]) -> list[DomainEvent]:
    """The formation started on County Durham's plan (the one shipped), then every milestone
    slipped: letters to each owner and the partnership's executive, by name."""
    plan = load_partnership("county-durham").committees[0]
    start = StartFormation(
        committee_id=plan.slug,
        name=plan.name,
        preferred_option=plan.preferred_option,
        started_on=ON,
    )
    state = no_formation(config.slug)
    events = decide_formation(config, plan, state, start)
    state = fold_formation(state, events)
    late = max(m.target_on for m in plan.milestones) + timedelta(days=1)
    return [*events, *record_slippages(state, config, late)]


STORIES: dict[type, Story] = {
    ReviewInput: review_story,
    ExitInput: exit_story,
    EscalationInput: escalation_story,
    CommitteeInput: committee_story,
}


@pytest.mark.parametrize("slug", SHIPPED)
@pytest.mark.parametrize("kind", list(STORIES), ids=lambda k: k.__name__)
def test_trimmed_the_process_decides_as_on_the_whole_configuration(slug: str, kind: type) -> None:
    config = load_partnership(slug)
    trimmed = what_it_reads(config, READS[kind])
    story = STORIES[kind]
    whole, only = story(config, config.signatories), story(trimmed, config.signatories)
    assert only == whole
    assert any(type(e).__name__ == "NoticeIssued" for e in whole)


@pytest.mark.parametrize("slug", SHIPPED)
@pytest.mark.parametrize("kind", list(READS), ids=lambda k: k.__name__)
def test_what_a_process_never_reads_is_left_out(slug: str, kind: type) -> None:
    config = load_partnership(slug)
    reads: Reads = READS[kind]
    trimmed = what_it_reads(config, reads)
    assert trimmed.committees == ()
    assert trimmed.bank_holidays == BankHolidays()
    assert (trimmed.ladder != ()) == (kind is EscalationInput)
    assert (trimmed.bodies != ()) == (kind in (ExitInput, EscalationInput, CommitteeInput))
    assert trimmed.access == config.access
    assert trimmed.organisations == config.organisations
    assert all(
        name == "letter" or name.startswith(reads.letters) for name in trimmed.letters.templates
    )
    if kind is CommitteeInput:
        assert all(b.members == () and b.decision_rules == () for b in trimmed.bodies)
        assert [(b.slug, b.name, b.kind) for b in trimmed.bodies] == [
            (b.slug, b.name, b.kind) for b in config.bodies
        ]
    unread = to_json(config.bank_holidays), to_json(config.committees)
    assert len(to_json(trimmed)) <= len(to_json(config)) - sum(map(len, unread))
    assert Partnership.model_validate_json(to_json(trimmed)) == trimmed


def test_only_the_letters_a_process_writes_travel_with_it() -> None:
    config = load_partnership("county-durham")
    own = {"letter": "{{ partnership }}", "exit-notice": "exit", "review-request": "review"}
    config = config.model_copy(
        update={"letters": config.letters.model_copy(update={"templates": own})}
    )
    assert set(what_it_reads(config, READS[ExitInput]).letters.templates) == {
        "letter",
        "exit-notice",
    }
    assert set(what_it_reads(config, READS[EscalationInput]).letters.templates) == {"letter"}

"""The registry of aggregates: one per kind of stream, found from the stream id alone."""

from collections import defaultdict
from datetime import date

import pytest

from domain import declarations, meetings
from domain.aggregates import committee, escalation, exit as exit_process, partnership, review
from domain.aggregates.registry import (
    AGGREGATES,
    PARTNERSHIP,
    ProcessContext,
    aggregate_for_stream,
)
from domain.events import DomainEvent, ProcessKind
from domain.partnership import Partnership
from domain.streams import (
    committee_stream,
    declarations_stream,
    escalation_stream,
    exit_stream,
    meeting_stream,
    partnership_stream,
    review_stream,
)
from tests.audit.story import CONFIG, county_durham_story

D = date(2023, 1, 9)


def test_every_process_kind_and_the_partnership_have_an_aggregate() -> None:
    assert set(AGGREGATES) == {PARTNERSHIP, *(k.value for k in ProcessKind)}
    assert all(kind == aggregate.kind for kind, aggregate in AGGREGATES.items())


@pytest.mark.parametrize(
    ("stream_id", "kind"),
    [
        (partnership_stream("cd"), PARTNERSHIP),
        (review_stream("cd", "2023"), ProcessKind.REVIEW),
        (exit_stream("cd", "hdft", D), ProcessKind.EXIT),
        (committee_stream("cd", "jc"), ProcessKind.COMMITTEE),
        (escalation_stream("cd", "e1"), ProcessKind.ESCALATION),
        (meeting_stream("cd", "cdcpe", D), ProcessKind.MEETING),
        (declarations_stream("cd", "cdcpe", "annual", D), ProcessKind.DECLARATIONS),
    ],
)
def test_each_stream_id_maps_back_to_its_aggregate(stream_id: str, kind: str) -> None:
    assert aggregate_for_stream(stream_id) is AGGREGATES[kind]


def test_a_stream_no_aggregate_writes_has_none() -> None:
    assert aggregate_for_stream("audit:cd:x") is None


def _context(config: Partnership, stream_id: str) -> ProcessContext:
    return ProcessContext(
        config=config, signatories=config.signatories, bodies=config.bodies, stream_id=stream_id
    )


def _meeting_story(config: Partnership) -> tuple[str, list[DomainEvent]]:
    state = meetings.initial_state(config, "cdcpe", date(2022, 10, 15))
    events = meetings.decide(state, meetings.ScheduleMeeting(scheduled_on=date(2022, 10, 1)))
    return meetings.process_id(state), events


def _declarations_story(config: Partnership) -> tuple[str, list[DomainEvent]]:
    state = declarations.initial_state(config, "cdcpe", "annual")
    events = declarations.decide(state, declarations.RequestDeclarations(on=date(2023, 4, 1)))
    return declarations_stream(config.slug, "cdcpe", "annual", date(2023, 4, 1)), events


def test_initial_state_and_fold_are_the_aggregates_own() -> None:
    # The audit story's streams (partnership, review, exit, committee, escalation) and a meeting
    # and a declarations round: folded through the registry from the stream id alone, each ends
    # where the aggregate's own fold from its own initial state ends, in the stream it names.
    stories: dict[str, list[DomainEvent]] = defaultdict(list)
    for step in county_durham_story():
        stories[step.stream_id] += step.events
    for stream_id, events in (_meeting_story(CONFIG), _declarations_story(CONFIG)):
        stories[stream_id] = events
    kinds = set()
    for stream_id, events in stories.items():
        aggregate = aggregate_for_stream(stream_id)
        assert aggregate is not None
        kinds.add(aggregate.kind)
        folded = aggregate.fold(aggregate.initial_state(_context(CONFIG, stream_id)), events)
        own = aggregate.fold(_own_initial_state(aggregate.kind), events)
        assert folded == own
        assert aggregate.stream_id(folded) == stream_id
    assert kinds == set(AGGREGATES)


def _own_initial_state(kind: str) -> object:
    """Each aggregate's `initial_state`, called as its workflow calls it."""
    match kind:
        case "partnership":
            return partnership.initial_state(CONFIG)
        case ProcessKind.REVIEW:
            return review.initial_state(CONFIG.slug)
        case ProcessKind.EXIT:
            return exit_process.initial_state(CONFIG, CONFIG.signatories)
        case ProcessKind.COMMITTEE:
            return committee.initial_state(CONFIG.slug)
        case ProcessKind.ESCALATION:
            return escalation.initial_state(CONFIG, CONFIG.bodies)
        case ProcessKind.MEETING:
            return meetings.initial_state(CONFIG, "cdcpe", date(2022, 10, 15))
    return declarations.initial_state(CONFIG, "cdcpe", "annual")

"""What a person owes (domain/tasks.py): a representative owes their own organisation's
response, agreement and signature and nothing of another's; the secretariat owes the records of
acknowledgements and decisions; a member owes their own seat's declaration; a milestone's owner
and the secretariat owe its evidence; soonest deadline first."""

from datetime import date

from domain.aggregates.committee import CommitteeState, Milestone
from domain.aggregates.escalation.state import initial_state as no_escalation
from domain.aggregates.exit import ExitState, Notice
from domain.aggregates.partnership import initial_state
from domain.aggregates.review import Response, ReviewState
from domain.declarations import DeclarationsState
from domain.events import EscalationDecided
from domain.tasks import tasks_for
from tests.people import representative, seat_holder, secretary, shipped

CONFIG = shipped("county-durham")
REVIEW = "review:county-durham:2026-11-29-abc123"


def review(**changes: object) -> ReviewState:
    return ReviewState(
        partnership=CONFIG.slug,
        status="open",
        review_id="2026-11-29-abc123",
        signatories=("icb", "dcc", "tewv"),
        opened_on=date(2026, 11, 29),
        response_deadline=date(2027, 1, 10),
        responses=(
            Response(organisation="icb", received_on=date(2026, 12, 1), confirms_unchanged=True),
        ),
    ).model_copy(update=changes)


def test_a_representative_owes_only_their_own_organisations_response() -> None:
    dcc = tasks_for(CONFIG, representative(CONFIG, "dcc"), [(REVIEW, review())])
    assert [(t.kind, t.party, t.command, t.due_on) for t in dcc] == [
        ("response", "dcc", "RecordResponse", date(2027, 1, 10))
    ]
    assert tasks_for(CONFIG, representative(CONFIG, "icb"), [(REVIEW, review())]) == []
    assert (
        tasks_for(CONFIG, representative(CONFIG, "dcc"), [(REVIEW, review(status="concluded"))])
        == []
    )


def test_a_variation_is_owed_until_agreed_or_refused() -> None:
    varied = review(variation_id="v1", variation_summary="Add a partner", agreed=("dcc",))
    icb = tasks_for(CONFIG, representative(CONFIG, "icb"), [(REVIEW, varied)])
    assert [t.kind for t in icb] == ["variation"]
    dcc = tasks_for(CONFIG, representative(CONFIG, "dcc"), [(REVIEW, varied)])
    assert [t.kind for t in dcc] == ["response"]


def test_signatures_are_owed_until_the_mou_takes_effect() -> None:
    state = initial_state(CONFIG)
    tewv = tasks_for(CONFIG, representative(CONFIG, "tewv"), [("partnership:x", state)])
    assert [(t.kind, t.party) for t in tewv] == [("signature", "tewv")]
    effective = state.model_copy(update={"effective_on": date(2026, 1, 1)})
    assert tasks_for(CONFIG, representative(CONFIG, "tewv"), [("p", effective)]) == []


def test_the_secretariat_owes_acknowledgements_soonest_first_and_representatives_none() -> None:
    exit_state = ExitState(
        config=CONFIG,
        signatories=("icb", "dcc", "tewv"),
        status="notified",
        organisation="tewv",
        notices=(
            Notice(
                recipient="icb",
                notice_id="n1",
                issued_on=date(2026, 12, 1),
                acknowledge_by=date(2026, 12, 20),
                delivered_on=date(2026, 12, 1),
            ),
            Notice(
                recipient="dcc",
                notice_id="n2",
                issued_on=date(2026, 12, 1),
                acknowledge_by=date(2026, 12, 15),
                delivered_on=date(2026, 12, 1),
            ),
            Notice(
                recipient="hdft",
                notice_id="n3",
                issued_on=date(2026, 12, 1),
                acknowledge_by=date(2026, 12, 10),
                delivered_on=date(2026, 12, 1),
                acknowledged_on=date(2026, 12, 2),
            ),
        ),
    )
    owed = tasks_for(CONFIG, secretary(CONFIG), [("exit:x", exit_state), (REVIEW, review())])
    assert [(t.kind, t.party) for t in owed] == [
        ("acknowledgement", "dcc"),
        ("acknowledgement", "icb"),
    ]
    assert tasks_for(CONFIG, representative(CONFIG, "dcc"), [("exit:x", exit_state)]) == []


CARRIED = EscalationDecided(
    partnership=CONFIG.slug,
    escalation_id="e1",
    level=2,
    body="cdcpe",
    decided_on=date(2026, 12, 1),
    rule="simple_majority",
    eligible_voters=("a", "b"),
    in_favour=("a", "b"),
    against=(),
    carried=True,
    summary="Fund it",
    explanation="",
)


def test_an_escalation_asks_the_secretariat_for_what_its_level_does_next() -> None:
    open_at = no_escalation(CONFIG).model_copy(
        update={"status": "open", "summary": "Discharge", "respond_by": date(2027, 1, 1)}
    )
    kinds = []
    for level, decisions in ((1, ()), (2, ()), (2, ("carried",))):
        state = open_at.model_copy(
            update={
                "level": level,
                "decisions": tuple(CARRIED for _ in decisions),
            }
        )
        (task,) = tasks_for(CONFIG, secretary(CONFIG), [("escalation:x", state)])
        kinds.append((task.kind, task.command, task.due_on))
        assert tasks_for(CONFIG, representative(CONFIG, "dcc"), [("escalation:x", state)]) == []
    assert kinds == [
        ("consideration", "ReferUp", date(2027, 1, 1)),
        ("decision", "DecideEscalation", date(2027, 1, 1)),
        ("resolution", "ResolveEscalation", date(2027, 1, 1)),
    ]


def test_a_voting_member_or_their_deputy_owes_their_vote_until_the_level_decides() -> None:
    """CDCPE ToR §3, docs/rules.md P4.10: the CDCP Executive decides level 2."""
    seat = "icb-director-place-based-delivery"
    at_2 = no_escalation(CONFIG).model_copy(
        update={
            "status": "open",
            "summary": "Discharge",
            "respond_by": date(2027, 1, 1),
            "level": 2,
        }
    )
    for deputy in (False, True):
        person = seat_holder(CONFIG, seat, deputy=deputy)
        (task,) = tasks_for(CONFIG, person, [("escalation:x", at_2)])
        assert (task.kind, task.party, task.command, task.due_on) == (
            "vote",
            seat,
            "CastVote",
            date(2027, 1, 1),
        )
        assert task.what == (
            "Vote at the County Durham Care Partnership Executive on the escalation: Discharge"
        )
        for elsewhere in ({"level": 1}, {"decisions": (CARRIED,)}, {"status": "resolved"}):
            assert (
                tasks_for(CONFIG, person, [("escalation:x", at_2.model_copy(update=elsewhere))])
                == []
            )
    assert tasks_for(CONFIG, representative(CONFIG, "icb"), [("escalation:x", at_2)]) == []


DIRECTOR = "icb-director-place-based-delivery"


def declarations(**changes: object) -> DeclarationsState:
    return DeclarationsState(
        config=CONFIG,
        body="cdcpe",
        kind="annual",
        status="open",
        round_id="r1",
        requested_on=date(2027, 4, 1),
        return_by=date(2027, 4, 29),
        seats=(DIRECTOR, "icb-medical-director"),
    ).model_copy(update=changes)


def test_a_member_owes_their_own_seats_declaration_until_returned_or_closed() -> None:
    member = seat_holder(CONFIG, DIRECTOR)
    (task,) = tasks_for(CONFIG, member, [("declarations:r1", declarations())])
    assert (task.kind, task.party, task.command, task.due_on) == (
        "declaration",
        DIRECTOR,
        "ReturnDeclaration",
        date(2027, 4, 29),
    )
    assert "Director" in task.what
    assert tasks_for(CONFIG, member, [("d", declarations(returned=(DIRECTOR,)))]) == []
    assert tasks_for(CONFIG, member, [("d", declarations(status="closed"))]) == []
    assert (
        tasks_for(CONFIG, seat_holder(CONFIG, DIRECTOR, deputy=True), [("d", declarations())]) == []
    )
    assert tasks_for(CONFIG, secretary(CONFIG), [("d", declarations())]) == []


def milestone(milestone_id: str, owner: str, target_on: date, **changes: object) -> Milestone:
    return Milestone(
        milestone_id=milestone_id,
        title=milestone_id.title(),
        owner=owner,
        target_on=target_on,
        needs_agreement_of=(),
        depends_on=(),
        clause="DCC Cabinet 2022 §6",
    ).model_copy(update=changes)


def test_a_milestones_evidence_is_owed_by_its_owner_and_the_secretariat_soonest_first() -> None:
    state = CommitteeState(
        partnership=CONFIG.slug,
        committee_id="jc",
        milestones=(
            milestone("shadow", "cdcpe", date(2022, 10, 31)),
            milestone("preferred", "dcc", date(2022, 9, 14)),
            milestone("met", "dcc", date(2022, 8, 1), met_on=date(2022, 8, 1)),
        ),
    )
    dcc = tasks_for(CONFIG, representative(CONFIG, "dcc"), [("committee:jc", state)])
    assert [(t.kind, t.party, t.item, t.due_on) for t in dcc] == [
        ("evidence", "dcc", "preferred", date(2022, 9, 14))
    ]
    staff = tasks_for(CONFIG, secretary(CONFIG), [("committee:jc", state)])
    assert [t.item for t in staff] == ["preferred", "shadow"]
    assert staff[1].what.endswith("owed by County Durham Care Partnership Executive")
    assert len({t.anchor for t in staff}) == 2
    assert tasks_for(CONFIG, representative(CONFIG, "icb"), [("committee:jc", state)]) == []
    done = state.model_copy(update={"established_on": date(2023, 4, 1)})
    assert tasks_for(CONFIG, secretary(CONFIG), [("committee:jc", done)]) == []

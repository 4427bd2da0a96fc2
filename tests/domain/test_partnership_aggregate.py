"""The partnership aggregate: signature collection, exits, review outcomes and admissions."""

from datetime import date

import pytest

from domain.aggregates import partnership as agg
from domain.errors import DomainError, UnknownOrganisationError
from domain.events import (
    MembershipEnded,
    MouAmended,
    MouEffective,
    MouSigned,
    PartnerAdmitted,
    ReviewDateRevised,
    ReviewOutcome,
)
from domain.organisations import Organisation, Sector
from domain.partnership import Partnership


def sign(organisation: str, on: date) -> agg.SignMou:
    return agg.SignMou(
        organisation=organisation, signatory_name="A Person", signatory_role="CEO", signed_on=on
    )


def test_signature_before_the_last_records_only_mou_signed(county_durham: Partnership) -> None:
    state = agg.initial_state(county_durham)
    events = agg.decide(state, sign("tewv", date(2022, 8, 20)))
    assert events == [
        MouSigned(
            partnership="county-durham",
            organisation="tewv",
            signatory_name="A Person",
            signatory_role="CEO",
            signed_on=date(2022, 8, 20),
        )
    ]


def test_last_signature_makes_mou_effective_003_s15_3_000_s24(county_durham: Partnership) -> None:
    """MSE MoU 2020 §15.3: effective only when every partner signed; CDCP MoU §24: reviewed
    annually."""
    state = agg.initial_state(county_durham)
    last = county_durham.signatories[-1]
    for i, organisation in enumerate(county_durham.signatories[:-1]):
        state = agg.fold(state, agg.decide(state, sign(organisation, date(2022, 8, 10 + i))))
        assert not state.is_effective
    events = agg.decide(state, sign(last, date(2022, 8, 23)))
    assert events[-1] == MouEffective(
        partnership="county-durham",
        effective_on=date(2022, 8, 23),
        version=1,
        review_due_on=date(2023, 8, 23),
    )
    state = agg.fold(state, events)
    assert state.effective_on == date(2022, 8, 23)
    assert state.mou_version == 1
    assert state.outstanding_signatures == ()


def test_effective_date_is_latest_signature_even_if_recorded_out_of_order(
    county_durham: Partnership,
) -> None:
    """CDCP MoU §24: commences on the date of signature of the partners (the last of them)."""
    state = agg.initial_state(county_durham)
    for organisation in county_durham.signatories[:-1]:
        state = agg.fold(state, agg.decide(state, sign(organisation, date(2022, 8, 30))))
    events = agg.decide(state, sign(county_durham.signatories[-1], date(2022, 8, 1)))
    effective = events[-1]
    assert isinstance(effective, MouEffective)
    assert effective.effective_on == date(2022, 8, 30)


def test_duplicate_signature_refused_with_date(county_durham: Partnership) -> None:
    state = agg.initial_state(county_durham)
    state = agg.fold(state, agg.decide(state, sign("tewv", date(2022, 8, 20))))
    with pytest.raises(DomainError, match=r"tewv has already signed the MoU \(on 2022-08-20\)"):
        agg.decide(state, sign("tewv", date(2022, 8, 21)))


def test_unknown_organisation_refused_listing_known(county_durham: Partnership) -> None:
    state = agg.initial_state(county_durham)
    with pytest.raises(UnknownOrganisationError, match=r"'nhs-leeds'.*its organisations are: icb"):
        agg.decide(state, sign("nhs-leeds", date(2022, 8, 20)))


def test_non_signatory_organisation_refused(nenc: Partnership) -> None:
    """NHS England/Improvement sits on the Management Group but did not sign the NENC MoU."""
    state = agg.initial_state(nenc)
    with pytest.raises(DomainError, match="nhs-england-improvement is not a signatory"):
        agg.decide(state, sign("nhs-england-improvement", date(2019, 5, 1)))


def test_blank_signatory_name_refused(county_durham: Partnership) -> None:
    state = agg.initial_state(county_durham)
    command = agg.SignMou(
        organisation="dcc", signatory_name="  ", signatory_role="CEO", signed_on=date(2022, 8, 1)
    )
    with pytest.raises(DomainError, match="name and role"):
        agg.decide(state, command)


def test_decide_does_not_change_state(county_durham: Partnership) -> None:
    """`decide` is pure, so an update validator may call it."""
    state = agg.initial_state(county_durham)
    before = state.model_dump()
    agg.decide(state, sign("dcc", date(2022, 8, 1)))
    assert state.model_dump() == before


def test_exit_removes_partner_from_signatories_and_bodies_000_s27(
    signed_county_durham: agg.PartnershipState,
) -> None:
    """CDCP MoU §27: leaver removed, MoU amended, annual review date revised."""
    state = signed_county_durham
    events = agg.decide(
        state, agg.EndMembership(exit_id="exit-1", organisation="tewv", ended_on=date(2023, 3, 1))
    )
    ended, amended, revised = events
    assert isinstance(ended, MembershipEnded)
    assert ended.bodies_affected == ("cdcpe", "cyp-board", "mhld-board")
    assert isinstance(amended, MouAmended) and amended.version == 2
    assert isinstance(revised, ReviewDateRevised)
    # Due 2023-08-23, later than 90 days after the exit (policy): brought forward.
    assert revised.previous_due_on == date(2023, 8, 23)
    assert revised.review_due_on == date(2023, 5, 30)
    assert "CDCP MoU §27" in revised.reason and "within 90 days" in revised.reason
    state = agg.fold(state, events)
    assert "tewv" not in state.signatories
    assert all(m.organisation != "tewv" for b in state.bodies for m in b.members)
    assert state.body("mhld-board").chair is None
    with pytest.raises(DomainError, match="tewv left county-durham on 2023-03-01"):
        agg.decide(state, sign("tewv", date(2023, 4, 1)))


def test_exit_revises_the_review_date_only_when_it_moves_000_s27(
    signed_county_durham: agg.PartnershipState,
) -> None:
    """CDCP MoU §27, policy: a review already due within the window stands, and no revision that
    moves nothing is recorded; the window is the partnership's exit policy."""
    state = signed_county_durham
    soon = agg.EndMembership(exit_id="exit-1", organisation="tewv", ended_on=date(2023, 6, 1))
    events = agg.decide(state, soon)
    assert [type(e) for e in events] == [MembershipEnded, MouAmended]
    assert agg.fold(state, events).review_due_on == date(2023, 8, 23)
    policy = state.config.exit_policy.model_copy(update={"review_within_days": 30})
    strict = state.model_copy(
        update={"config": state.config.model_copy(update={"exit_policy": policy})}
    )
    events = agg.decide(strict, soon)
    assert agg.fold(strict, events).review_due_on == date(2023, 7, 1)


def test_exit_before_mou_effective_refused(county_durham: Partnership) -> None:
    state = agg.initial_state(county_durham)
    with pytest.raises(DomainError, match="not yet effective"):
        agg.decide(
            state, agg.EndMembership(exit_id="e", organisation="dcc", ended_on=date(2022, 9, 1))
        )


def test_varied_review_issues_new_version_and_next_review_12_months_on(
    signed_county_durham: agg.PartnershipState,
) -> None:
    """P1 policy: a new MoU version on a variation; next review no later than 12 months on."""
    command = agg.RecordReviewOutcome(
        review_id="r1",
        outcome=ReviewOutcome.VARIED,
        concluded_on=date(2023, 7, 10),
        summary="schedule 2 updated",
    )
    state = agg.fold(signed_county_durham, agg.decide(signed_county_durham, command))
    assert state.mou_version == 2
    assert state.review_due_on == date(2024, 7, 10)


def test_unchanged_review_keeps_version(signed_county_durham: agg.PartnershipState) -> None:
    command = agg.RecordReviewOutcome(
        review_id="r1", outcome=ReviewOutcome.LAPSED, concluded_on=date(2023, 7, 10)
    )
    events = agg.decide(signed_county_durham, command)
    assert [type(e) for e in events] == [ReviewDateRevised]


def test_admission_needs_every_signatory_003_s14(
    signed_county_durham: agg.PartnershipState,
) -> None:
    """MSE MoU 2020 §14 with CDCP MoU §25: admitting a partner varies the MoU, so all must agree."""
    newcomer = Organisation(slug="nhs-x", name="NHS X", kind="trust", sector=Sector.HEALTH)
    state = signed_county_durham
    partial = agg.AdmitPartner(
        organisation=newcomer, admitted_on=date(2023, 1, 1), agreed_by=state.signatories[:-1]
    )
    with pytest.raises(DomainError, match="no written agreement from healthwatch"):
        agg.decide(state, partial)
    full = partial.model_copy(update={"agreed_by": state.signatories})
    events = agg.decide(state, full)
    assert isinstance(events[0], PartnerAdmitted)
    state = agg.fold(state, events)
    assert "nhs-x" in state.signatories
    assert state.organisation("nhs-x").name == "NHS X"
    assert state.mou_version == 2

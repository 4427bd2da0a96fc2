"""Admitting an additional partner (docs/rules.md P7; MSE MoU 2020 §14, §10.1), pure."""

from datetime import date

import pytest

from domain.aggregates import partnership
from domain.aggregates.partnership import (
    AgreeAdmission,
    PartnershipState,
    ProposeAdmission,
    SignCounterpart,
)
from domain.errors import DomainError
from domain.events import MouAmended, MouSigned, PartnerAdmitted, SeatOnBody
from domain.organisations import Organisation, Sector
from domain.partnership import Partnership
from tests.domain.conftest import sign_all

SIGNED = date(2024, 4, 1)
PROPOSED = date(2025, 1, 6)
NEW = Organisation(
    slug="essex-hospice-network",
    name="Essex Hospice Network",
    kind="voluntary",
    sector=Sector.OTHER,
)
SEAT = SeatOnBody(body="partnership-board", seat="hospice-lead", role="Hospice network lead")


def decided(state: PartnershipState, *commands: partnership.PartnershipCommand) -> PartnershipState:
    for command in commands:
        state = partnership.fold(state, partnership.decide(state, command))
    return state


def proposed(mid_south_essex: Partnership) -> PartnershipState:
    return decided(
        sign_all(mid_south_essex, SIGNED),
        ProposeAdmission(
            proposed_by="essex-cc", organisation=NEW, seats=(SEAT,), proposed_on=PROPOSED
        ),
    )


def agreement(organisation: str) -> AgreeAdmission:
    return AgreeAdmission(
        organisation=organisation, agreed_on=PROPOSED, reference=f"letter from {organisation}"
    )


COUNTERPART = SignCounterpart(
    organisation=NEW.slug,
    signatory_name="A. Chair",
    signatory_role="Chair",
    signed_on=date(2025, 2, 3),
)


def test_every_signatory_agrees_then_the_counterpart_admits_and_amends_the_mou_003_s14(
    mid_south_essex: Partnership,
) -> None:
    state = proposed(mid_south_essex)
    state = decided(state, *(agreement(o) for o in mid_south_essex.signatories))
    events = partnership.decide(state, COUNTERPART)
    assert [type(e) for e in events] == [PartnerAdmitted, MouSigned, MouAmended]
    admitted, signed, amended = events
    assert isinstance(admitted, PartnerAdmitted)
    assert set(admitted.agreed_by) == set(mid_south_essex.signatories)
    assert isinstance(signed, MouSigned) and signed.organisation == NEW.slug
    assert isinstance(amended, MouAmended) and amended.version == state.mou_version + 1
    after = partnership.fold(state, events)
    assert NEW.slug in after.signatories and after.admission is None
    assert after.signature(NEW.slug) is not None
    board = after.body("partnership-board").member("hospice-lead")
    assert board is not None and board.organisation == NEW.slug


def test_one_written_agreement_missing_refuses_the_counterpart_003_s14(
    mid_south_essex: Partnership,
) -> None:
    state = proposed(mid_south_essex)
    *agreeing, missing = mid_south_essex.signatories
    state = decided(state, *(agreement(o) for o in agreeing))
    with pytest.raises(DomainError, match=f"no written agreement from {missing}.*MSE MoU 2020 §14"):
        partnership.decide(state, COUNTERPART)


@pytest.mark.parametrize(
    ("command", "refusal"),
    [
        (
            ProposeAdmission(proposed_by="essex-cc", organisation=NEW, proposed_on=PROPOSED),
            "already proposed",
        ),
        (agreement("essex-cc"), None),
        (agreement("nhs-leeds"), "'nhs-leeds' is not an organisation"),
        (
            COUNTERPART.model_copy(update={"organisation": "someone-else"}),
            "no admission of someone-else",
        ),
        (
            AgreeAdmission(organisation="essex-cc", agreed_on=date(2025, 1, 1), reference="x"),
            "before the admission was proposed",
        ),
    ],
)
def test_admission_steps_out_of_turn_are_refused(
    mid_south_essex: Partnership, command: partnership.PartnershipCommand, refusal: str | None
) -> None:
    state = proposed(mid_south_essex)
    if refusal is None:
        # Agreeing twice: the second is refused.
        state = decided(state, command)
        refusal = "has already agreed"
    with pytest.raises(DomainError, match=refusal):
        partnership.decide(state, command)


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        ({"proposed_by": "nhs-leeds"}, "'nhs-leeds' is not an organisation"),
        (
            {"organisation": NEW.model_copy(update={"slug": "essex-cc"})},
            "essex-cc is already a signatory",
        ),
        (
            {"seats": (SEAT.model_copy(update={"body": "cabinet"}),)},
            "'cabinet' is not a body",
        ),
        ({"seats": (SEAT, SEAT)}, "the same seat twice"),
        ({"proposed_on": date(2024, 3, 1)}, "before the MoU took effect"),
    ],
)
def test_a_bad_proposal_is_refused_naming_why(
    mid_south_essex: Partnership, change: dict[str, object], refusal: str
) -> None:
    command = ProposeAdmission(
        proposed_by="essex-cc", organisation=NEW, seats=(SEAT,), proposed_on=PROPOSED
    ).model_copy(update=change)
    with pytest.raises(DomainError, match=refusal):
        partnership.decide(sign_all(mid_south_essex, SIGNED), command)


def test_no_admission_before_the_mou_is_effective(mid_south_essex: Partnership) -> None:
    command = ProposeAdmission(proposed_by="essex-cc", organisation=NEW, proposed_on=PROPOSED)
    with pytest.raises(DomainError, match="not yet effective"):
        partnership.decide(partnership.initial_state(mid_south_essex), command)

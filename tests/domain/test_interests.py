"""A member's declaration of interests updated at any time, between the rounds (docs/rules.md
P6.5; CDCPE ToR §6: "can be updated at any time, but which will be formally reviewed on a
six-monthly basis"), pure."""

from datetime import date

import pytest

from domain.aggregates.partnership import (
    BETWEEN_ROUNDS,
    UpdateInterests,
    decide,
    fold,
    initial_state,
)
from domain.errors import DomainError
from domain.events import DeclarationReturned, DeclaredInterest, InterestKind
from domain.partnership import Partnership
from domain.registers import register_csv, register_of

SEAT = "icb-medical-director"
SHARES = DeclaredInterest(kind=InterestKind.FINANCIAL, description="Shares in Acme Care Ltd")
TRUSTEE = DeclaredInterest(
    kind=InterestKind.NON_FINANCIAL_PERSONAL, description="Trustee, Durham Hospice"
)


def update(
    on: date, *interests: DeclaredInterest, seat: str = SEAT, body: str = "cdcpe"
) -> UpdateInterests:
    return UpdateInterests(
        body=body, seat=seat, updated_on=on, interests=interests, today=date(2027, 9, 30)
    )


def test_an_update_between_rounds_stands_in_the_register_with_its_history_tor_6(
    county_durham: Partnership,
) -> None:
    annual = DeclarationReturned(
        partnership="county-durham",
        body="cdcpe",
        round_id="declarations:county-durham:cdcpe:annual:2027-04-01",
        seat=SEAT,
        returned_on=date(2027, 4, 12),
        interests=(SHARES,),
    )
    state = initial_state(county_durham)
    first = decide(state, update(date(2027, 7, 1), SHARES, TRUSTEE))
    assert first == [
        DeclarationReturned(
            partnership="county-durham",
            body="cdcpe",
            round_id=BETWEEN_ROUNDS,
            seat=SEAT,
            returned_on=date(2027, 7, 1),
            interests=(SHARES, TRUSTEE),
            update=True,
        )
    ]
    # Shares sold: the member updates again, whenever their interests change.
    second = decide(fold(state, first), update(date(2027, 9, 1), TRUSTEE))

    register = register_of(county_durham, "cdcpe", [annual, *first, *second])
    (standing,) = register.returns
    assert (standing.declared_on, standing.interests, standing.round_id) == (
        date(2027, 9, 1),
        (TRUSTEE,),
        BETWEEN_ROUNDS,
    )
    assert [(h.declared_on, h.interests, h.update) for h in register.history] == [
        (date(2027, 4, 12), (SHARES,), False),
        (date(2027, 7, 1), (SHARES, TRUSTEE), True),
        (date(2027, 9, 1), (TRUSTEE,), True),
    ]
    published = register_csv(county_durham, register)
    assert "Shares in Acme" not in published
    assert f"cdcpe,{SEAT}," in published and f",2027-09-01,{BETWEEN_ROUNDS}" in published


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        (update(date(2027, 7, 1), body="acute-care-board"), "keeps no register of interests"),
        (update(date(2027, 7, 1), body="atlantis"), "'atlantis' is not a body of county-durham"),
        (update(date(2027, 7, 1), seat="dcc-leader"), "'dcc-leader' is not a seat of cdcpe"),
        (update(date(2027, 10, 1)), "that is after today (2027-09-30)"),
    ],
)
def test_a_bad_update_is_refused_naming_why(
    county_durham: Partnership, command: UpdateInterests, reason: str
) -> None:
    with pytest.raises(DomainError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        decide(initial_state(county_durham), command)

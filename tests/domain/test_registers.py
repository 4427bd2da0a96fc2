"""A body's register of interests as published (docs/rules.md P6.4; CDCPE ToR §6), pure."""

import csv
import io
from datetime import date

import pytest

from domain.errors import DomainError, UnknownBodyError
from domain.events import DeclarationReturned, DeclaredInterest, InterestKind
from domain.partnership import Partnership
from domain.registers import COLUMNS, register_csv, register_of

ROUND = "declarations:county-durham:cdcpe:annual:2027-04-01"


def returned(
    seat: str, on: date, *interests: DeclaredInterest, update: bool = False
) -> DeclarationReturned:
    return DeclarationReturned(
        partnership="county-durham",
        body="cdcpe",
        round_id=ROUND,
        seat=seat,
        returned_on=on,
        interests=interests,
        update=update,
    )


def test_each_seat_shows_its_latest_return_in_seat_order(county_durham: Partnership) -> None:
    gift = DeclaredInterest(kind=InterestKind.FINANCIAL, description="Shares in Acme plc")
    events = [
        returned("cddft-chief-executive", date(2027, 4, 2), gift),
        returned("icb-medical-director", date(2027, 4, 3)),
        returned("cddft-chief-executive", date(2027, 5, 9), update=True),
    ]
    register = register_of(county_durham, "cdcpe", events)
    assert [(r.seat, r.declared_on, r.interests) for r in register.returns] == [
        ("icb-medical-director", date(2027, 4, 3), ()),
        ("cddft-chief-executive", date(2027, 5, 9), ()),
    ]
    assert register.reviewed_on is None


def test_the_csv_has_a_row_per_interest_and_quotes_what_a_spreadsheet_would_run(
    county_durham: Partnership,
) -> None:
    interests = (
        DeclaredInterest(kind=InterestKind.FINANCIAL, description="@SUM(A1) Ltd, director"),
        DeclaredInterest(
            kind=InterestKind.NON_FINANCIAL_PROFESSIONAL,
            description="Trustee, Durham Hospice",
            since=date(2020, 1, 1),
        ),
    )
    events = [returned("dcc-director-adults-health", date(2027, 4, 2), *interests)]
    register = register_of(county_durham, "cdcpe", events)
    rows = list(csv.reader(io.StringIO(register_csv(county_durham, register))))
    assert tuple(rows[0]) == COLUMNS
    member = county_durham.body("cdcpe").member("dcc-director-adults-health")
    assert member is not None
    assert rows[1][1:7] == [
        "dcc-director-adults-health",
        member.role,
        "dcc",
        "financial",
        "'@SUM(A1) Ltd, director",
        "",
    ]
    assert rows[2][4:7] == ["non_financial_professional", "Trustee, Durham Hospice", "2020-01-01"]


def test_a_body_without_a_register_or_unknown_is_refused(county_durham: Partnership) -> None:
    with pytest.raises(DomainError, match="hwbb of county-durham keeps no register"):
        register_of(county_durham, "hwbb", [])
    with pytest.raises(UnknownBodyError, match="'nobody' is not a body"):
        register_of(county_durham, "nobody", [])

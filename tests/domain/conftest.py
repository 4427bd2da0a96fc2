"""Fixtures for the domain tests: the shipped partnerships and a signed County Durham MoU."""

from datetime import date

import pytest

from domain.aggregates import partnership
from domain.partnership import Partnership
from domain.partnerships_config import load_partnership


@pytest.fixture(scope="session")
def county_durham() -> Partnership:
    return load_partnership("county-durham")


@pytest.fixture(scope="session")
def mid_south_essex() -> Partnership:
    return load_partnership("mid-south-essex")


@pytest.fixture(scope="session")
def nenc() -> Partnership:
    return load_partnership("nenc-ics")


def sign_all(config: Partnership, signed_on: date) -> partnership.PartnershipState:
    """A partnership whose every signatory signed on `signed_on`."""
    state = partnership.initial_state(config)
    for organisation in config.signatories:
        command = partnership.SignMou(
            organisation=organisation,
            signatory_name=f"Chief Executive of {organisation}",
            signatory_role="Chief Executive",
            signed_on=signed_on,
        )
        state = partnership.fold(state, partnership.decide(state, command))
    return state


@pytest.fixture
def signed_county_durham(county_durham: Partnership) -> partnership.PartnershipState:
    return sign_all(county_durham, date(2022, 8, 23))

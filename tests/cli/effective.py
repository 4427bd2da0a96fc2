"""A partnership whose MoU is in effect, set up through the command line as staff would."""

from datetime import UTC, datetime

from domain.partnerships_config import load_partnership
from tests.cli.conftest import Stack
from tests.cli.operator import FOR, secretary_of
from tests.cli.refusals import assert_ok

TODAY = datetime.now(UTC).date()


def make_effective(stack: Stack, slug: str) -> Stack:
    """Starts `slug`'s workflow and records every signatory's counterpart, signed today, as its
    secretary; returns the stack as that secretary."""
    secretary = secretary_of(stack, slug)
    assert_ok(secretary.run("partnerships", "start", slug))
    signed = secretary.run_all(
        *(
            ("mou", "sign", *FOR, slug, organisation, "--name", "Chief Executive", "--role", "CEO",
             "--date", TODAY.isoformat())
            for organisation in load_partnership(slug).signatories
        )
    )  # fmt: skip
    for result in signed:
        assert_ok(result)
    return secretary

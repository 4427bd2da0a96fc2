"""A partnership whose MoU is in effect, set up through the command line as staff would."""

from datetime import UTC, datetime

from domain.partnerships_config import load_partnership
from tests.cli.conftest import Stack
from tests.cli.operator import FOR
from tests.cli.refusals import assert_ok

TODAY = datetime.now(UTC).date()


def make_effective(stack: Stack, slug: str) -> None:
    """Starts `slug`'s workflow and records every signatory's counterpart, signed today."""
    assert_ok(stack.run("partnerships", "start", slug))
    signed = stack.run_all(
        *(
            ("mou", "sign", *FOR, slug, organisation, "--name", "Chief Executive", "--role", "CEO",
             "--date", TODAY.isoformat())
            for organisation in load_partnership(slug).signatories
        )
    )  # fmt: skip
    for result in signed:
        assert_ok(result)

"""Checks several of the partnership's decisions share."""

from datetime import date

from domain.aggregates.partnership.state import PartnershipState
from domain.errors import DomainError


def require_signatory(state: PartnershipState, organisation: str) -> None:
    state.organisation(organisation)
    if organisation in state.signatories:
        return
    if departure := state.departure(organisation):
        raise DomainError(
            f"{organisation} left {state.slug} on {departure.ended_on.isoformat()} "
            f"and is no longer a signatory"
        )
    raise DomainError(
        f"{organisation} is not a signatory of the {state.slug} MoU; "
        f"the signatories are: {', '.join(state.signatories)}"
    )


def require_effective(state: PartnershipState, doing: str) -> date:
    if state.effective_on is None:
        waiting = ", ".join(state.outstanding_signatures)
        raise DomainError(
            f"cannot {doing}: the {state.slug} MoU is not yet effective "
            f"(waiting for signatures from {waiting})"
        )
    return state.effective_on

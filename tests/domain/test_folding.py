"""`updated` is `model_copy(update=...)`: the same copy, the original left as it was."""

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, PrivateAttr

from domain.aggregates import committee
from domain.aggregates.escalation.state import NoticeRecord
from domain.aggregates.folding import updated
from domain.events import NoticeKind
from tests.domain.test_committee_aggregate import started


def _same_copy(model: BaseModel, update: dict[str, Any]) -> None:
    before = model.model_dump()
    mine, theirs = updated(model, update), model.model_copy(update=update)
    assert type(mine) is type(theirs)
    assert mine == theirs
    assert mine.__pydantic_fields_set__ == theirs.__pydantic_fields_set__
    assert mine.__pydantic_extra__ == theirs.__pydantic_extra__
    assert mine.__pydantic_private__ == theirs.__pydantic_private__
    assert model.model_dump() == before  # the original is not changed


def test_a_state_is_copied_as_model_copy_copies_it() -> None:
    state = started()
    _same_copy(state, {"milestones": state.milestones[:1], "established_on": date(2023, 4, 1)})
    _same_copy(state.milestones[0], {"met_on": date(2023, 1, 2)})
    _same_copy(committee.initial_state("county-durham"), {})
    notice = NoticeRecord(
        notice_id="n", kind=NoticeKind.EXIT_NOTICE, recipient="r", issued_on=date(2023, 1, 2)
    )
    _same_copy(notice, {"delivered_on": date(2023, 1, 3)})


class _Extra(BaseModel):
    model_config = ConfigDict(frozen=True, extra="allow")
    kept: int = 0


class _Private(BaseModel):
    model_config = ConfigDict(frozen=True)
    kept: int = 0
    _note: str = PrivateAttr(default="note")


def test_a_model_with_extra_fields_or_private_attributes_is_copied_pydantic_s_way() -> None:
    _same_copy(_Extra(kept=1, more=2), {"kept": 3, "more": 4, "new": 5})
    _same_copy(_Private(kept=1), {"kept": 2})

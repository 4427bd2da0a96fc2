"""The escalation aggregate: an issue climbing its partnership's ladder (docs/rules.md P4).

Ladders come from the configuration: County Durham thematic board -> CDCP Executive -> partner
organisations' governance and the HWBB (CDCPE ToR §1.2, §1.3, §2); Mid and South Essex's four
issue resolution stages (MSE MoU 2020 §8.10); NENC ICP -> ICS Management Group (NENC ICS MoU §24). A
decision at a level uses that body's rules: quorum, conflicts of interest (CDCPE ToR §6),
eligibility (MSE MoU 2020 Annex 1) and the stage's threshold. Actions agreed at a level are tracked
to closure.

How it ends: RESOLVED at a level once every agreed action is complete (MSE MoU 2020 §7.5-§7.8
actions "tracked to closure"), or CLOSED unresolved, by staff or because the top of the ladder did
not settle it by its deadline. A level that does not settle the matter by its response deadline, or
refers it up, or whose decision is not accepted, passes it to the next level (MSE MoU 2020 §8.10(3):
"if not accepted or no decision"). An inquorate meeting transacts no business, so its vote is
refused (CDCPE ToR §10); a quorate vote that does not reach its threshold is recorded as "no
decision" and the level may try again until its deadline.

The package: `state` (what the events make, and what follows from it), `commands`, `decide`
(a dispatch to one small function per command), `vote` (a vote at a level), `ladder` (climbing
and closing), `notices` (the letters) and `evolve`.
"""

from domain.aggregates.escalation.commands import (
    AgreeAction,
    CastVote,
    ClimbEscalation,
    CloseEscalation,
    CompleteAction,
    ConsiderEscalation,
    DecideEscalation,
    DecisionNotAccepted,
    EscalationCommand,
    LevelLapsed,
    NoticeOverdueActions,
    RaiseEscalation,
    ReferUp,
    ResolveEscalation,
)
from domain.aggregates.escalation.decide import decide
from domain.aggregates.escalation.evolve import evolve, fold
from domain.aggregates.escalation.state import (
    Action,
    EscalationState,
    NoticeRecord,
    initial_state,
    level_lapsed,
    level_recipients,
    next_action_id,
    next_due,
    overdue_actions,
    response_deadline,
)

__all__ = [
    "Action",
    "AgreeAction",
    "CastVote",
    "ClimbEscalation",
    "CloseEscalation",
    "CompleteAction",
    "ConsiderEscalation",
    "DecideEscalation",
    "DecisionNotAccepted",
    "EscalationCommand",
    "EscalationState",
    "LevelLapsed",
    "NoticeOverdueActions",
    "NoticeRecord",
    "RaiseEscalation",
    "ReferUp",
    "ResolveEscalation",
    "decide",
    "evolve",
    "fold",
    "initial_state",
    "level_lapsed",
    "level_recipients",
    "next_action_id",
    "next_due",
    "overdue_actions",
    "response_deadline",
]

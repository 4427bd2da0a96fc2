"""A made-up fourth partnership, West Wessex, as one TOML file and nothing else.

The domain test (tests/domain/test_fourth_partnership.py) and the end-to-end test through the
command line (tests/cli/test_fourth_partnership.py) write it into a temporary folder and run every
process with it, so a new partnership is shown to need no code.
"""

from pathlib import Path

SLUG = "west-wessex"

WEST_WESSEX = """
slug = "west-wessex"
name = "West Wessex Health and Care Partnership"
source = "made up for the tests"
signatories = ["ww-icb", "ww-council", "ww-trust", "ww-vcse", "ww-healthwatch"]

[mou]
title = "West Wessex Memorandum of Understanding"
clause = "WW MoU §9"

[officer]
name = "Morgan Lee"
title = "Governance Manager"
organisation = "West Wessex Integrated Care Board"
email = "governance@west-wessex.example.org"
telephone = "01632 960 000"

[review_policy]
response_days = 21

[exit_policy]
acknowledgement_days = 21

[[organisations]]
slug = "ww-icb"
name = "West Wessex Integrated Care Board"
kind = "integrated care board"
sector = "health"

[[organisations]]
slug = "ww-council"
name = "West Wessex Council"
kind = "council"
sector = "social_care"

[[organisations]]
slug = "ww-trust"
name = "West Wessex NHS Foundation Trust"
kind = "NHS foundation trust"
sector = "health"

[[organisations]]
slug = "ww-vcse"
name = "West Wessex Voluntary Action"
kind = "voluntary sector"
sector = "other"

[[organisations]]
slug = "ww-healthwatch"
name = "Healthwatch West Wessex"
kind = "healthwatch"
sector = "other"

[[bodies]]
slug = "ww-executive"
name = "West Wessex Partnership Executive"
kind = "executive"
chair = "icb-place-director"
answers_to = ["ww-hwb"]
clause = "WW ToR §2"

[[bodies.members]]
seat = "icb-place-director"
role = "ICB Director of Place"
organisation = "ww-icb"
sector = "health"

[[bodies.members]]
seat = "council-adults-director"
role = "Director of Adult Services"
organisation = "ww-council"
sector = "social_care"

[[bodies.members]]
seat = "trust-chief-executive"
role = "Chief Executive"
organisation = "ww-trust"
sector = "health"

[[bodies.members]]
seat = "vcse-lead"
role = "Voluntary sector lead"
organisation = "ww-vcse"
sector = "other"

[[bodies.members]]
seat = "healthwatch-chair"
role = "Healthwatch chair"
organisation = "ww-healthwatch"
sector = "other"

[bodies.quorum]
minimum_present = 3
required_sectors = ["health", "social_care"]
mix_where_possible = false
clause = "WW ToR §5"

[[bodies.decision_rules]]
kind = "simple_majority"
matter = "escalated matters"
clause = "WW ToR §6"

[bodies.register_of_interests]
clause = "WW ToR §7"

[[bodies]]
slug = "ww-community-board"
name = "West Wessex Community Services Board"
kind = "board"
answers_to = ["ww-executive"]
clause = "WW ToR §3"

[[bodies.members]]
seat = "community-icb"
role = "ICB commissioner"
organisation = "ww-icb"
sector = "health"

[[bodies.members]]
seat = "community-council"
role = "Council commissioner"
organisation = "ww-council"
sector = "social_care"

[[bodies.members]]
seat = "community-trust"
role = "Community services director"
organisation = "ww-trust"
sector = "health"

[[bodies.decision_rules]]
kind = "consensus"
matter = "community services"
clause = "WW ToR §3"

[[bodies]]
slug = "ww-hwb"
name = "West Wessex Health and Wellbeing Board"
kind = "upward_body"
clause = "WW ToR §1"

[[ladder]]
level = 1
name = "Community Services Board"
kind = "consideration"
bodies = ["ww-community-board"]
response_days = 14
clause = "WW MoU §8.1"

[[ladder]]
level = 2
name = "Partnership Executive"
kind = "decision"
bodies = ["ww-executive"]
decision_rule = "simple_majority"
response_days = 14
clause = "WW MoU §8.2"

[[ladder]]
level = 3
name = "Partners' governance and the Health and Wellbeing Board"
kind = "partner_governance"
bodies = ["ww-hwb"]
clause = "WW MoU §8.3"

[[committees]]
slug = "ww-joint-committee"
name = "West Wessex Joint Committee"
preferred_option = "a joint committee of the ICB and the Council"
reports_to = ["ww-icb", "ww-hwb"]
clause = "WW MoU §10"

[[committees.milestones]]
milestone_id = "terms-agreed"
title = "Terms of reference agreed by the Executive"
owner = "ww-council"
target_on = 2030-01-31
needs_agreement_of = ["ww-executive"]
clause = "WW MoU §10.1"

[[committees.milestones]]
milestone_id = "shadow"
title = "Meets in shadow form"
owner = "ww-executive"
target_on = 2030-03-31
depends_on = ["terms-agreed"]
clause = "WW MoU §10.2"

[[committees.milestones]]
milestone_id = "live"
title = "Takes its delegated decisions"
owner = "ww-executive"
target_on = 2030-06-30
depends_on = ["shadow"]
clause = "WW MoU §10.3"

# County Durham's development secretary (deploy/dev-users.toml) serves here too, signing in to
# the command line; whoever runs the stack administers its schedules.
[access]
secretariat = ["group:county-durham-secretariat"]
administrators = ["local:*"]
"""


def write_west_wessex(folder: Path) -> Path:
    """`folder` holding West Wessex's file as its only partnership."""
    (folder / f"{SLUG}.toml").write_text(WEST_WESSEX, encoding="utf-8")
    return folder

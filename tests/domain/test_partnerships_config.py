"""The shipped configuration files, and refusal of broken ones at load."""

import shutil
from datetime import date
from importlib import resources
from pathlib import Path

import pytest

from domain.bodies import DecisionRuleKind
from domain.errors import ConfigError, DomainError, UnknownPartnershipError
from domain.organisations import Annex1Category, Sector
from domain.partnership import Partnership, StageKind
from domain.partnerships_config import (
    SHIPPED,
    load_partnership,
    load_partnership_file,
    partnership_slugs,
)
from domain.rules.statutory_days import is_working_day


def test_shipped_slugs() -> None:
    assert partnership_slugs() == ["county-durham", "mid-south-essex", "nenc-ics"]


def test_unknown_partnership_names_known_ones_and_the_folder() -> None:
    with pytest.raises(UnknownPartnershipError) as caught:
        load_partnership("leeds")
    assert "known partnerships are: county-durham, mid-south-essex, nenc-ics" in str(caught.value)
    assert str(SHIPPED) in str(caught.value)


def test_partnerships_load_from_the_folder_given(tmp_path: Path) -> None:
    write(tmp_path, GOOD)
    assert partnership_slugs(tmp_path) == ["test-partnership"]
    assert load_partnership("test-partnership", tmp_path).name == "Test"
    with pytest.raises(
        UnknownPartnershipError,
        match=f"county-durham.*: test-partnership \\(the .toml files in {tmp_path}\\)",
    ):
        load_partnership("county-durham", tmp_path)


def test_a_missing_folder_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nowhere: \(folder\): cannot be read"):
        partnership_slugs(tmp_path / "nowhere")


def test_county_durham_plans_its_joint_committee_002(county_durham: Partnership) -> None:
    """DCC Cabinet 2022 §6, §17: nine milestones from Cabinet (14 Sep 2022) to operational (1 Apr
    2023), reporting to the ICB, the Health and Wellbeing Board and Cabinet."""
    plan = county_durham.committee_plan("joint-committee")
    assert plan.reports_to == ("icb", "hwbb", "cabinet")
    assert len(plan.milestones) == 9
    first, last = plan.milestones[0], plan.milestones[-1]
    assert (first.milestone_id, first.target_on.isoformat()) == ("preferred-option", "2022-09-14")
    assert (last.milestone_id, last.target_on.isoformat()) == ("operational", "2023-04-01")
    delegation = next(m for m in plan.milestones if m.milestone_id == "delegation-agreed")
    assert delegation.needs_agreement_of == county_durham.signatories
    assert county_durham.body("cdcpe").register_of_interests is not None


def test_a_committee_not_planned_is_refused_naming_those_that_are(
    county_durham: Partnership,
) -> None:
    with pytest.raises(DomainError, match="plans no committee called 'jc'; the committees it "
                       "plans: joint-committee"):  # fmt: skip
        county_durham.committee_plan("jc")


def test_county_durham_signatories_000_introduction(county_durham: Partnership) -> None:
    """CDCP MoU Introduction and ToR §1.1: eight signatories."""
    assert county_durham.signatories == (
        "icb", "dcc", "cddft", "tewv", "hdft", "pcns", "durham-community-action", "healthwatch",
    )  # fmt: skip
    assert county_durham.mou.signed_on is not None
    assert county_durham.mou.signed_on.isoformat() == "2022-08-23"
    assert county_durham.mou.tor_review_by is not None
    assert county_durham.mou.tor_review_by.isoformat() == "2023-04-01"


def test_cdcpe_voting_members_and_quorum_000_tor_s3_s10(county_durham: Partnership) -> None:
    """CDCPE ToR §3 voting members (16 seats incl. 2 PCN CDs), §10 quorum of four, deputies."""
    cdcpe = county_durham.body("cdcpe")
    assert len(cdcpe.voting_members) == 16
    assert cdcpe.deputies_allowed
    assert cdcpe.quorum is not None and cdcpe.quorum.minimum_present == 4
    assert set(cdcpe.quorum.required_sectors) == {Sector.HEALTH, Sector.SOCIAL_CARE}
    assert cdcpe.cadence is not None and cdcpe.cadence.meetings_per_year == 12
    assert cdcpe.answers_to == ("hwbb",)


def test_county_durham_bodies_and_ladder(county_durham: Partnership) -> None:
    """CDCPE ToR §1.2 boards, CDCP MoU §11 forum (3 a year), CDCPE ToR §1.3 HWBB, ladder ToR §2."""
    slugs = [b.slug for b in county_durham.bodies]
    assert slugs == [
        "cdcpe", "acute-care-board", "cyp-board", "pcsc-board", "mhld-board",
        "partnership-forum", "hwbb", "cabinet",
    ]  # fmt: skip
    forum = county_durham.body("partnership-forum")
    assert forum.cadence is not None and forum.cadence.meetings_per_year == 3
    assert [s.bodies for s in county_durham.ladder][1:] == [("cdcpe",), ("hwbb",)]
    for board in ("acute-care-board", "cyp-board", "pcsc-board", "mhld-board"):
        assert county_durham.body(board).answers_to == ("cdcpe",)
        assert all(m.illustrative for m in county_durham.body(board).members)


def test_mid_south_essex_annex1_categories_003_s1_1(mid_south_essex: Partnership) -> None:
    """MSE MoU 2020 §1.1 parties with Annex 1 categories; Provide CIC is an "other partner"."""
    assert len(mid_south_essex.signatories) == 21
    categories = {o.slug: o.annex1_category for o in mid_south_essex.organisations}
    assert categories["provide-cic"] is Annex1Category.OTHER_PARTNER
    assert categories["msft"] is Annex1Category.NHS_PROVIDER
    assert categories["nhs-improvement"] is Annex1Category.NHSE_NHSI
    assert categories["healthwatch-thurrock"] is Annex1Category.HEALTHWATCH
    assert sum(c is Annex1Category.CCG for c in categories.values()) == 5
    assert sum(c is Annex1Category.COUNCIL for c in categories.values()) == 3


def test_mid_south_essex_ladder_003_s8_10(mid_south_essex: Partnership) -> None:
    """MSE MoU 2020 §8.10: four stages with the rule per stage."""
    kinds = [(s.kind, s.bodies, s.decision_rule) for s in mid_south_essex.ladder]
    assert kinds == [
        (StageKind.CONSIDERATION, ("sle",), None),
        (StageKind.DECISION, ("sle",), DecisionRuleKind.ELIGIBLE_MAJORITY),
        (StageKind.INDEPENDENT_FACILITATOR, (), None),
        (StageKind.DECISION, ("partnership-board",), DecisionRuleKind.SIMPLE_MAJORITY),
    ]
    board = mid_south_essex.body("partnership-board")
    assert board.decision_rule(DecisionRuleKind.THREE_QUARTERS_OF_ELIGIBLE) is not None
    assert board.cadence is not None and board.cadence.meetings_per_year == 4


def test_nenc_ladder_and_illustrative_organisations_004_s24(nenc: Partnership) -> None:
    """NENC ICS MoU §24: ICP leads escalate to the ICS Management Group; organisations
    illustrative."""
    assert nenc.ladder[-1].bodies == ("management-group",)
    assert all(o.illustrative for o in nenc.organisations)
    assert {"health-strategy-group", "management-group", "partnership-assembly"} <= {
        b.slug for b in nenc.bodies
    }


# ------------------------------------------------------------------ broken files

GOOD = """
slug = "test-partnership"
name = "Test"
source = "CDCP MoU and CDCPE ToR"
signatories = ["a", "b"]

[mou]
title = "Test MoU"
clause = "CDCP MoU §24"

[officer]
name = "Sam Test"
title = "Governance Manager"
organisation = "Org A"
email = "governance@test.example.org"
telephone = "01632 960 000"

[[organisations]]
slug = "a"
name = "Org A"
kind = "council"
sector = "social_care"

[[organisations]]
slug = "b"
name = "Org B"
kind = "trust"
sector = "health"

[[bodies]]
slug = "exec"
name = "Executive"
kind = "executive"
clause = "CDCPE ToR §3"
answers_to = ["upward"]
members = [
  { seat = "a-lead", role = "Lead", organisation = "a", sector = "social_care" },
  { seat = "b-lead", role = "Lead", organisation = "b", sector = "health" },
]

[bodies.quorum]
minimum_present = 2
clause = "CDCPE ToR §10"

[bodies.register_of_interests]
clause = "CDCPE ToR §6"

[[bodies]]
slug = "upward"
name = "Upward"
kind = "upward_body"
clause = "CDCPE ToR §1.3"

[[ladder]]
level = 1
name = "Executive"
kind = "consideration"
bodies = ["exec"]
clause = "CDCPE ToR §2"

[[committees]]
slug = "jc"
name = "Joint Committee"
preferred_option = "a joint committee"
reports_to = ["upward", "a"]
clause = "DCC Cabinet 2022 §17"

[[committees.milestones]]
milestone_id = "approve"
title = "Approved"
owner = "a"
target_on = 2030-01-31
needs_agreement_of = ["upward"]
clause = "DCC Cabinet 2022 §11"

[[committees.milestones]]
milestone_id = "operate"
title = "Operational"
owner = "exec"
target_on = 2030-04-01
depends_on = ["approve"]
clause = "DCC Cabinet 2022 §6(c)"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "test-partnership.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_file_loads(tmp_path: Path) -> None:
    assert load_partnership_file(write(tmp_path, GOOD)).slug == "test-partnership"


@pytest.mark.parametrize(
    ("old", "new", "field", "problem"),
    [
        pytest.param(
            'organisation = "b", sector = "health" }',
            'organisation = "zz", sector = "health" }',
            "bodies[exec].members[b-lead].organisation",
            "unknown organisation 'zz'",
            id="unknown-organisation-in-body",
        ),
        pytest.param(
            'slug = "b"\nname = "Org B"',
            'slug = "a"\nname = "Org B"',
            "organisations",
            "duplicate slug a",
            id="duplicate-organisation-slug",
        ),
        pytest.param(
            'slug = "upward"',
            'slug = "exec"',
            "bodies",
            "duplicate slug exec",
            id="duplicate-body-slug",
        ),
        pytest.param(
            "minimum_present = 2",
            "minimum_present = 3",
            "bodies[exec].quorum.minimum_present",
            "quorum of 3 is larger than the 2 voting members",
            id="quorum-larger-than-membership",
        ),
        pytest.param(
            'bodies = ["exec"]',
            'bodies = ["board"]',
            "ladder[1].bodies",
            "unknown body 'board'",
            id="ladder-names-unknown-body",
        ),
        pytest.param(
            'signatories = ["a", "b"]',
            'signatories = ["a", "c"]',
            "signatories",
            "unknown organisation 'c'",
            id="unknown-signatory",
        ),
        pytest.param(
            'answers_to = ["upward"]',
            'answers_to = ["hwbb"]',
            "bodies[exec].answers_to",
            "unknown body 'hwbb'",
            id="answers-to-unknown-body",
        ),
        pytest.param(
            'sector = "health" }',
            'sector = "dentistry" }',
            "bodies[exec].members[b-lead].sector",
            "Input should be 'health', 'social_care' or 'other'",
            id="bad-enum-value",
        ),
        pytest.param(
            'title = "Test MoU"\n',
            "",
            "mou.title",
            "Field required",
            id="missing-field",
        ),
        pytest.param(
            "level = 1",
            "level = 2",
            "ladder",
            "levels must run 1, 2, 3... in order, found [2]",
            id="ladder-levels-out-of-order",
        ),
        pytest.param(
            'kind = "consideration"',
            'kind = "decision"',
            "ladder[1].decision_rule",
            "a decision stage needs a rule",
            id="decision-stage-without-rule",
        ),
        pytest.param(
            'slug = "test-partnership"',
            'slug = "other-partnership"',
            "slug",
            "is 'other-partnership' but the file is named for 'test-partnership'",
            id="slug-differs-from-file-name",
        ),
        pytest.param(
            'name = "Test"',
            'name = "Test',
            "(file)",
            "is not valid TOML",
            id="invalid-toml",
        ),
        pytest.param(
            'kind = "executive"',
            'kind = "executive"\nchair = "nobody"',
            "bodies[exec].chair",
            "'nobody' is not a seat of this body",
            id="chair-not-a-seat",
        ),
        pytest.param(
            'clause = "CDCPE ToR §1.3"',
            'clause = "CDCPE ToR §1.3"\nregister_of_interests = { clause = "x" }',
            "bodies[upward].register_of_interests",
            "a body with no members has no interests to register",
            id="register-of-a-body-without-members",
        ),
        pytest.param(
            'owner = "exec"',
            'owner = "nobody"',
            "committees[jc].milestones[operate].owner",
            "unknown body or organisation 'nobody'",
            id="milestone-owner-unknown",
        ),
        pytest.param(
            'needs_agreement_of = ["upward"]',
            'needs_agreement_of = ["cabinet"]',
            "committees[jc].milestones[approve].needs_agreement_of",
            "unknown body or organisation 'cabinet'",
            id="milestone-agreement-of-unknown",
        ),
        pytest.param(
            'depends_on = ["approve"]',
            'depends_on = ["operate"]',
            "committees[jc].milestones[operate].depends_on",
            "'operate' is not a milestone planned before this one",
            id="milestone-depends-on-itself-or-later",
        ),
        pytest.param(
            'milestone_id = "operate"',
            'milestone_id = "approve"',
            "committees[jc].milestones[approve].milestone_id",
            "is planned more than once",
            id="milestone-planned-twice",
        ),
        pytest.param(
            'reports_to = ["upward", "a"]',
            'reports_to = ["hwbb"]',
            "committees[jc].reports_to",
            "unknown body or organisation 'hwbb'",
            id="committee-reports-to-unknown",
        ),
        pytest.param(
            'slug = "jc"',
            'slug = "exec"',
            "committees[exec].slug",
            "'exec' is already a body or organisation",
            id="committee-slug-taken-by-a-body",
        ),
        pytest.param(
            'clause = "CDCPE ToR §10"\n',
            'clause = "CDCPE ToR §10"\n\n[bodies.deadlines.agenda_issue]\ndays = 3\n'
            'count = "fortnightly"\nwords = "three days"\nclause = "CDCPE ToR §5"\n',
            "bodies[exec].deadlines.agenda_issue.count",
            "Input should be 'calendar', 'clear' or 'working'",
            id="deadline-counted-in-unknown-days",
        ),
        pytest.param(
            'slug = "test-partnership"',
            'slug = "test-partnership"\nbank_holidays = "wales-only"',
            "bank_holidays",
            "'wales-only' is not one of england-and-wales, scotland, northern-ireland",
            id="bank-holidays-of-unknown-region",
        ),
        pytest.param(
            "target_on = 2030-01-31",
            'target_on = "end of January"',
            "committees[jc].milestones[approve].target_on",
            "Input should be a valid date",
            id="milestone-target-not-a-date",
        ),
    ],
)
def test_broken_file_refused_naming_file_field_and_problem(
    tmp_path: Path, old: str, new: str, field: str, problem: str
) -> None:
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(ConfigError) as caught:
        load_partnership_file(path)
    error = caught.value
    assert error.file == "test-partnership.toml"
    assert error.field == field
    assert problem in error.problem
    assert str(error).startswith(f"test-partnership.toml: {field}: ")


def test_missing_file_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope.toml: \(file\): cannot be read"):
        load_partnership_file(tmp_path / "nope.toml")


def test_shipped_files_pass_the_same_checks(tmp_path: Path) -> None:
    """Every shipped file also loads through the path used for edited files."""
    for slug in partnership_slugs():
        source = resources.files("domain.partnerships").joinpath(f"{slug}.toml")
        with resources.as_file(source) as shipped:
            copy = Path(shutil.copy(shipped, tmp_path / f"{slug}.toml"))
        assert load_partnership_file(copy) == load_partnership(slug)


@pytest.mark.parametrize("slug", partnership_slugs())
def test_a_partnership_read_without_its_calendar_is_the_same_but_counts_no_working_days(
    slug: str,
) -> None:
    """What an audit trail or an export reads: everything but the bank holidays, whose region
    is kept, and a working day is not counted from an empty calendar."""
    full = load_partnership(slug)
    bare = load_partnership(slug, calendar=False)
    assert full.bank_holidays.days and not bare.bank_holidays.days
    assert bare.bank_holidays.region == full.bank_holidays.region
    assert bare.model_copy(update={"bank_holidays": full.bank_holidays}) == full
    with pytest.raises(DomainError, match="bank holidays of 2024 are not known"):
        is_working_day(date(2024, 1, 2), bare.bank_holidays)

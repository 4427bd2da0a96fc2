"""Unit tests of every rule, each naming its source clause."""

from datetime import date

import pytest

from domain.bodies import Body, DecisionRuleKind
from domain.errors import DomainError
from domain.events import ConflictRuling
from domain.organisations import Annex1Category, Sector
from domain.partnership import Partnership
from domain.rules import dates, thresholds, voting
from domain.rules.conflicts import apply_rulings
from domain.rules.eligibility import Annex1Element, category_applies, eligible_organisations
from domain.rules.exits import exit_effect
from domain.rules.quorum import Attendance, QuorumStatus, assess_quorum

HEALTH = ["icb-director-place-based-delivery", "cddft-chief-executive", "tewv-chief-executive"]
SOCIAL = ["dcc-director-adults-health"]


def present(*seats: str, deputy: bool = False) -> list[Attendance]:
    return [Attendance(seat=s, deputy=deputy) for s in seats]


# ---------------------------------------------------------------- quorum, CDCPE ToR §10


@pytest.fixture
def cdcpe(county_durham: Partnership) -> Body:
    return county_durham.body("cdcpe")


def test_quorum_four_across_health_and_social_care_000_tor_s10(cdcpe: Body) -> None:
    result = assess_quorum(cdcpe, present(*HEALTH, *SOCIAL))
    assert result.status is QuorumStatus.QUORATE
    assert result.is_quorate


def test_quorum_four_health_only_is_quorate_but_without_social_care_000_tor_s10(
    cdcpe: Body,
) -> None:
    result = assess_quorum(cdcpe, present(*HEALTH, "director-of-place"))
    assert result.status is QuorumStatus.QUORATE_WITHOUT_SOCIAL_CARE
    assert result.status.value == "quorate, but without social care"
    assert result.is_quorate


def test_quorum_without_health_000_tor_s10(cdcpe: Body) -> None:
    seats = ["dcc-director-adults-health", "dcc-director-childrens-services",
             "director-integrated-community-services", "healthwatch-chair"]  # fmt: skip
    assert assess_quorum(cdcpe, present(*seats)).status is QuorumStatus.QUORATE_WITHOUT_HEALTH


def test_three_members_not_quorate_000_tor_s10(cdcpe: Body) -> None:
    result = assess_quorum(cdcpe, present(*HEALTH[:2], *SOCIAL))
    assert result.status is QuorumStatus.NOT_QUORATE
    assert not result.is_quorate


def test_deputies_count_where_allowed_000_tor_s3_s10(cdcpe: Body) -> None:
    assert assess_quorum(cdcpe, present(*HEALTH, *SOCIAL, deputy=True)).is_quorate
    strict = cdcpe.model_copy(update={"deputies_allowed": False})
    result = assess_quorum(strict, present(*HEALTH, *SOCIAL, deputy=True))
    assert result.status is QuorumStatus.NOT_QUORATE
    assert "does not allow" in result.not_counted[0]


def test_attendees_who_are_not_members_do_not_count_000_tor_s3(cdcpe: Body) -> None:
    result = assess_quorum(cdcpe, present(*HEALTH, "necs-in-attendance"))
    assert result.status is QuorumStatus.NOT_QUORATE


def test_unknown_or_repeated_seat_refused(cdcpe: Body) -> None:
    with pytest.raises(DomainError, match="not a seat on cdcpe"):
        assess_quorum(cdcpe, present("mayor"))
    with pytest.raises(DomainError, match="listed more than once"):
        assess_quorum(cdcpe, present(*HEALTH, HEALTH[0]))


def test_mandatory_mix_makes_missing_side_not_quorate(cdcpe: Body) -> None:
    assert cdcpe.quorum is not None
    rule = cdcpe.quorum.model_copy(update={"mix_where_possible": False})
    strict = cdcpe.model_copy(update={"quorum": rule})
    assert assess_quorum(strict, present(*HEALTH, "director-of-place")).status is (
        QuorumStatus.NOT_QUORATE
    )


def test_body_without_quorum_rule(county_durham: Partnership) -> None:
    forum = county_durham.body("partnership-forum")
    assert assess_quorum(forum, []).status is QuorumStatus.NO_QUORUM_RULE


# ------------------------------------------------------------------------- thresholds


def test_consensus_003_s8_3() -> None:
    assert thresholds.consensus(["a", "b"], []).carried
    assert not thresholds.consensus(["a", "b"], ["b"]).carried
    assert not thresholds.consensus([], []).carried
    with pytest.raises(DomainError, match="only members present can object"):
        thresholds.consensus(["a"], ["z"])


def test_eligible_majority_counts_only_eligible_affected_present_003_s8_10() -> None:
    result = thresholds.eligible_majority(
        present=["a", "b", "c", "x"], eligible=["a", "b", "c"], affected=["a", "b", "c", "y"],
        in_favour=["a", "x", "y"],
    )  # fmt: skip
    assert (result.in_favour, result.counted, result.required) == (1, 3, 2)
    assert not result.carried
    assert "not counted" in result.explanation
    assert thresholds.eligible_majority(
        ["a", "b", "c"], ["a", "b", "c"], ["a", "b"], ["a", "b"]
    ).carried
    assert not thresholds.eligible_majority(
        ["a", "b", "c"], ["a", "b", "c"], ["a", "b"], ["a"]
    ).carried


def test_simple_majority_003_s8_10_4() -> None:
    assert thresholds.simple_majority(["a", "b", "c"], ["a", "b"]).carried
    assert not thresholds.simple_majority(["a", "b", "c", "d"], ["a", "b"]).carried


@pytest.mark.parametrize(
    ("votes", "eligible", "carried"),
    [(3, 4, True), (2, 3, False), (7499, 10000, False), (7500, 10000, True), (0, 0, False)],
)
def test_three_quarters_boundary_003_s8_4(votes: int, eligible: int, carried: bool) -> None:
    members = [f"m{i}" for i in range(eligible)]
    assert thresholds.three_quarters_of_eligible(members, members[:votes]).carried is carried


def test_unanimity_of_signatories_000_s25_003_s10_1() -> None:
    assert thresholds.unanimity(["a", "b"], ["a", "b"]).carried
    refused = thresholds.unanimity(["a", "b"], ["a", "b"], ["b"])
    assert not refused.carried and "refused by b" in refused.explanation
    missing = thresholds.unanimity(["a", "b"], ["a"])
    assert not missing.carried and "no written agreement from b" in missing.explanation


# -------------------------------------------------------------- eligibility, MSE MoU 2020 Annex 1


def test_annex1_matrix_003_annex1() -> None:
    element = Annex1Element.NHS_CAPITAL_AND_TRANSFORMATION_FUNDS
    assert category_applies(Annex1Category.CCG, element)
    assert category_applies(Annex1Category.NHSE_NHSI, element)
    assert not category_applies(Annex1Category.COUNCIL, element)
    assert not category_applies(Annex1Category.OTHER_PARTNER, element)
    mutual = Annex1Element.MUTUAL_ACCOUNTABILITY
    assert category_applies(Annex1Category.COUNCIL, mutual)
    assert not category_applies(Annex1Category.HEALTHWATCH, mutual)
    support = Annex1Element.NATIONAL_AND_REGIONAL_SUPPORT
    assert category_applies(Annex1Category.COUNCIL, support)
    assert not category_applies(Annex1Category.HEALTHWATCH, support)
    for category in Annex1Category:
        assert category_applies(category, Annex1Element.COLLECTIVE_AGREEMENT_AND_ISSUE_RESOLUTION)


def test_provide_cic_not_eligible_for_capital_003_annex1_footnote(
    mid_south_essex: Partnership,
) -> None:
    eligible = eligible_organisations(
        mid_south_essex.organisations, Annex1Element.NHS_CAPITAL_AND_TRANSFORMATION_FUNDS
    )
    assert "msft" in eligible and "nhs-england" in eligible
    assert "provide-cic" not in eligible and "essex-cc" not in eligible
    assert len(eligible) == 11  # 5 CCGs, 4 NHS providers (not Provide CIC), NHS England and NHSI


def test_partnership_without_annex1_everyone_eligible(county_durham: Partnership) -> None:
    eligible = eligible_organisations(
        county_durham.organisations, Annex1Element.NHS_CAPITAL_AND_TRANSFORMATION_FUNDS
    )
    assert eligible == set(county_durham.signatories)


# ------------------------------------------------------------ conflicts, CDCPE ToR §6


def test_conflict_rulings_effect_on_quorum_and_vote_000_tor_s6(cdcpe: Body) -> None:
    seats = [*HEALTH, *SOCIAL, "director-of-place"]
    rulings = {
        "tewv-chief-executive": ConflictRuling.LEAVE,
        "cddft-chief-executive": ConflictRuling.DISCUSS_NOT_DECIDE,
        "director-of-place": ConflictRuling.TAKE_PART,
    }
    result = apply_rulings(cdcpe, "item 4", present(*seats), rulings)
    assert "tewv-chief-executive" not in result.discussing
    assert "cddft-chief-executive" in result.discussing
    assert "cddft-chief-executive" not in result.deciding
    assert "director-of-place" in result.deciding
    assert len(result.deciding) == 3
    assert result.quorum.status is QuorumStatus.NOT_QUORATE


def test_conflicted_chair_replaced_for_the_item_000_tor_s6(cdcpe: Body) -> None:
    chair = "icb-director-place-based-delivery"
    assert cdcpe.chair == chair
    result = apply_rulings(
        cdcpe, "item 5", present(*HEALTH, *SOCIAL), {chair: ConflictRuling.DISCUSS_NOT_DECIDE}
    )
    assert result.chair_replaced
    assert result.chair == "cddft-chief-executive"
    unconflicted = apply_rulings(cdcpe, "item 5", present(*HEALTH, *SOCIAL), {})
    assert unconflicted.chair == chair and not unconflicted.chair_replaced


def test_conflicted_chair_with_nobody_to_replace_refused_000_tor_s6(cdcpe: Body) -> None:
    chair = "icb-director-place-based-delivery"
    with pytest.raises(DomainError, match="no non-conflicted member"):
        apply_rulings(cdcpe, "item", present(chair), {chair: ConflictRuling.LEAVE})


def test_ruling_for_absent_member_refused(cdcpe: Body) -> None:
    with pytest.raises(DomainError, match="not present"):
        apply_rulings(cdcpe, "item", present(*HEALTH), {"healthwatch-chair": ConflictRuling.LEAVE})


# ----------------------------------------------------------------------------- dates


def test_agenda_request_ten_days_000_tor_s5() -> None:
    meeting = date(2022, 10, 20)
    assert dates.agenda_request_deadline(meeting) == date(2022, 10, 10)
    assert dates.agenda_request_in_time(date(2022, 10, 10), meeting)
    assert not dates.agenda_request_in_time(date(2022, 10, 11), meeting)


def test_agenda_issued_three_days_000_tor_s5() -> None:
    meeting = date(2022, 10, 20)
    assert dates.agenda_issue_deadline(meeting) == date(2022, 10, 17)
    assert dates.agenda_issued_in_time(date(2022, 10, 17), meeting)
    assert not dates.agenda_issued_in_time(date(2022, 10, 18), meeting)


def test_first_review_within_a_year_000_s24() -> None:
    assert dates.first_review_due(date(2022, 8, 23)) == date(2023, 8, 23)
    assert dates.first_review_due(date(2024, 2, 29)) == date(2025, 2, 28)


def test_next_review_12_months_after_a_review_000_s24() -> None:
    assert dates.next_review_due(date(2023, 3, 1)) == date(2024, 3, 1)
    assert dates.next_review_due(date(2024, 2, 29)) == date(2025, 2, 28)


def test_review_due_within_the_policy_window_after_an_exit_or_sooner_000_s27() -> None:
    exit_on = date(2023, 3, 1)
    assert dates.review_due_after_exit(exit_on, date(2023, 8, 23), 90) == date(2023, 5, 30)
    assert dates.review_due_after_exit(exit_on, date(2023, 4, 1), 90) == date(2023, 4, 1)
    assert dates.review_due_after_exit(exit_on, date(2023, 5, 30), 90) == date(2023, 5, 30)
    assert dates.review_due_after_exit(exit_on, None, 30) == date(2023, 3, 31)


def test_tor_review_date_1_april_2023_000_tor() -> None:
    by = date(2023, 4, 1)
    assert not dates.tor_review_overdue(by, date(2023, 4, 1))
    assert dates.tor_review_overdue(by, date(2023, 4, 2))
    assert not dates.tor_review_overdue(by, date(2023, 5, 1), reviewed_on=date(2023, 3, 15))


def test_declarations_reviewed_six_monthly_000_tor_s6() -> None:
    assert dates.next_declaration_review(date(2022, 8, 31)) == date(2023, 2, 28)


def test_review_opens_with_lead_time_policy() -> None:
    assert dates.review_opens_on(date(2023, 8, 23), 56) == date(2023, 6, 28)


# ----------------------------------------------------------------- exit effect, CDCP MoU §27


def test_exit_effect_flags_bodies_that_cannot_be_quorate_000_s27(
    county_durham: Partnership,
) -> None:
    effect = exit_effect(county_durham.bodies, ["tewv"])
    by_body = {b.body: b for b in effect.bodies}
    assert set(by_body) == {"cdcpe", "cyp-board", "mhld-board"}
    assert by_body["cdcpe"].voting_before == 16 and by_body["cdcpe"].voting_after == 15
    assert by_body["mhld-board"].chair_lost
    assert effect.cannot_be_quorate == ()
    two = exit_effect(county_durham.bodies, ["tewv", "dcc"])
    assert "mhld-board" in two.cannot_be_quorate
    mhld = next(b for b in two.bodies if b.body == "mhld-board")
    assert mhld.sectors_lost == (Sector.SOCIAL_CARE,)


def test_decision_rule_lookup(county_durham: Partnership) -> None:
    assert county_durham.body("cdcpe").decision_rule(DecisionRuleKind.SIMPLE_MAJORITY) is not None
    assert county_durham.body("cdcpe").decision_rule(DecisionRuleKind.UNANIMITY) is None


# ------------------------------------------------------- counting votes, domain.rules.voting


def test_unanimity_counts_the_signatories_when_named_else_those_deciding(cdcpe: Body) -> None:
    deciding = tuple(HEALTH + SOCIAL)
    of_members = voting.count_votes(
        DecisionRuleKind.UNANIMITY,
        None,
        cdcpe,
        voting.Ballot(deciding=deciding, in_favour=deciding),
        organisations=(),
        partnership="county-durham",
    )
    assert of_members.voters == deciding and of_members.outcome.carried
    of_signatories = voting.count_votes(
        DecisionRuleKind.UNANIMITY,
        None,
        cdcpe,
        voting.Ballot(deciding=deciding, in_favour=deciding, signatories=("icb", "dcc")),
        organisations=(),
        partnership="county-durham",
    )
    assert of_signatories.voters == ("icb", "dcc") and of_signatories.available == 2
    assert not of_signatories.outcome.carried


def test_a_majority_of_affected_partners_needs_them_named_003_s8_10_2(
    county_durham: Partnership, cdcpe: Body
) -> None:
    def count(affected: tuple[str, ...]) -> voting.VoteCount:
        return voting.count_votes(
            DecisionRuleKind.ELIGIBLE_MAJORITY,
            None,
            cdcpe,
            voting.Ballot(deciding=tuple(HEALTH), affected=affected),
            organisations=county_durham.organisations,
            partnership=county_durham.slug,
        )

    with pytest.raises(DomainError, match=r"name the partners affected"):
        count(())
    with pytest.raises(DomainError, match=r"'nowhere' is not an organisation of county-durham"):
        count(("nowhere",))
    assert count(("cddft", "tewv")).voters == ("cddft", "tewv")

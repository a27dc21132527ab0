"""Team insight: the style map, friction between members, what the team may under-weigh, a joiner's briefing."""

from __future__ import annotations

from datetime import date

import pytest

from kairos.domain.style import AssessmentResult, Instrument, StyleDimension, StyleFact, StyleProfile
from kairos.profiles.mapping import build_profile, default_style_mapping
from kairos.profiles.team import JoinerBriefing, TeamInsight, joiner_briefing, team_insight

PACE, DIRECTNESS, DETAIL = StyleDimension.PACE, StyleDimension.DIRECTNESS, StyleDimension.DETAIL
NAMES = {"ana": "Ana", "ben": "Ben", "cho": "Cho", "dev": "Dev", "eve": "Eve", "zed": "Zed"}


def fact(person: str, dimension: StyleDimension, lean: float, statement: str = "tends to work this way") -> StyleFact:
    return StyleFact(person, dimension, statement, Instrument.DISC, "evidence", f"{dimension.value}-rule", lean=lean)


def leaning(person: str, **leans: float) -> StyleProfile:
    return StyleProfile(person, tuple(fact(person, StyleDimension(d), v) for d, v in leans.items()), (Instrument.DISC,))


def strengths(person: str, *themes: str) -> StyleProfile:
    result = AssessmentResult(person, Instrument.CLIFTONSTRENGTHS, date(2025, 1, 1), "strengths.csv", ranking=themes)
    return build_profile(person, [result], default_style_mapping())


def all_text(insight: TeamInsight | JoinerBriefing) -> str:
    """Every sentence an insight would show a reader."""
    if isinstance(insight, TeamInsight):
        lines = [*insight.under_weighed, *(p.line for p in insight.friction)]
        texts = [s.summary for s in insight.style_map] + [line.text for line in lines]
    else:
        lines = [*insight.compared, *insight.for_team, *insight.for_newcomer, *(p.line for p in insight.friction)]
        texts = [line.text for line in lines]
    return "\n".join([*texts, *insight.notes])


def test_the_style_map_counts_members_on_each_side_of_each_dimension() -> None:
    team = {
        "ana": leaning("ana", pace=0.7, detail=0.5),
        "ben": leaning("ben", pace=0.4),
        "cho": leaning("cho", pace=-0.6),
        "dev": leaning("dev", pace=0.1),
    }
    pace = next(s for s in team_insight(team, NAMES).style_map if s.dimension is PACE)
    assert (pace.high, pace.low, pace.between, pace.no_lean) == (("ana", "ben"), ("cho",), ("dev",), 0)
    assert pace.summary == "Pace: 2 lean toward quick action, 1 leans toward a measured pace, 1 in between."
    detail = next(s for s in team_insight(team, NAMES).style_map if s.dimension is DETAIL)
    assert detail.no_lean == 3 and detail.summary.endswith("; 3 members without data on it.")


def test_a_withheld_member_is_counted_but_never_named() -> None:
    team = {"ana": leaning("ana", pace=0.8), "ben": leaning("ben", pace=-0.7)}
    insight = team_insight(team, NAMES, withheld=1)  # Zed's name is in the roster the caller passed
    assert insight.withheld == 1 and "1 more member is not shown here." in insight.notes
    assert "Zed" not in all_text(insight) and "zed" not in insight.names
    assert all(f.person_id in team for f in insight.facts)
    briefing = joiner_briefing(insight, "ana")
    assert "1 more member is not included in the comparison." in briefing.notes
    assert "Zed" not in all_text(briefing)


def test_a_member_without_data_is_counted_but_not_named() -> None:
    team = {"ana": leaning("ana", pace=0.8), "ben": leaning("ben", pace=-0.7), "eve": StyleProfile("eve")}
    insight = team_insight(team, NAMES)
    assert insight.members == ("ana", "ben") and insight.without_data == 1
    assert "1 member shown here has no style data yet." in insight.notes
    assert "Eve" not in all_text(insight)


def test_the_strongest_pairwise_differences_are_listed_as_friction_with_their_facts() -> None:
    team = {
        "ana": leaning("ana", pace=0.8, directness=0.6),
        "ben": leaning("ben", pace=-0.7, directness=-0.5),
        "cho": leaning("cho", pace=0.2),  # too slight a lean to rub against anyone
    }
    friction = team_insight(team, NAMES).friction
    assert [(p.a, p.b, p.line.dimension) for p in friction] == [("ana", "ben", PACE), ("ana", "ben", DIRECTNESS)]
    assert friction[0].line.weight == pytest.approx(1.5)
    assert {f.person_id for f in friction[0].line.facts} == {"ana", "ben"}
    assert "Ana" in friction[0].line.text and "Ben" in friction[0].line.text


def test_at_most_the_asked_number_of_frictions_is_listed() -> None:
    team = {p: leaning(p, pace=0.8 if i % 2 else -0.8) for i, p in enumerate(("ana", "ben", "cho", "dev", "eve"))}
    assert len(team_insight(team, NAMES, max_pairs=2).friction) == 2


def test_nobody_leaning_toward_detail_is_something_the_team_may_under_weigh() -> None:
    team = {"ana": leaning("ana", detail=-0.6), "ben": leaning("ben", detail=-0.4), "cho": leaning("cho", detail=0.1)}
    (gap,) = team_insight(team, NAMES).under_weighed
    assert gap.text == (
        "Nobody here leans toward detail and data first, so the team may under-weigh "
        "checking the numbers, the risks and the edge cases."
    )
    assert {f.person_id for f in gap.facts} == {"ana", "ben", "cho"}


def test_a_single_member_with_data_says_nothing_about_what_the_team_under_weighs() -> None:
    assert team_insight({"ana": leaning("ana", detail=-0.6)}, NAMES).under_weighed == ()


def test_a_cliftonstrengths_domain_nobody_leads_with_is_something_the_team_may_under_weigh() -> None:
    team = {
        "ana": strengths("ana", "Achiever", "Focus", "Analytical", "Learner", "Woo"),
        "ben": strengths("ben", "Command", "Activator", "Discipline", "Input", "Relator"),
        "cho": leaning("cho", pace=0.2),  # no CliftonStrengths results: not counted for domains
    }
    gaps = [line.text for line in team_insight(team, NAMES).under_weighed if "CliftonStrengths" in line.text]
    assert gaps == [
        "None of the 2 members with CliftonStrengths results leads with Relationship Building themes, so the team "
        "may under-weigh holding the team together and noticing who needs support."
    ]


def test_a_team_with_no_data_shown_says_there_is_not_enough_to_go_on() -> None:
    insight = team_insight({"eve": StyleProfile("eve")}, NAMES, withheld=3)
    assert insight.members == () and insight.friction == () and insight.under_weighed == ()
    assert "No member shown here has style data, so there is not enough to go on." in insight.notes
    assert "3 more members are not shown here." in insight.notes


def test_the_joiner_briefing_compares_the_newcomer_with_the_team_in_counts() -> None:
    team = {
        "ana": leaning("ana", pace=0.7),
        "ben": leaning("ben", pace=0.5),
        "cho": leaning("cho", pace=0.1),
        "dev": leaning("dev", pace=-0.6, detail=0.7),
    }
    briefing = joiner_briefing(team_insight(team, NAMES), "dev")
    (compared,) = [line for line in briefing.compared if line.dimension is PACE]
    assert compared.text == (
        "On pace, Dev leans toward a measured pace; of the 3 others with data on it, 0 lean the same way, "
        "2 lean toward quick action and 1 is in between."
    )
    assert {f.person_id for f in compared.facts} == {"ana", "ben", "cho", "dev"}
    for line in (*briefing.compared, *briefing.for_newcomer):
        assert not any(name in line.text for name in ("Ana", "Ben", "Cho"))


def test_the_joiner_briefing_says_what_the_team_and_the_newcomer_can_do() -> None:
    team = {
        "ana": leaning("ana", pace=0.7),
        "ben": leaning("ben", pace=0.3),  # on the same side as Ana, but not far enough from Dev to rub
        "dev": StyleProfile("dev", (fact("dev", PACE, -0.6, "tends to want time to think"),), (Instrument.DISC,)),
    }
    briefing = joiner_briefing(team_insight(team, NAMES), "dev")
    assert briefing.enough
    assert briefing.for_team[0].text == (
        "Dev tends to want time to think: give Dev time to think before you ask for a decision."
    )
    assert briefing.for_newcomer[0].text == (
        "Most of the team (2 of 2) leans toward quick action: come with a proposal and a date, "
        "and keep the discussion moving."
    )
    assert {f.person_id for f in briefing.for_newcomer[0].facts} == {"ana", "ben"}
    assert [(p.a, p.b) for p in briefing.friction] == [("dev", "ana")]


def test_a_newcomer_without_data_gets_a_briefing_that_says_there_is_not_enough() -> None:
    team = {"ana": leaning("ana", pace=0.7), "dev": StyleProfile("dev")}
    briefing = joiner_briefing(team_insight(team, NAMES), "dev")
    assert not briefing.enough and briefing.facts == ()
    assert briefing.notes == (
        "There is no style data on the newcomer that can be shown here, so there is not enough to go on.",
    )


def test_a_newcomer_whose_profile_is_withheld_is_not_named() -> None:
    briefing = joiner_briefing(team_insight({"ana": leaning("ana", pace=0.7)}, NAMES, withheld=1), "zed")
    assert not briefing.enough and "Zed" not in all_text(briefing)

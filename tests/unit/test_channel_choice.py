"""The rule that picks one channel per nudge: opt-outs first, then the person's choice, then the organization's
order, else nothing (the inbox)."""

from __future__ import annotations

from kairos.domain.preferences import Preference, choose_channel

ORDER = ["slack", "teams", "email"]
ENABLED = ["slack", "email", "matrix"]


def reaches_all(name: str) -> bool:
    return True


def test_without_a_preference_the_first_enabled_channel_in_the_organizations_order_that_reaches_them() -> None:
    route = choose_channel(None, ORDER, ENABLED, reaches_all)
    assert route.channel == "slack" and "organization" in route.reason


def test_a_channel_that_cannot_reach_them_is_passed_over() -> None:
    route = choose_channel(None, ORDER, ENABLED, lambda name: name != "slack")
    assert route.channel == "email"


def test_their_own_choice_wins_even_outside_the_organizations_order() -> None:
    route = choose_channel(Preference("p", channel="matrix"), ORDER, ENABLED, reaches_all)
    assert route.channel == "matrix" and route.reason == "matrix is your chosen channel"


def test_an_opt_out_is_never_overridden_by_the_order() -> None:
    route = choose_channel(Preference("p", opted_out=frozenset({"slack"})), ORDER, ENABLED, reaches_all)
    assert route.channel == "email"


def test_a_chosen_channel_that_cannot_reach_them_falls_back_and_says_so() -> None:
    route = choose_channel(Preference("p", channel="matrix"), ORDER, ENABLED, lambda name: name != "matrix")
    assert route.channel == "slack" and "cannot reach you yet" in route.reason


def test_a_chosen_channel_the_operator_has_not_enabled_falls_back_and_says_so() -> None:
    route = choose_channel(Preference("p", channel="teams"), ORDER, ENABLED, reaches_all)
    assert route.channel == "slack" and "not enabled" in route.reason


def test_opting_out_of_every_reachable_channel_leaves_nothing_and_names_the_opt_outs() -> None:
    pref = Preference("p", opted_out=frozenset({"slack", "email"}))
    route = choose_channel(pref, ORDER, ENABLED, reaches_all)
    assert route.channel is None and "opted out of email, slack" in route.reason


def test_a_stored_contradiction_choice_and_opt_out_of_it_honours_the_opt_out() -> None:
    pref = Preference("p", channel="slack", opted_out=frozenset({"slack"}))
    assert choose_channel(pref, ORDER, ENABLED, reaches_all).channel == "email"

"""Feedback and reviews: 360 campaigns and their anonymity rules, reviews, check-ins, development plans, skill gaps.

Everything here is pure: no clock, no database. The anonymity rules decide what a 360 report may
show; the importers guarantee what they rely on (at most one rating per rater, subject and
competency, so the ratings in a cell are as many as the raters who gave them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any


class RaterGroup(StrEnum):
    """Who gave a 360 rating, relative to the person rated (the subject)."""

    SELF = "self"
    MANAGER = "manager"
    PEER = "peer"
    DIRECT_REPORT = "direct_report"


# The group small peer and direct-report groups are merged into, in reports only.
OTHERS = "others"
# Groups shown whatever their size: the subject knows who they are anyway.
ALWAYS_SHOWN = (RaterGroup.SELF, RaterGroup.MANAGER)
# Groups that need the minimum number of raters, and may be merged into OTHERS.
PROTECTED = (RaterGroup.PEER, RaterGroup.DIRECT_REPORT)
GROUP_ORDER = (RaterGroup.SELF.value, RaterGroup.MANAGER.value, RaterGroup.PEER.value,
               RaterGroup.DIRECT_REPORT.value, OTHERS)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Scale:
    """The rating scale a campaign declared, both ends included (e.g. 1–5)."""

    low: int
    high: int

    def __contains__(self, value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and self.low <= value <= self.high

    def __str__(self) -> str:
        return f"{self.low}–{self.high}"


@dataclass(frozen=True, slots=True)
class Campaign:
    id: str
    name: str
    start_date: date
    end_date: date
    scale: Scale


@dataclass(frozen=True, slots=True)
class Rating:
    """One rater's rating of one competency of the subject. It names the rater's group, never the rater."""

    competency_id: str
    group: RaterGroup
    value: int


@dataclass(frozen=True, slots=True)
class Comment:
    """A free-text comment; ``competency_id`` is None for a general comment. Never attributed."""

    competency_id: str | None
    text: str


@dataclass(frozen=True, slots=True)
class Response:
    """Everything one rater said about one subject in a campaign, as imported (the rater id included)."""

    subject_id: str
    rater_id: str
    group: RaterGroup
    ratings: tuple[tuple[str, int], ...]  # (competency_id, value)
    comments: tuple[Comment, ...]


# --- the anonymized 360 report ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GroupScore:
    """A shown group: how many raters it has for this competency and their mean rating."""

    group: str  # a RaterGroup value, or OTHERS
    raters: int
    mean: float
    merged: tuple[str, ...] = ()  # for OTHERS: the groups it merges, never their sizes


@dataclass(frozen=True, slots=True)
class CompetencyResult:
    competency_id: str
    groups: tuple[GroupScore, ...]
    withheld: tuple[str, ...]  # groups with too few raters to show even merged; no numbers are kept


@dataclass(frozen=True, slots=True)
class AppliedRule:
    """One anonymity rule that shaped the report, and what it did."""

    rule: str
    detail: str
    competency_id: str | None = None


@dataclass(frozen=True, slots=True)
class FeedbackReport:
    campaign_id: str
    campaign_name: str
    subject_id: str
    scale: Scale
    min_raters: int
    min_comment_raters: int
    competencies: tuple[CompetencyResult, ...]
    comments_shown: bool
    comments: tuple[Comment, ...]  # empty unless shown; sorted by competency, then text
    rules: tuple[AppliedRule, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "campaign": {"id": self.campaign_id, "name": self.campaign_name},
            "subject_id": self.subject_id,
            "scale": {"low": self.scale.low, "high": self.scale.high},
            "thresholds": {"min_raters": self.min_raters, "min_comment_raters": self.min_comment_raters},
            "competencies": [
                {
                    "competency_id": c.competency_id,
                    "groups": [
                        {"group": g.group, "raters": g.raters, "mean": g.mean}
                        | ({"merged": list(g.merged)} if g.merged else {})
                        for g in c.groups
                    ],
                    "withheld": list(c.withheld),
                }
                for c in self.competencies
            ],
            "comments_shown": self.comments_shown,
            "comments": [{"competency_id": c.competency_id, "text": c.text} for c in self.comments],
            "rules": [
                {"rule": r.rule, "detail": r.detail} | ({"competency_id": r.competency_id} if r.competency_id else {})
                for r in self.rules
            ],
        }


@dataclass(frozen=True, slots=True)
class _Partition:
    shown: tuple[tuple[str, tuple[int, ...], tuple[str, ...]], ...]  # (group, values, merged groups)
    merged: tuple[str, ...]
    withheld: tuple[str, ...]


def _partition(cells: Mapping[RaterGroup, Sequence[int]], min_raters: int) -> _Partition:
    """The anonymity rule for one competency: which groups are shown, merged into OTHERS, or withheld."""
    shown: list[tuple[str, tuple[int, ...], tuple[str, ...]]] = []
    for group in ALWAYS_SHOWN:
        if cells.get(group):
            shown.append((group.value, tuple(cells[group]), ()))
    small: list[RaterGroup] = []
    for group in PROTECTED:
        values = cells.get(group, ())
        if not values:
            continue
        if len(values) >= min_raters:
            shown.append((group.value, tuple(values), ()))
        else:
            small.append(group)
    pooled = tuple(v for group in small for v in cells[group])
    if small and len(pooled) >= min_raters:
        names = tuple(g.value for g in small)
        shown.append((OTHERS, pooled, names))
        return _Partition(tuple(shown), names, ())
    return _Partition(tuple(shown), (), tuple(g.value for g in small))


def _cells(ratings: Iterable[Rating]) -> dict[str, dict[RaterGroup, list[int]]]:
    by_competency: dict[str, dict[RaterGroup, list[int]]] = {}
    for r in ratings:
        by_competency.setdefault(r.competency_id, {}).setdefault(r.group, []).append(r.value)
    return by_competency


def _mean(values: Sequence[int]) -> float:
    return round(sum(values) / len(values), 2)


def anonymized_report(
    campaign: Campaign,
    subject_id: str,
    ratings: Sequence[Rating],
    comments: Sequence[Comment],
    respondents: int,
    *,
    min_raters: int,
    min_comment_raters: int,
) -> FeedbackReport:
    """What a 360 report for ``subject_id`` may show.

    ``respondents`` is how many people other than the subject responded about them (rated or
    commented). For every competency: self and manager are shown as they are; a peer or
    direct-report group with at least ``min_raters`` raters is shown; the smaller ones are merged
    into ``others`` when together they reach ``min_raters``, and are withheld otherwise (no mean,
    no count). Comments are shown, unattributed and sorted, only when ``respondents`` reaches
    ``min_comment_raters``.
    """
    if min_raters < 1 or min_comment_raters < 1:
        raise ValueError("anonymity thresholds are at least 1")
    rules: list[AppliedRule] = [
        AppliedRule(
            "identities-never-shown",
            "raters are counted, never named; comments carry neither a name nor a rater group",
        ),
        AppliedRule(
            "minimum-group-size",
            f"peer and direct-report results need at least {min_raters} raters per competency; "
            "self and manager results are shown as they are",
        ),
    ]
    results: list[CompetencyResult] = []
    for competency_id, cells in sorted(_cells(ratings).items()):
        part = _partition(cells, min_raters)
        groups = tuple(GroupScore(g, len(values), _mean(values), merged) for g, values, merged in part.shown)
        results.append(CompetencyResult(competency_id, groups, part.withheld))
        if part.merged:
            rules.append(
                AppliedRule(
                    "merged-into-others",
                    f"{' and '.join(part.merged)} had fewer than {min_raters} raters each and are shown together "
                    f"as {OTHERS}",
                    competency_id,
                )
            )
        if part.withheld:
            rules.append(
                AppliedRule(
                    "withheld",
                    f"{' and '.join(part.withheld)} withheld: fewer than {min_raters} raters, even merged",
                    competency_id,
                )
            )
    shown = respondents >= min_comment_raters
    if not comments:
        rules.append(AppliedRule("comments-none", "no comments were given"))
    elif shown:
        rules.append(
            AppliedRule(
                "comments-shown",
                f"at least {min_comment_raters} people other than the subject responded; comments are shown "
                "unattributed, sorted by competency and text",
            )
        )
    else:
        rules.append(
            AppliedRule(
                "comments-withheld",
                f"comments are shown only when at least {min_comment_raters} people other than the subject "
                "responded; fewer did",
            )
        )
    shown_comments = (
        tuple(sorted(comments, key=lambda c: (c.competency_id is not None, c.competency_id or "", c.text)))
        if shown
        else ()
    )
    return FeedbackReport(
        campaign_id=campaign.id,
        campaign_name=campaign.name,
        subject_id=subject_id,
        scale=campaign.scale,
        min_raters=min_raters,
        min_comment_raters=min_comment_raters,
        competencies=tuple(results),
        comments_shown=shown and bool(comments),
        comments=shown_comments,
        rules=tuple(rules),
    )


# --- performance reviews, check-ins, development plans ----------------------------------------------


@dataclass(frozen=True, slots=True)
class ReviewGoal:
    competency_id: str
    target_level: int
    text: str


@dataclass(frozen=True, slots=True)
class Review:
    """A performance review: the reviewer (the manager), the ratings as evidence of level, the goals agreed."""

    person_id: str
    reviewer_id: str
    review_date: date
    summary: str
    ratings: tuple[tuple[str, int], ...]  # (competency_id, level)
    goals: tuple[ReviewGoal, ...]
    framework_id: str
    framework_version: str


class Severity(StrEnum):
    """How strongly a check-in flags a skill gap; NONE records the check-in without flagging a gap."""

    NONE = "none"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@dataclass(frozen=True, slots=True)
class CheckIn:
    person_id: str
    checkin_date: date
    competency_id: str
    severity: Severity
    note: str
    framework_id: str
    framework_version: str

    @property
    def flags_gap(self) -> bool:
        return self.severity is not Severity.NONE


@dataclass(frozen=True, slots=True)
class PlanAction:
    text: str
    due_date: date


@dataclass(frozen=True, slots=True)
class PlanItem:
    """One competency of a person's individual development plan: the level aimed at and the actions to get there."""

    competency_id: str
    target_level: int
    actions: tuple[PlanAction, ...]


@dataclass(frozen=True, slots=True)
class DevelopmentPlan:
    person_id: str
    items: tuple[PlanItem, ...]
    framework_id: str
    framework_version: str


# --- skill gap ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LevelEvidence:
    """Levels observed for one person and competency on a date: a review's rating, or a campaign's ratings."""

    source: str  # "review" or "360"
    on: date
    levels: tuple[int, ...] = field(default=())


def current_evidence(review: LevelEvidence | None, three_sixty: LevelEvidence | None) -> list[int]:
    """The evidence of a person's current level: the latest review rating, unless a 360 is strictly newer.

    The 360 evidence is the manager's and the other shown groups' ratings (never self, never a
    withheld group); an empty one does not count. On the same date the review wins.
    """
    candidates = [e for e in (review, three_sixty) if e is not None and e.levels]
    if not candidates:
        return []
    newest = max(candidates, key=lambda e: (e.on, e.source == "review"))
    return list(newest.levels)


def three_sixty_levels(ratings: Sequence[Rating], competency_id: str, min_raters: int) -> tuple[int, ...]:
    """The ratings of one competency that count as level evidence: manager and shown non-self groups."""
    cells = _cells(r for r in ratings if r.competency_id == competency_id).get(competency_id, {})
    part = _partition(cells, min_raters)
    return tuple(v for group, values, _ in part.shown if group != RaterGroup.SELF.value for v in values)


def skill_gap(expected_level: int | None, evidence_levels: list[int]) -> int | None:
    """How many levels the evidence is below the expected level; 0 when it meets or exceeds it.

    The current level is the mean of ``evidence_levels`` rounded to the nearest level, halves
    rounding down (a level counts once the evidence is more than half-way to it). None when there
    is no expected level or no evidence.
    """
    if expected_level is None or not evidence_levels:
        return None
    total, count = sum(evidence_levels), len(evidence_levels)
    # nearest whole level with halves down, in integers: floor((2·total + count − 1) / (2·count))
    current = (2 * total + count - 1) // (2 * count)
    return max(expected_level - current, 0)

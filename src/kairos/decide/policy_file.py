"""The policy file (``content/policy/default.yaml``): interventions per bottleneck, guardrails, what is learned.

Read into typed, frozen settings; every problem is reported with the file, the line and the key,
like any other input. A segment may only be built from operational attributes Kairos knows
(career stage, track): protected attributes are not stored with people, and the file cannot ask
for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kairos.domain.decision import Bottleneck, InterventionKind
from kairos.errors import InputError
from kairos.ingest.base import LineDict, Problems, load_yaml, read_text

SEGMENT_ATTRIBUTES = ("career_stage", "track")
REWARD_KEYS = ("practice_done", "commitment_kept", "manager_observation", "level_gain", "applied", "reflection",
               "rating_4_or_5", "learning_completed")  # fmt: skip
# What the adaptive choice may never learn its way into: these follow from rules, not from outcomes.
RULE_ONLY = (InterventionKind.PAUSE, InterventionKind.ESCALATION)


@dataclass(frozen=True, slots=True)
class Review:
    kinds: tuple[InterventionKind, ...]
    raised_challenge: bool
    performance_concern: bool


@dataclass(frozen=True, slots=True)
class Guardrails:
    max_same_kind_in_row: int
    pause_after_ignored: int
    coach_after_distress: bool
    escalate_after_stall_weeks: int
    raise_challenge_after_applied: int
    review: Review


@dataclass(frozen=True, slots=True)
class Adaptive:
    enabled: bool
    segment_by: tuple[str, ...]
    max_explore_share: float
    settle_after_days: int


@dataclass(frozen=True, slots=True)
class PolicyFile:
    id: str
    version: str
    optimizes: str
    interventions: dict[Bottleneck, tuple[InterventionKind, ...]]
    guardrails: Guardrails
    adaptive: Adaptive
    rewards: dict[str, float]
    source: str

    @property
    def label(self) -> str:
        return f"{self.id}@{self.version}"


class _Reader:
    def __init__(self, file: str) -> None:
        self.problems = Problems(file)

    def mapping(self, node: Any, key: str, where: str, row: int | None, keys: tuple[str, ...]) -> LineDict:
        value = node.get(key) if isinstance(node, LineDict) else None
        if not isinstance(value, LineDict):
            self.problems.add(f"a mapping with {', '.join(keys)}", row=row, field=where, value=value)
            return LineDict()
        for extra in value.keys() - set(keys):
            self.problems.add(f"one of {', '.join(keys)}", row=value.line_of(extra), field=f"{where}.{extra}",
                              value=extra)  # fmt: skip
        return value

    def number(self, node: LineDict, key: str, where: str, low: float, high: float, whole: bool = True) -> float:
        value = node.get(key)
        ok = isinstance(value, int | float) and not isinstance(value, bool) and low <= value <= high
        if not ok or (whole and not isinstance(value, int)):
            kind = "a whole number" if whole else "a number"
            self.problems.add(f"{kind} from {low:g} to {high:g}", row=node.line_of(key), field=f"{where}.{key}",
                              value=value)  # fmt: skip
            return low
        return float(value)  # type: ignore[arg-type]

    def flag(self, node: LineDict, key: str, where: str) -> bool:
        value = node.get(key)
        if not isinstance(value, bool):
            self.problems.add("true or false", row=node.line_of(key), field=f"{where}.{key}", value=value)
            return False
        return value

    def kinds(self, node: LineDict, key: str, where: str) -> tuple[InterventionKind, ...]:
        value = node.get(key)
        known = {k.value for k in InterventionKind}
        if not isinstance(value, list) or not all(isinstance(v, str) and v in known for v in value):
            self.problems.add(f"a list of intervention kinds ({', '.join(sorted(known))})", row=node.line_of(key),
                              field=f"{where}.{key}", value=value)  # fmt: skip
            return ()
        return tuple(InterventionKind(v) for v in value)


def parse_policy(text: str, file: str) -> PolicyFile:
    doc = load_yaml(text, file)
    r = _Reader(file)
    top = ("policy", "optimizes", "interventions", "guardrails", "adaptive", "rewards")
    if not isinstance(doc, LineDict):
        raise InputError.at(file, f"a mapping with {', '.join(top)}", row=1)
    for extra in doc.keys() - set(top):
        r.problems.add(f"one of {', '.join(top)}", row=doc.line_of(extra), field=extra, value=extra)
    head = r.mapping(doc, "policy", "policy", doc.line_of("policy"), ("id", "version"))
    ident, version = str(head.get("id", "")).strip(), str(head.get("version", "")).strip()
    if not ident or not version:
        r.problems.add("an id and a version", row=head.line if head else 1, field="policy", value=dict(head))
    optimizes = doc.get("optimizes")
    if not isinstance(optimizes, str) or not optimizes.strip():
        r.problems.add("a sentence saying what the policy optimizes", row=doc.line_of("optimizes"),
                       field="optimizes", value=optimizes)  # fmt: skip
        optimizes = ""
    names = tuple(b.value for b in Bottleneck)
    raw = r.mapping(doc, "interventions", "interventions", doc.line_of("interventions"), names)
    interventions: dict[Bottleneck, tuple[InterventionKind, ...]] = {}
    for bottleneck in Bottleneck:
        kinds = r.kinds(raw, bottleneck.value, "interventions") if bottleneck.value in raw else ()
        if not kinds:
            r.problems.add("at least one intervention kind", row=raw.line_of(bottleneck.value) if raw else None,
                           field=f"interventions.{bottleneck.value}", value=raw.get(bottleneck.value))  # fmt: skip
        interventions[bottleneck] = kinds
    if interventions.get(Bottleneck.OVERLOAD) and interventions[Bottleneck.OVERLOAD] != (InterventionKind.PAUSE,):
        r.problems.add("[pause]: an overloaded person gets a deliberate pause, nothing else",
                       row=raw.line_of("overload"), field="interventions.overload",
                       value=[k.value for k in interventions[Bottleneck.OVERLOAD]])  # fmt: skip
    g_keys = ("max_same_kind_in_row", "pause_after_ignored", "coach_after_distress", "escalate_after_stall_weeks",
              "raise_challenge_after_applied", "review")  # fmt: skip
    g = r.mapping(doc, "guardrails", "guardrails", doc.line_of("guardrails"), g_keys)
    rv = r.mapping(g, "review", "guardrails.review", g.line_of("review") if g else None,
                   ("kinds", "raised_challenge", "performance_concern"))  # fmt: skip
    guardrails = Guardrails(
        max_same_kind_in_row=int(r.number(g, "max_same_kind_in_row", "guardrails", 1, 10)),
        pause_after_ignored=int(r.number(g, "pause_after_ignored", "guardrails", 1, 20)),
        coach_after_distress=r.flag(g, "coach_after_distress", "guardrails"),
        escalate_after_stall_weeks=int(r.number(g, "escalate_after_stall_weeks", "guardrails", 1, 52)),
        raise_challenge_after_applied=int(r.number(g, "raise_challenge_after_applied", "guardrails", 1, 20)),
        review=Review(
            r.kinds(rv, "kinds", "guardrails.review"),
            r.flag(rv, "raised_challenge", "guardrails.review"),
            r.flag(rv, "performance_concern", "guardrails.review"),
        ),  # fmt: skip
    )
    a = r.mapping(doc, "adaptive", "adaptive", doc.line_of("adaptive"),
                  ("enabled", "method", "segment_by", "max_explore_share", "settle_after_days"))  # fmt: skip
    if a.get("method") != "thompson":
        r.problems.add("thompson (Beta posteriors per segment, bottleneck and kind)", row=a.line_of("method"),
                       field="adaptive.method", value=a.get("method"))  # fmt: skip
    segment_by = a.get("segment_by")
    if not isinstance(segment_by, list) or not all(s in SEGMENT_ATTRIBUTES for s in segment_by):
        r.problems.add(f"a list of operational attributes: {', '.join(SEGMENT_ATTRIBUTES)} (protected attributes "
                       "such as gender, age or ethnicity can never segment the policy)", row=a.line_of("segment_by"),
                       field="adaptive.segment_by", value=segment_by)  # fmt: skip
        segment_by = []
    adaptive = Adaptive(
        enabled=r.flag(a, "enabled", "adaptive"),
        segment_by=tuple(segment_by),
        max_explore_share=r.number(a, "max_explore_share", "adaptive", 0, 0.5, whole=False),
        settle_after_days=int(r.number(a, "settle_after_days", "adaptive", 1, 90)),
    )
    w = r.mapping(doc, "rewards", "rewards", doc.line_of("rewards"), REWARD_KEYS)
    rewards = {key: r.number(w, key, "rewards", 0, 1, whole=False) for key in REWARD_KEYS}
    if rewards["applied"] > min(rewards["practice_done"], rewards["commitment_kept"]) or rewards["rating_4_or_5"] > 0.2:
        r.problems.add("clicks and ratings as weak signals: 'applied' below practice and kept commitments, ratings "
                       "at most 0.2", row=w.line_of("applied") if w else None, field="rewards",
                       value={"applied": rewards["applied"], "rating_4_or_5": rewards["rating_4_or_5"]})  # fmt: skip
    r.problems.raise_if_any()
    return PolicyFile(ident, version, " ".join(optimizes.split()), interventions, guardrails, adaptive, rewards, file)


def load_policy(path: Path) -> PolicyFile:
    return parse_policy(read_text(path), str(path))

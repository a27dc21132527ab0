"""What kind of help fits this person now, why, and whether a person must approve it first."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class InterventionKind(StrEnum):
    LEARNING_CONTENT = "learning_content"
    PRACTICE = "practice"
    REFLECTION = "reflection"
    COACHING_CONVERSATION = "coaching_conversation"
    ROLE_PLAY = "role_play"
    FEEDBACK_REQUEST = "feedback_request"
    STRETCH_ASSIGNMENT = "stretch_assignment"
    ESCALATION = "escalation"
    PAUSE = "pause"


class Bottleneck(StrEnum):
    """What stands between the person and their focus now, and so what kind of help fits (SPEC, loop step 3)."""

    CAPABILITY = "capability"  # they do not yet know how: learning content
    TRANSFER = "transfer"  # they know how but do not do it at work yet: practice
    AWARENESS = "awareness"  # they do not see the gap: reflection, feedback from others
    INTERPRETATION = "interpretation"  # a complex situation to make sense of: a human coaching conversation
    CONTEXT = "context"  # a system problem that is not theirs to fix: raise it with the manager or HR
    OVERLOAD = "overload"  # too much on their plate: a deliberate pause


class Challenge(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Cadence(StrEnum):
    NORMAL = "normal"
    SLOWER = "slower"  # after a snooze or a busy stretch: at most one counted nudge every few days
    PAUSED = "paused"


@dataclass(frozen=True, slots=True)
class Decision:
    """The chosen intervention with the rule that chose it and the inputs the rule saw."""

    kind: InterventionKind
    rule: str
    policy_version: str
    reasons: tuple[str, ...]
    inputs: dict[str, Any] = field(default_factory=dict)
    bottleneck: Bottleneck | None = None
    evidence: tuple[str, ...] = ()  # what led to the bottleneck, in words
    challenge: Challenge = Challenge.MEDIUM
    cadence: Cadence = Cadence.NORMAL
    needs_review: tuple[str, ...] = ()  # why a human must approve it first; empty: it may go out
    explored: bool = False  # chosen to learn (the adaptive choice tried a less-proven kind), not the best known
    segment: str = ""  # the group whose outcomes the adaptive choice learns from (never protected attributes)
    guardrails: tuple[str, ...] = ()  # the guardrails that changed or constrained the choice
    closes_focus: bool = False  # the evidence shows the focus's target level reached

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "rule": self.rule,
            "policy_version": self.policy_version,
            "reasons": list(self.reasons),
            "inputs": self.inputs,
            "bottleneck": self.bottleneck.value if self.bottleneck else None,
            "evidence": list(self.evidence),
            "challenge": self.challenge.value,
            "cadence": self.cadence.value,
            "needs_review": list(self.needs_review),
            "explored": self.explored,
            "segment": self.segment,
            "guardrails": list(self.guardrails),
            "closes_focus": self.closes_focus,
        }


def decision_from_dict(data: dict[str, Any]) -> Decision:
    """A decision as ``as_dict`` wrote it (an approved review item is re-run with exactly this decision)."""
    return Decision(
        kind=InterventionKind(data["kind"]),
        rule=data["rule"],
        policy_version=data["policy_version"],
        reasons=tuple(data.get("reasons") or ()),
        inputs=dict(data.get("inputs") or {}),
        bottleneck=Bottleneck(data["bottleneck"]) if data.get("bottleneck") else None,
        evidence=tuple(data.get("evidence") or ()),
        challenge=Challenge(data.get("challenge") or "medium"),
        cadence=Cadence(data.get("cadence") or "normal"),
        needs_review=tuple(data.get("needs_review") or ()),
        explored=bool(data.get("explored")),
        segment=data.get("segment") or "",
        guardrails=tuple(data.get("guardrails") or ()),
        closes_focus=bool(data.get("closes_focus")),
    )

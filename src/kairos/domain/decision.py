"""What kind of help fits this person now, and the reasons for it."""

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


@dataclass(frozen=True, slots=True)
class Decision:
    """The chosen intervention with the rule that chose it and the inputs the rule saw."""

    kind: InterventionKind
    rule: str
    policy_version: str
    reasons: tuple[str, ...]
    inputs: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "rule": self.rule,
            "policy_version": self.policy_version,
            "reasons": list(self.reasons),
            "inputs": self.inputs,
        }

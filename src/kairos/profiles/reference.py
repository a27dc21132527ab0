"""The fixed vocabularies of the instruments: theme and strength names, domains, types.

Names are spelled as the instruments publish them; importers match them case- and
space-insensitively and store this spelling.
"""

from __future__ import annotations

from enum import StrEnum


class StrengthsDomain(StrEnum):
    EXECUTING = "executing"
    INFLUENCING = "influencing"
    RELATIONSHIP_BUILDING = "relationship_building"
    STRATEGIC_THINKING = "strategic_thinking"


_E, _I, _R, _S = (
    StrengthsDomain.EXECUTING,
    StrengthsDomain.INFLUENCING,
    StrengthsDomain.RELATIONSHIP_BUILDING,
    StrengthsDomain.STRATEGIC_THINKING,
)

# The 34 CliftonStrengths themes and the domain each belongs to.
CLIFTONSTRENGTHS_THEMES: dict[str, StrengthsDomain] = {
    "Achiever": _E, "Arranger": _E, "Belief": _E, "Consistency": _E, "Deliberative": _E,
    "Discipline": _E, "Focus": _E, "Responsibility": _E, "Restorative": _E,
    "Activator": _I, "Command": _I, "Communication": _I, "Competition": _I, "Maximizer": _I,
    "Self-Assurance": _I, "Significance": _I, "Woo": _I,
    "Adaptability": _R, "Connectedness": _R, "Developer": _R, "Empathy": _R, "Harmony": _R,
    "Includer": _R, "Individualization": _R, "Positivity": _R, "Relator": _R,
    "Analytical": _S, "Context": _S, "Futuristic": _S, "Ideation": _S, "Input": _S,
    "Intellection": _S, "Learner": _S, "Strategic": _S,
}  # fmt: skip


class Virtue(StrEnum):
    WISDOM = "wisdom"
    COURAGE = "courage"
    HUMANITY = "humanity"
    JUSTICE = "justice"
    TEMPERANCE = "temperance"
    TRANSCENDENCE = "transcendence"


# The 24 VIA character strengths and the virtue each is grouped under.
VIA_STRENGTHS: dict[str, Virtue] = {
    "Creativity": Virtue.WISDOM, "Curiosity": Virtue.WISDOM, "Judgment": Virtue.WISDOM,
    "Love of Learning": Virtue.WISDOM, "Perspective": Virtue.WISDOM,
    "Bravery": Virtue.COURAGE, "Perseverance": Virtue.COURAGE, "Honesty": Virtue.COURAGE, "Zest": Virtue.COURAGE,
    "Love": Virtue.HUMANITY, "Kindness": Virtue.HUMANITY, "Social Intelligence": Virtue.HUMANITY,
    "Teamwork": Virtue.JUSTICE, "Fairness": Virtue.JUSTICE, "Leadership": Virtue.JUSTICE,
    "Forgiveness": Virtue.TEMPERANCE, "Humility": Virtue.TEMPERANCE, "Prudence": Virtue.TEMPERANCE,
    "Self-Regulation": Virtue.TEMPERANCE,
    "Appreciation of Beauty and Excellence": Virtue.TRANSCENDENCE, "Gratitude": Virtue.TRANSCENDENCE,
    "Hope": Virtue.TRANSCENDENCE, "Humor": Virtue.TRANSCENDENCE, "Spirituality": Virtue.TRANSCENDENCE,
}  # fmt: skip

# Enneagram types 1–9 sit on a circle; a wing is one of the two neighbouring types.
ENNEAGRAM_TYPES = tuple(range(1, 10))


def enneagram_wings(kind: int) -> tuple[int, int]:
    """The two adjacent types a wing may be (9 and 1 are neighbours)."""
    return (9 if kind == 1 else kind - 1, 1 if kind == 9 else kind + 1)


# The sixteen four-letter types: one letter from each pair.
SIXTEEN_TYPE_PAIRS = (("E", "I"), ("S", "N"), ("T", "F"), ("J", "P"))
SIXTEEN_TYPES = tuple(
    a + b + c + d
    for a in SIXTEEN_TYPE_PAIRS[0]
    for b in SIXTEEN_TYPE_PAIRS[1]
    for c in SIXTEEN_TYPE_PAIRS[2]
    for d in SIXTEEN_TYPE_PAIRS[3]
)

# Score names and ranges per instrument (documented in docs/formats/assessments.md).
DISC_SCALES = ("D", "I", "S", "C")  # 0–100 each
INSIGHTS_ENERGIES = ("red", "yellow", "green", "blue")  # Fiery Red, Sunshine Yellow, Earth Green, Cool Blue; 0–6
HBDI_QUADRANTS = ("A", "B", "C", "D")  # A analytical, B organized, C interpersonal, D imaginative; 0–200
BIG_FIVE_TRAITS = ("openness", "conscientiousness", "extraversion", "agreeableness", "neuroticism")  # percentiles

"""A conservative check for distress in free text a person writes back (a reflection, a reply).

It only decides whether a person — a coach — should read the text before any more nudges go out;
it never labels anyone. Phrases are matched as whole words, case-insensitively, and a negation just
before a phrase ("not overwhelmed") does not count. A miss costs little (the loop slows down anyway
after snoozes and silence); a false alarm costs a coach's glance.
"""

from __future__ import annotations

import re

_PHRASES = (
    "burned out", "burnt out", "burnout", "can't cope", "cannot cope", "can't go on", "falling apart",
    "breaking down", "hopeless", "overwhelmed", "panic attack", "panic attacks", "no way out", "crying every",
    "can't sleep", "cannot sleep", "want to quit everything", "at breaking point", "drowning", "desperate",
    "exhausted all the time", "dread going to work", "hate my life",
)  # fmt: skip
_PATTERN = re.compile(r"(?<![\w'])(" + "|".join(re.escape(p) for p in _PHRASES) + r")(?![\w'])", re.IGNORECASE)
_NEGATION = re.compile(r"\b(not|no longer|never|isn't|wasn't|am not|'m not)\s+(\w+\s+)?$", re.IGNORECASE)


def distress_phrases(text: str) -> list[str]:
    """The distress phrases in ``text`` that are not negated just before."""
    found = []
    for match in _PATTERN.finditer(text):
        if not _NEGATION.search(text[max(0, match.start() - 24) : match.start()]):
            found.append(match.group(1).lower())
    return found

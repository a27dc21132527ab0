"""The exceptions Kairos raises, written for the person who has to fix the input.

``KairosError`` is the root. ``InputError`` carries every problem found in one input,
each naming the file, row, field, the offending value and what was expected, so a
talent admin can fix a whole file in one pass instead of one error at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

# Long values are cut in messages: an error must stay readable even when the bad
# value is a 5 MB free-text field.
_MAX_SHOWN_VALUE = 80


class KairosError(Exception):
    """Base of every error Kairos raises on purpose."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one input: where it is, what was there, what was wanted."""

    file: str
    expected: str
    row: int | None = None
    field: str | None = None
    value: object = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.field:
            where += f", field '{self.field}'"
        shown = "" if self.value is None else f": got {_shorten(self.value)}"
        return f"{where}{shown}; expected {self.expected}"


def _shorten(value: object) -> str:
    text = repr(value) if not isinstance(value, str) else repr(value)
    if len(text) > _MAX_SHOWN_VALUE:
        text = f"{text[: _MAX_SHOWN_VALUE - 20]}… ({len(str(value))} characters)"
    return text


class InputError(KairosError):
    """An input (file, payload, option) was rejected; nothing from it was stored."""

    # How many problems one error lists before it summarises the rest.
    MAX_LISTED = 50

    def __init__(self, problems: list[Problem] | Problem) -> None:
        self.problems: list[Problem] = [problems] if isinstance(problems, Problem) else list(problems)
        if not self.problems:
            raise ValueError("InputError needs at least one problem")
        super().__init__(self._message())

    @classmethod
    def at(
        cls,
        file: str,
        expected: str,
        *,
        row: int | None = None,
        field: str | None = None,
        value: object = None,
    ) -> InputError:
        return cls(Problem(file=file, expected=expected, row=row, field=field, value=value))

    def _message(self) -> str:
        if len(self.problems) == 1:
            return str(self.problems[0])
        listed = self.problems[: self.MAX_LISTED]
        lines = [f"{len(self.problems)} problems:"] + [f"  - {p}" for p in listed]
        if len(self.problems) > len(listed):
            lines.append(f"  … and {len(self.problems) - len(listed)} more")
        return "\n".join(lines)


class PolicyError(KairosError):
    """A play, policy or setting is invalid or contradicts another one."""


class DeliveryError(KairosError):
    """A channel could not deliver a nudge; ``retryable`` says whether trying again may help."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable

"""Where the bundled content (plays, templates) and examples are, installed or in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _bundled(name: str) -> Path:
    installed = _PACKAGE / "_bundled" / name
    if installed.is_dir():
        return installed
    checkout = _PACKAGE.parent.parent / name  # src/kairos → repository root
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"Kairos's {name}/ folder is missing from this installation")


def content_dir(configured: Path | None = None) -> Path:
    return configured if configured is not None else _bundled("content")


def examples_dir() -> Path:
    return _bundled("examples")

"""Running the real ``kairos`` entry point in-process, as a person at a terminal would, with its exit code."""

from __future__ import annotations

import sys

import pytest

from kairos.cli import main


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of ``kairos ARGS``; errors go through ``main`` as they do for users."""
    with pytest.raises(SystemExit) as exit_info:
        sys.argv = ["kairos", *args]
        main()
    out = capsys.readouterr()
    return int(exit_info.value.code or 0), out.out, out.err

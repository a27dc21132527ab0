"""Access logs without link tokens: a signed link is a key to one person's inbox, preferences or answer, so the
token in ``?token=…`` or ``/r/<token>`` is replaced by ``…`` before uvicorn writes the request line."""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

from uvicorn.config import LOGGING_CONFIG

_QUERY = re.compile(r"(?i)([?&]token=)[^&#\s]+")
_ONE_TAP = re.compile(r"^(/r/)[^/?#\s]+")


def redact(path: str) -> str:
    return _ONE_TAP.sub(r"\1…", _QUERY.sub(r"\1…", path))


class RedactLinkTokens(logging.Filter):
    """For uvicorn's access logger, whose record args are (client, method, path, http version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            record.args = (args[0], args[1], redact(args[2]), args[3], args[4])
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's own logging configuration, with the access log's request lines redacted."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_link_tokens"] = {"()": f"{__name__}.RedactLinkTokens"}
    config["handlers"]["access"].setdefault("filters", []).append("redact_link_tokens")
    return config

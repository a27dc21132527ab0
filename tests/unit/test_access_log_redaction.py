"""Link tokens never reach the access log: they are keys to one person's inbox, preferences or answer."""

from __future__ import annotations

import logging
import logging.config

from kairos.api.logs import RedactLinkTokens, log_config, redact


def test_tokens_in_the_query_and_in_one_tap_paths_are_replaced() -> None:
    assert redact("/inbox?token=eyJwIjoi.abc") == "/inbox?token=…"
    assert redact("/api/v1/inbox?limit=5&token=eyJ.x&before=3") == "/api/v1/inbox?limit=5&token=…&before=3"
    assert redact("/r/eyJwIjoicmVwIn0.c2ln") == "/r/…"
    assert redact("/healthz") == "/healthz" and redact("/scim/v2/Users?filter=x") == "/scim/v2/Users?filter=x"


def test_the_access_record_is_rewritten_before_it_is_formatted() -> None:
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5", "GET", "/preferences?token=secret.sig", "1.1", 200), None)  # fmt: skip
    assert RedactLinkTokens().filter(record)
    assert "secret" not in record.getMessage() and "/preferences?token=…" in record.getMessage()


def test_uvicorns_configuration_gains_the_filter_on_its_access_handler() -> None:
    config = log_config()
    assert "redact_link_tokens" in config["handlers"]["access"]["filters"]
    logging.config.dictConfig(config)  # it is a configuration logging accepts

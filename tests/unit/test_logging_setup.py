"""The log redaction filter: the second line of defence against a secret in a log line."""

from __future__ import annotations

import logging

import pytest

from app.logging_setup import REDACTED, RedactingFilter, redact

CDKEY = "7KQ2M-XW9PA-3HJ8N-RT4VB-6YC2D"
TOKEN = "q3Yb8X0vJ1mN7cK2pL5sW9tR4uA6eD8fG0hZ"


@pytest.mark.parametrize(
    "line",
    [
        f"activating with cdkey={CDKEY}",
        f"activation failed for {CDKEY}",
        f'request body {{"refresh_token": "{TOKEN}"}}',
        f"Authorization: Bearer {TOKEN}",
        "login body {'login': 'alice', 'password': 'Ledger#2025ok'}",
        f"token {TOKEN} rotated",
    ],
)
def test_secrets_are_blanked(line: str) -> None:
    cleaned = redact(line)
    assert REDACTED in cleaned
    for secret in (CDKEY, TOKEN, "Ledger#2025ok"):
        assert secret not in cleaned


def test_ordinary_facts_stay_readable() -> None:
    line = "state ILLEGAL_COPY for licence 7, serial LP-ABCD-****-WXYZ, feature code ABCDE-FGHIJ-KLMNO-PQRST"
    assert redact(line) == line


def test_the_filter_cleans_arguments_and_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("test.redaction")
    log.addFilter(RedactingFilter())
    try:
        with caplog.at_level(logging.INFO, logger="test.redaction"):
            log.info("saving %s for %s", TOKEN, "alice")
            try:
                raise ValueError(f"bad cdkey {CDKEY}")
            except ValueError:
                log.exception("activation crashed")
    finally:
        log.filters.clear()
    assert TOKEN not in caplog.text and CDKEY not in caplog.text
    assert "alice" in caplog.text and "activation crashed" in caplog.text

"""Logging for the client, configured once from ``python -m app``: a rotating file plus warnings on stderr.

Code never logs secrets on purpose; ``RedactingFilter`` is the second line of defence and blanks
anything shaped like a token, a CDkey or a password assignment before it reaches a handler.
"""

from __future__ import annotations

import logging
import re
import sys
from pathlib import Path

from app.services.paths import AppPaths, create_private_file, make_private_dir

REDACTED = "[redacted]"
_PATTERNS = (
    # key=value / "key": "value" pairs whose value is secret, whatever it looks like.
    re.compile(
        r"""(?i)(\b(?:password|passwd|new_password|refresh_token|access_token|token|cdkey|verification_code|authorization)\b"""
        r"""["']?\s*[:=]\s*["']?)(?:bearer\s+)?[^\s"',}&]+"""
    ),
    re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]+"),
    # CDkeys: five or more groups of five (the 4-group feature code is not secret and stays).
    re.compile(r"()\b[A-Z0-9]{5}(?:-[A-Z0-9]{5}){4,}\b"),
    # Long base64url / hex runs: tokens, signatures, raw keys.
    re.compile(r"()(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{32,}={0,2}(?![A-Za-z0-9_-])"),
)

_configured = False


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (and traceback text) with secrets blanked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not hide the record, nor leak its args
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def _rotating_file_handler(path: Path) -> logging.Handler:
    import logging.handlers  # not at import time: `status` starts faster without it

    class LazyRotatingFileHandler(logging.handlers.RotatingFileHandler):
        """Creates the log directory on the first record, not at start-up (read-only runs stay read-only).

        The directory is 0700 and the log 0600 (also each file a rollover starts): account names and
        server messages in it are nobody else's business on a shared PC.
        """

        def _open(self):  # type: ignore[no-untyped-def]
            log_file = Path(self.baseFilename)
            make_private_dir(log_file.parent)
            create_private_file(log_file)
            return super()._open()

    return LazyRotatingFileHandler(path, maxBytes=1024 * 1024, backupCount=3, encoding="utf-8", delay=True)


def configure_logging(paths: AppPaths, *, verbose: bool = False, to_file: bool = True) -> None:
    """Idempotent: the first call wins (``python -m app`` calls it once).

    ``to_file=False`` (read-only commands such as ``status``): stderr only, no log directory created.
    """
    global _configured
    if _configured:
        return
    _configured = True
    redactor = RedactingFilter()

    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.DEBUG if verbose else logging.WARNING)
    console.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    console.addFilter(redactor)

    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    root.addHandler(console)
    if to_file:
        file_handler = _rotating_file_handler(paths.log_file)
        file_handler.setLevel(logging.DEBUG if verbose else logging.INFO)
        file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        file_handler.addFilter(redactor)
        root.addHandler(file_handler)
    # Third-party chatter (urllib3 retries, keyring probing) only at warning level.
    for noisy in ("urllib3", "keyring", "secretstorage"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

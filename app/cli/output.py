"""Console output a script can trust on any code page: JSON as UTF-8 bytes, text that never crashes."""

from __future__ import annotations

import io
import sys


def tolerate_unencodable_text() -> None:
    """Human text prints in the console's or the redirection's encoding; what it lacks becomes '?', not a crash.

    A redirected Windows console encodes in the ANSI code page (cp1252 on English Windows, GBK on Chinese), which
    cannot hold every character of our messages; a frozen program ignores PYTHONIOENCODING.
    """
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")


def write_utf8(text: str) -> None:
    """``text`` as UTF-8 bytes on stdout, whatever encoding the text stream would use."""
    binary = getattr(sys.stdout, "buffer", None)
    if binary is None:  # stdout replaced by a text-only object (an embedding host, a test)
        sys.stdout.write(text)
        return
    sys.stdout.flush()
    binary.write(text.encode("utf-8"))
    binary.flush()


def write_json(value: object) -> None:
    """One JSON object, indented, as UTF-8 bytes: what every ``--json`` prints."""
    import json

    write_utf8(json.dumps(value, ensure_ascii=False, indent=2) + "\n")

"""pytest under Windows Python for the Windows lane (scripts/test-windows.sh): `python run_pytest.py ARGS...`.

Only pytest's own report is made safe for a cp1252 console pipe (unencodable characters in test ids or
assertion text are escaped instead of crashing the report). Nothing else changes: no PYTHONIOENCODING or
UTF-8 mode, so the code under test and the subprocesses the tests start see a Windows console as it is.

One Wine defect is worked around: now and then Wine's CreateProcess fails a start with ERROR_INTERNAL_ERROR
(WinError 1359) that succeeds when tried again a moment later, so a process start failing that way is retried.
"""

import subprocess
import sys
import time

for stream in (sys.stdout, sys.stderr):
    if stream is not None and hasattr(stream, "reconfigure"):
        stream.reconfigure(errors="backslashreplace")

WINE_START_FLAKE = 1359  # ERROR_INTERNAL_ERROR
START_ATTEMPTS = 3


class _RetryingPopen(subprocess.Popen):
    def __init__(self, *args, **kwargs):
        for attempt in range(1, START_ATTEMPTS + 1):
            try:
                super().__init__(*args, **kwargs)
                return
            except OSError as exc:
                if getattr(exc, "winerror", None) != WINE_START_FLAKE or attempt == START_ATTEMPTS:
                    raise
                print(
                    f"\n[Windows lane] process start failed with WinError {WINE_START_FLAKE}; retrying", file=sys.stderr
                )
            time.sleep(0.5 * attempt)


subprocess.Popen = _RetryingPopen  # subprocess.run, check_output and asyncio look it up here at each call

import pytest  # noqa: E402

raise SystemExit(pytest.main(sys.argv[1:]))

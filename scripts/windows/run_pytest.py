"""pytest under Windows Python for the Windows lane (scripts/test-windows.sh): `python run_pytest.py ARGS...`.

Only pytest's own report is made safe for a cp1252 console pipe (unencodable characters in test ids or
assertion text are escaped instead of crashing the report). Nothing else changes: no PYTHONIOENCODING or
UTF-8 mode, so the code under test and the subprocesses the tests start see a Windows console as it is.
"""

import sys

for stream in (sys.stdout, sys.stderr):
    if stream is not None and hasattr(stream, "reconfigure"):
        stream.reconfigure(errors="backslashreplace")

import pytest  # noqa: E402

raise SystemExit(pytest.main(sys.argv[1:]))

"""Summarise the Windows lane's pytest JUnit XML files: counts per suite, every failing test with its reason,
and a guess at the Windows cause. `python3 junit_summary.py RESULTS/*.xml`; the last line is
`windows: N passed, N failed, N skipped`."""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

# (pattern in the failure text, the Windows behaviour behind it)
CAUSES = [
    (
        r"JSON object must be str, bytes or bytearray, not NoneType",
        "the test decodes the child's UTF-8 output with the locale code page (cp1252): subprocess's reader thread "
        "died with UnicodeDecodeError, stdout is None",
    ),
    (r"'\?{2,}|\?\?\?\?", "human output on a cp1252 console: Chinese text became '?'"),
    (r"UnicodeEncodeError|codec can't encode", "console/pipe output in the ANSI code page (cp1252/GBK), not UTF-8"),
    (r"UnicodeDecodeError|codec can't decode", "output decoded with the locale code page, not UTF-8"),
    (
        r"WinError 32|being used by another process",
        "a file another handle holds open cannot be replaced/removed on Windows",
    ),
    (r"WinError 5\]|PermissionError", "replacing/removing a file another handle holds open is denied on Windows"),
    (r"st_mode|S_IMODE|0o[0-7]{3}|chmod|stat\.S_I", "POSIX file modes (Windows has no owner/group/other bits)"),
    (r"XDG_|\.local/share|/\.config", "XDG_DATA_HOME / XDG paths (Windows uses %LOCALAPPDATA% via platformdirs)"),
    (r"os\.getuid|getuid|pwd\b|fcntl|signal\.SIG(HUP|KILL|USR)", "POSIX-only API"),
    (r"\\r\\n|'\\r'|\r\n", "CRLF line endings"),
    (r"CERTIFICATE_VERIFY_FAILED", "TLS to PyPI: the Windows pip does not trust this network's CA"),
    (r"venv|ensurepip|venvlauncher", "virtual environment inside the embeddable CPython"),
    (r"Timeout|timed out|Failed: Timeout", "timeout (a blocking call under Wine?)"),
    (r"[A-Z]:\\\\|\\\\Users\\\\|PureWindowsPath|posixpath|'/tmp/", "path separators / drive letters"),
]


def cause(text: str) -> str:
    for pattern, why in CAUSES:
        if re.search(pattern, text):
            return why
    return "see the message"


def main(paths: list[str]) -> int:
    total = {"passed": 0, "failed": 0, "skipped": 0}
    lines: list[str] = []
    failures: list[str] = []
    for path in paths:
        try:
            root = ET.parse(path).getroot()
        except (ET.ParseError, OSError) as exc:
            lines.append(f"{Path(path).stem}: no results ({exc})")
            total["failed"] += 1
            continue
        suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
        for suite in suites:
            n = int(suite.get("tests", 0))
            f = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
            s = int(suite.get("skipped", 0))
            total["passed"] += n - f - s
            total["failed"] += f
            total["skipped"] += s
            lines.append(
                f"{Path(path).stem}: {n - f - s} passed, {f} failed, {s} skipped in {float(suite.get('time', 0)):.0f} s"
            )
            for case in suite.iter("testcase"):
                for bad in list(case.findall("failure")) + list(case.findall("error")):
                    captured = " ".join((e.text or "") for e in case if e.tag in ("system-out", "system-err"))
                    text = (bad.get("message") or "") + "\n" + (bad.text or "") + "\n" + captured
                    message = bad.get("message") or next(iter((bad.text or "").strip().splitlines()[-1:]), "")
                    message = " ".join(message.split())[:240]
                    node = f"{case.get('classname', '')}::{case.get('name', '')}"
                    kind = "ERROR" if bad.tag == "error" else "FAILED"
                    failures.append(f"{kind} {node}\n    reason: {message}\n    Windows cause: {cause(text)}")
    print("\n".join(lines))
    if failures:
        print(f"\nfailing tests ({len(failures)}):")
        print("\n".join(failures))
    print(f"\nwindows: {total['passed']} passed, {total['failed']} failed, {total['skipped']} skipped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

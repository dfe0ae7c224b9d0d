"""Start-up of a Windows GUI program under Wine to its main window shown on the X server, side by side.

    python3 startup_time.py --display :91 --title "Licence panel" --runs 3 \
        --program installed 'C:\\...\\LicencePanel.exe' -- env -i ... wine 'C:\\...\\LicencePanel.exe' ARGS \
        --program python 'C:\\py311\\python.exe' -- env -i ... wine 'C:\\py311\\python.exe' -m app ARGS

Each ``--program NAME WINDOWS_EXE -- COMMAND...`` (up to the next ``--program``) is launched ``--runs`` times,
interleaved with the others so that a busy moment of the machine falls on both; a run ends when a top-level
window titled ``--title`` is viewable (``xwininfo``, x11-utils), then the program is ended by pid (the Linux
processes running WINDOWS_EXE in this WINEPREFIX: Wine's own taskkill does not see them). Prints the median and
spread per program and their ratio; exits 1 when a program showed no window within ``--wait`` seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path


def window_viewable(display: str, title: str) -> bool:
    found = subprocess.run(
        ["xwininfo", "-display", display, "-name", title], capture_output=True, text=True, check=False
    )
    return found.returncode == 0 and "IsViewable" in found.stdout


def end_program(windows_exe: str, prefix: str) -> None:
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            argv0 = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode(errors="replace")
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv0 == windows_exe and f"WINEPREFIX={prefix}".encode() in environ:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGKILL)


def one_run(command: list[str], windows_exe: str, display: str, title: str, wait: float) -> float | None:
    prefix = os.environ.get("WINEPREFIX", "")
    start = time.monotonic()
    launcher = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    shown = None
    try:
        while time.monotonic() - start < wait:
            if window_viewable(display, title):
                shown = time.monotonic() - start
                break
            time.sleep(0.05)
    finally:
        end_program(windows_exe, prefix)
        try:
            launcher.wait(timeout=30)
        except subprocess.TimeoutExpired:
            launcher.kill()
        subprocess.run(["wineserver", "-w"], check=False, timeout=60)
    return shown


def parse_programs(rest: list[str]) -> list[tuple[str, str, list[str]]]:
    programs = []
    while rest:
        if rest[0] != "--program" or len(rest) < 4 or rest[3] != "--":
            raise SystemExit("expected: --program NAME WINDOWS_EXE -- COMMAND...")
        name, exe = rest[1], rest[2]
        rest = rest[4:]
        end = rest.index("--program") if "--program" in rest else len(rest)
        programs.append((name, exe, rest[:end]))
        rest = rest[end:]
    return programs


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--display", required=True)
    parser.add_argument("--title", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--wait", type=float, default=120)
    args, rest = parser.parse_known_args()
    programs = parse_programs(rest)
    times: dict[str, list[float]] = {name: [] for name, _, _ in programs}
    failed = False
    for _ in range(args.runs):
        for name, exe, command in programs:
            shown = one_run(command, exe, args.display, args.title, args.wait)
            if shown is None:
                print(f"{name}: no window titled {args.title!r} within {args.wait:.0f} s")
                failed = True
            else:
                times[name].append(shown)
    print(f"start-up to the main window shown (Wine, Xvfb; median of {args.runs}, interleaved):")
    medians = {}
    for name, values in times.items():
        if values:
            medians[name] = statistics.median(values)
            print(f"  {name:<10} {medians[name]:6.1f} s   (min {min(values):.1f}, max {max(values):.1f})")
    if len(medians) == 2:
        (a, ta), (b, tb) = medians.items()
        print(f"  {a} / {b}: {ta / tb:.2f}x")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

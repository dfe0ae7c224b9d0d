"""Start-up and memory of the Qt panel, the in-process cost of ``LicenceService.local_status()``, and import costs.

Prints:

- panel start-up to first paint: wall time from launching ``python`` to the main window's first paint
  event, the cached licence already rendered (offscreen, median of ``--runs`` fresh processes), split into
  interpreter start-up and our code; and the peak RSS of that process at first paint;
- ``local_status()``: one call reads the cache file, verifies the Ed25519 signature and evaluates the state
  (in-process, ``--iterations`` calls after one warm-up);
- imports: wall time of ``python -c "import …"`` minus ``python -c pass``, the modules loaded and the peak
  RSS, for the status path (what ``python -m app status`` imports) against the panel's UI modules.

The panel runs the real start-up (``app.cli.main`` → ``start_gui``) on a data dir holding a valid document for
this machine, signed by a throw-away key trusted the way ``--demo`` trusts its key (the shipped keys'
private half is not here); no demo server is started, ``--server`` points at a closed loopback port so the
background check fails fast as with an unreachable server, and the keyring is the null backend.

Usage: QT_QPA_PLATFORM=offscreen python benchmarks/panel_bench.py [--runs N] [--iterations N]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

NULL_KEYRING = "keyring.backends.null.Keyring"

# The child: the real `python -m app` entry, with two probes. build_service trusts the data dir's demo key
# (as --demo does) without starting a demo server; run_gui stops at the first paint instead of exec().
STARTUP_CHILD = """
import time
t_code = time.time()
import json, sys
import app.ui.launch as launch
from app.services.licence_service import open_service

launch.build_service = lambda paths, *, server_url, demo: open_service(paths, server_url=server_url, demo=True)

def first_paint(args):
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    painted = {}

    class PaintWatch(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint and isinstance(obj, QMainWindow) and "t" not in painted:
                painted["t"] = time.time()
            return False

    watch = PaintWatch()
    app.installEventFilter(watch)
    panel = launch.start_gui(args)
    window = panel.window
    t_shown = time.time()
    first_state = window.status.code if window.status is not None else None
    deadline = time.monotonic() + 30
    while "t" not in painted and time.monotonic() < deadline:
        app.processEvents()
    peak_kb = int([l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1])
    # Then the background start-up check (session restore, refused online check) settles the licence state.
    while (window.ops or window.status.code == "NOT_LOGGED_IN") and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.001)
    print(json.dumps({"t_code": t_code, "t_shown": t_shown, "t_painted": painted.get("t"),
                      "first_state": first_state, "t_settled": time.time(), "state": window.status.code,
                      "peak_rss_kb": peak_kb}), flush=True)
    panel.window.close()
    panel.stop()
    return 0

launch.run_gui = first_paint
from app.cli import main
sys.exit(main(sys.argv[1:], setup_logging=True))
"""

# The yardstick: a bare PySide6 window of the panel's size, painted once, in a fresh process started the same way.
BARE_WINDOW_CHILD = """
import time
t_code = time.time()
import json, sys
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QMainWindow

app = QApplication(sys.argv[:1])
painted = {}

class PaintWatch(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and isinstance(obj, QMainWindow) and "t" not in painted:
            painted["t"] = time.time()
        return False

watch = PaintWatch()
app.installEventFilter(watch)
window = QMainWindow()
window.resize(1040, 720)
window.show()
t_shown = time.time()
deadline = time.monotonic() + 30
while "t" not in painted and time.monotonic() < deadline:
    app.processEvents()
peak_kb = int([l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1])
print(json.dumps({"t_code": t_code, "t_shown": t_shown, "t_painted": painted.get("t"), "peak_rss_kb": peak_kb}))
"""

# Peak RSS from VmHWM: ru_maxrss of a forked-then-exec'd child can still carry the parent's peak.
PEAK_KB = "int([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1])"
IMPORT_PROBE = "import {modules}; import sys; print(len(sys.modules), " + PEAK_KB + ")"
IMPORT_SETS = {
    "python -c pass (baseline)": "",
    "status path (app.cli, local_status, trust)": (
        "app.cli, app.services.local_status, app.services.fingerprint, app.services.trust"
    ),
    "LicenceService (requests, keyring)": "app.services.licence_service",
    "PySide6.QtWidgets alone": "PySide6.QtWidgets",
    "app.ui (main window and its pages)": "app.ui.launch, app.ui.main_window",
}


def prepare(data_dir: Path) -> None:
    """A valid document for this machine, signed by a key trusted in demo mode (as benchmarks/status_bench.py)."""
    from app.services.fingerprint import SystemFingerprint
    from app.services.paths import AppPaths
    from app.services.settings import ClientSettings, save_settings
    from tests.support.documents import Signer, payload, write_cache

    signer = Signer()
    components = SystemFingerprint(AppPaths.from_data_dir(data_dir)).components()
    paths = write_cache(data_dir, signer.sign(payload(components)), last_online_check=datetime.now(UTC))
    signer.trust_in(paths)
    # Activated by file exchange with nobody signed in: after a restart the document's own account counts.
    save_settings(paths, ClientSettings(offline_activated=True))


def closed_port() -> int:
    """A loopback port nobody listens on: the background online check is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def child_env() -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHON_KEYRING_BACKEND": NULL_KEYRING}


def _timed_child(command: list[str]) -> tuple[float, dict[str, Any]]:
    """Launch one fresh process; (launch wall-clock time, the probe's JSON line)."""
    t_launch = time.time()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, env=child_env(), timeout=120)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"start-up run failed ({done.returncode}): {done.stderr[-1500:]}")
    probe = json.loads(lines[-1])
    if probe["t_painted"] is None:
        raise SystemExit(f"the window did not paint: {probe}")
    return t_launch, probe


def _figures(t_launch: float, probe: dict[str, Any]) -> dict[str, float]:
    figures = {
        "interpreter": probe["t_code"] - t_launch,
        "to_shown": probe["t_shown"] - t_launch,
        "to_paint": probe["t_painted"] - t_launch,
        "peak_rss_mb": probe["peak_rss_kb"] / 1024,
    }
    if "t_settled" in probe:
        figures["to_settled"] = probe["t_settled"] - t_launch
    return figures


def startup_runs(data_dir: Path, runs: int) -> tuple[list[dict[str, float]], list[dict[str, float]], set[str]]:
    """(panel runs, bare-window runs, states at first paint): one of each in turn, so a load that changes
    during the run (a shared machine) weighs on both alike; the first pair warms the file cache, uncounted."""
    server = f"http://127.0.0.1:{closed_port()}"
    panel_command = [sys.executable, "-c", STARTUP_CHILD, "--data-dir", str(data_dir), "--server", server]
    bare_command = [sys.executable, "-c", BARE_WINDOW_CHILD]
    panel: list[dict[str, float]] = []
    bare: list[dict[str, float]] = []
    first_states: set[str] = set()
    for i in range(runs + 1):
        t_launch, probe = _timed_child(panel_command)
        if probe["state"] != "ACTIVE":
            raise SystemExit(f"the panel did not settle on the cached ACTIVE licence: {probe}")
        bare_launch, bare_probe = _timed_child(bare_command)
        if i:
            panel.append(_figures(t_launch, probe))
            bare.append(_figures(bare_launch, bare_probe))
            first_states.add(probe["first_state"])
    return panel, bare, first_states


def local_status_times(data_dir: Path, iterations: int) -> tuple[list[float], str]:
    os.environ["PYTHON_KEYRING_BACKEND"] = NULL_KEYRING
    from app.services.licence_service import open_service
    from app.services.paths import AppPaths

    logging.getLogger("app.services.credentials").setLevel(logging.ERROR)  # "no keyring": expected here
    service = open_service(AppPaths.from_data_dir(data_dir), server_url=f"http://127.0.0.1:{closed_port()}", demo=True)
    service.restore_session()  # the air-gapped PC's remembered offline activation; no network call
    state = service.local_status().state.code  # warm-up: fingerprint, key objects, first file read
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        service.local_status()
        times.append(time.perf_counter() - start)
    return times, str(state)


def import_costs(runs: int) -> list[tuple[str, float, int, float]]:
    """(label, median ms above the baseline, modules loaded, peak RSS MB) per import set."""
    rows: list[tuple[str, float, int, float]] = []
    baseline = 0.0
    for label, modules in IMPORT_SETS.items():
        code = IMPORT_PROBE.format(modules=modules) if modules else IMPORT_PROBE.replace("import {modules}; ", "")
        command = [sys.executable, "-c", code]
        subprocess.run(command, cwd=REPO, capture_output=True, env=child_env(), check=True)  # warm
        times, out = [], ""
        for _ in range(runs):
            start = time.perf_counter()
            done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, env=child_env(), check=True)
            times.append(time.perf_counter() - start)
            out = done.stdout
        median = statistics.median(times) * 1000
        if not modules:
            baseline = median
        count, peak_kb = (int(x) for x in out.split())
        rows.append((label, median - baseline if modules else median, count, peak_kb / 1024))
    return rows


def heaviest_imports(modules: str, top: int = 6) -> list[tuple[str, float]]:
    """Import self-time summed per top-level package (one ``-X importtime`` run), heaviest first."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {modules}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=child_env(),
        check=True,
    )
    totals: dict[str, float] = {}
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line or "cumulative" in line:
            continue
        own, _cumulative, name = line.split(":", 1)[1].split("|")
        root = name.strip().split(".")[0]
        if root == "app":  # our own modules: by subpackage (app.ui, app.domain, app.services)
            root = ".".join(name.strip().split(".")[:2])
        totals[root] = totals.get(root, 0.0) + int(own) / 1000
    return sorted(totals.items(), key=lambda kv: -kv[1])[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="fresh processes per start-up / import figure")
    parser.add_argument("--iterations", type=int, default=2000, help="local_status() calls timed in-process")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="lp-panel-bench-") as tmp:
        data_dir = Path(tmp) / "client"
        prepare(data_dir)

        runs, bare_runs, first_states = startup_runs(data_dir, args.runs)
        med = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
        bare = {key: statistics.median(r[key] for r in bare_runs) for key in bare_runs[0]}
        paints = [r["to_paint"] * 1000 for r in runs]
        bare_paints = [r["to_paint"] * 1000 for r in bare_runs]
        print(
            f"panel start-up against a bare PySide6 window (QMainWindow 1040x720), offscreen, cached licence, "
            f"air-gapped PC; {args.runs} runs each, interleaved, after one warm-up pair; medians"
        )
        print(f"  {'':<24}{'bare window':>12}{'panel':>10}{'ratio':>8}   goal")
        print(
            f"  {'to first paint, ms':<24}{bare['to_paint'] * 1000:>12.0f}{med['to_paint'] * 1000:>10.0f}"
            f"{med['to_paint'] / bare['to_paint']:>7.2f}x   <= 2x"
            f"   (min-max: bare {min(bare_paints):.0f}-{max(bare_paints):.0f},"
            f" panel {min(paints):.0f}-{max(paints):.0f})"
        )
        print(
            f"  {'peak RSS at paint, MB':<24}{bare['peak_rss_mb']:>12.0f}{med['peak_rss_mb']:>10.0f}"
            f"{med['peak_rss_mb'] / bare['peak_rss_mb']:>7.2f}x   <= 1.5x"
        )
        print(
            f"  {'interpreter start, ms':<24}{bare['interpreter'] * 1000:>12.0f}{med['interpreter'] * 1000:>10.0f}"
            "           (launch until the first line runs)"
        )
        print(
            f"  {'window shown, ms':<24}{bare['to_shown'] * 1000:>12.0f}{med['to_shown'] * 1000:>10.0f}"
            "           (show() returned; the panel: start_gui returned, cached state rendered)"
        )
        print(f"  state at first paint  {', '.join(sorted(first_states))}")
        print(
            f"  ACTIVE shown          median {med['to_settled'] * 1000:7.0f} ms  (after the background start-up check)"
        )

        times, state = local_status_times(data_dir, args.iterations)
        us = sorted(t * 1e6 for t in times)
        print(f"\nLicenceService.local_status() in-process, state {state}, {args.iterations} calls")
        print(
            f"  median {statistics.median(us):.0f} µs, p95 {us[int(len(us) * 0.95) - 1]:.0f} µs, "
            f"mean {statistics.fmean(us):.0f} µs, min {us[0]:.0f} µs"
        )

    print(f"\nimport cost, fresh processes ({args.runs} runs each; ms above the baseline)")
    print(f"  {'what':<44}{'ms':>8}{'modules':>9}{'peak RSS MB':>13}")
    for label, ms, count, rss in import_costs(args.runs):
        print(f"  {label:<44}{ms:>8.0f}{count:>9}{rss:>13.0f}")
    heavy = ", ".join(f"{name} {ms:.0f} ms" for name, ms in heaviest_imports("app.ui.launch, app.ui.main_window"))
    print(f"  app.ui import self-time by package (one -X importtime run): {heavy}")


if __name__ == "__main__":
    main()
